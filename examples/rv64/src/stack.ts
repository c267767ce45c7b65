// The initial process stack the kernel builds for a new program (System V ABI,
// RISC-V psABI): argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL;
// strings and AT_RANDOM bytes above them. Returns the initial sp.
import { randomFillSync } from 'node:crypto';
import type { LoadedElf } from './elf.js';
import type { Memory } from './memory.js';
import { PAGE } from './memory.js';

// include/uapi/linux/auxvec.h
const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
  AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
  AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;

/** ISA letters I, M, A, F, D, C as the kernel reports them in AT_HWCAP. */
const HWCAP = [...'imafdc'].reduce((bits, c) => bits | (1 << (c.charCodeAt(0) - 97)), 0);

export interface StackInput {
  argv: string[];
  env: string[];
  elf: LoadedElf;
  uid: number;
  gid: number;
}

export function buildStack(mem: Memory, top: number, input: StackInput): number {
  let sp = top;
  const putString = (s: string): number => {
    const b = Buffer.from(s + '\0', 'utf8');
    sp -= b.length;
    mem.write(sp, b);
    return sp;
  };
  const execfn = putString(input.argv[0] ?? '');
  const envPtrs = input.env.map(putString);
  const argPtrs = input.argv.map(putString);
  sp -= 16;
  const random = sp;
  randomFillSync(mem.bytes(random, 16));
  sp = Math.floor(sp / 16) * 16;

  const { elf } = input;
  const auxv: [number, number][] = [
    [AT_PHDR, elf.phdr], [AT_PHENT, elf.phent], [AT_PHNUM, elf.phnum], [AT_PAGESZ, PAGE],
    [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, elf.entry], [AT_UID, input.uid], [AT_EUID, input.uid],
    [AT_GID, input.gid], [AT_EGID, input.gid], [AT_HWCAP, HWCAP], [AT_CLKTCK, 100],
    [AT_SECURE, 0], [AT_RANDOM, random], [AT_EXECFN, execfn], [AT_NULL, 0],
  ];
  const words = [argPtrs.length, ...argPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
  sp -= words.length * 8;
  sp = Math.floor(sp / 16) * 16;
  words.forEach((w, i) => mem.setU64(sp + i * 8, w));
  return sp;
}
