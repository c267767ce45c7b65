// execve at the home: the program is found in the one file tree (mounts,
// the in-memory tree, /proc/self/exe), read whole, checked as Linux checks
// it (ENOENT, EACCES for no execute bit or not a regular file, ENOEXEC for
// neither ELF nor `#!`), and loaded into the caller's memory in place (the
// same SharedArrayBuffer, emptied: every view of it stays valid). The
// caller's thread then starts the new program from the exec words
// (kernel.ts EXEC_DONE). Descriptors stay except FD_CLOEXEC ones; caught
// signals return to their defaults; the pid stays.
import * as fs from 'node:fs';
import { loadElf } from '../elf.js';
import { buildStack } from '../stack.js';
import { EACCES, EAGAIN, EFAULT, ENOENT, ENOMEM } from './errno.js';
import { wipeMemory } from './fork.js';
import { statLoc, openLoc } from './fsops.js';
import { G_TRAMP } from './group.js';
import { EXEC_DONE, resetHandlers, XW_ENTRY, XW_SP, XW_TEXT, XW_TEXT_END, type ProcRecord } from './kernel.js';
import { walk } from './namei.js';
import { TRAMPOLINE } from './signals.js';
import { readFile, type OpenFile } from './vfs.js';

const ENOEXEC = 8, E2BIG = 7;
// As emulator.ts lays out a program's memory.
const STACK_SIZE = 8 << 20, GUARD = 1 << 20;
const MAX_ARGS = 4096, MAX_INTERP = 4;

/** The strings of a NULL-terminated array of pointers in guest memory, or -errno. */
function strings(rec: ProcRecord, ptr: number): string[] | number {
  const mem = rec.proc.mem, out: string[] = [];
  if (ptr === 0) return out;
  for (let i = 0; ; i++) {
    if (i >= MAX_ARGS) return -E2BIG;
    if (!mem.valid(ptr + 8 * i, 8)) return -EFAULT;
    const at = mem.u64(ptr + 8 * i);
    if (at === 0) return out;
    const s = mem.cstring(at, 128 * 1024);
    if (s === null) return -EFAULT;
    out.push(s);
  }
}

/** The whole file at path, or -errno; host: the host path when it is a host file (for /proc/self/exe). */
function readProgram(rec: ProcRecord, path: string): { image: Uint8Array; host?: string } | number {
  const p = rec.proc;
  const l = walk(p, p.cwd, path, true);
  if (typeof l === 'number') return l;
  const st = statLoc(l);
  if (typeof st === 'number') return st;
  if ((st.mode & 0o170000) !== 0o100000 || (st.mode & 0o111) === 0) return -EACCES;
  const f = openLoc(p.fs, l, 0, 0);
  if (typeof f === 'number') return f;
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const chunk = new Uint8Array(1 << 20);
      const n = readFile(f, chunk);
      if (n < 0) return n;
      if (n === 0) break;
      parts.push(chunk.subarray(0, n));
    }
  } finally {
    close(f);
  }
  const host = l.kind === 'host' ? l.host : l.kind === 'magic' ? l.exe : undefined;
  return { image: Buffer.concat(parts), host };
}

function close(f: OpenFile): void {
  if (f.kind === 'hostfile' || (f.kind === 'host' && f.hostFd > 2)) try { fs.closeSync(f.hostFd); } catch { /* gone */ }
}

/** `#!interpreter [one argument]`: the new argv, or null when the file is no script. */
function script(image: Uint8Array, path: string, argv: string[]): string[] | null {
  if (image[0] !== 0x23 || image[1] !== 0x21) return null;
  let end = image.indexOf(0x0a);
  if (end < 0) end = Math.min(image.length, 256);
  const line = Buffer.from(image.subarray(2, end)).toString('utf8').trim();
  const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
  if (!m) return null;
  return [m[1]!, ...(m[2] !== undefined ? [m[2]] : []), path, ...argv.slice(1)];
}

export interface ExecHooks {
  /** The process's handlers at the home, made again over its new program (brk limits). */
  rebuild(rec: ProcRecord): void;
}

/** execve(path, argv, envp) for the calling process: EXEC_DONE or -errno. */
export function execve(rec: ProcRecord, pathPtr: number, argvPtr: number, envpPtr: number, hooks: ExecHooks): number {
  const p = rec.proc, mem = p.mem;
  let path = mem.cstring(pathPtr);
  if (path === null) return -EFAULT;
  if (path === '') return -ENOENT;
  let argv = strings(rec, argvPtr);
  if (typeof argv === 'number') return argv;
  const env = strings(rec, envpPtr);
  if (typeof env === 'number') return env;
  let prog: { image: Uint8Array; host?: string } | number;
  for (let depth = 0; ; depth++) {
    prog = readProgram(rec, path);
    if (typeof prog === 'number') return prog;
    const isElf = prog.image.length >= 4 && prog.image[0] === 0x7f && prog.image[1] === 0x45 && prog.image[2] === 0x4c && prog.image[3] === 0x46;
    if (isElf) break;
    const next = script(prog.image, path, argv);
    if (next === null || depth >= MAX_INTERP) return depth >= MAX_INTERP ? -40 /* ELOOP */ : -ENOEXEC;
    argv = next;
    path = next[0]!;
  }
  if (!checkElf(prog.image)) return -ENOEXEC;
  // Linux ends the other threads first (de_thread); here they would run on in the emptied memory.
  if (rec.group.live > 1) return -EAGAIN;
  // The point of no return: the old program's memory goes.
  wipeMemory(mem);
  let elf: ReturnType<typeof loadElf>;
  try { elf = loadElf(prog.image, mem); } catch { return -ENOMEM; } // checked above: only a segment that does not fit is left
  const top = mem.size;
  mem.map(top - STACK_SIZE, STACK_SIZE);
  const tramp = top - STACK_SIZE - 4096;
  mem.map(tramp, 4096);
  TRAMPOLINE.forEach((inst, i) => mem.dv.setInt32(tramp + 4 * i, inst, true));
  Atomics.store(rec.group.w, G_TRAMP, tramp);
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  const sp = buildStack(mem, top, { argv, env, elf, uid, gid });
  p.brkStart = p.brk = elf.brk;
  p.exe = prog.host ?? path;
  p.fds.closeOnExec();
  resetHandlers(rec.group);
  hooks.rebuild(rec);
  const put = (at: number, v: number) => { rec.xw[at] = v % 4294967296; rec.xw[at + 1] = Math.floor(v / 4294967296); };
  put(XW_ENTRY, elf.entry); put(XW_TEXT, elf.textStart); put(XW_TEXT_END, elf.textEnd); put(XW_SP, sp);
  return EXEC_DONE;
}

/** What loadElf would refuse, checked before the old program is thrown away. */
function checkElf(image: Uint8Array): boolean {
  if (image.length < 64 || image[4] !== 2 || image[5] !== 1) return false;
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (dv.getUint16(18, true) !== 243) return false; // EM_RISCV
  const type = dv.getUint16(16, true);
  if (type !== 2 && type !== 3) return false;
  const phoff = Number(dv.getBigUint64(32, true)), phent = dv.getUint16(54, true), phnum = dv.getUint16(56, true);
  if (phoff + phent * phnum > image.length) return false;
  for (let i = 0; i < phnum; i++) if (dv.getUint32(phoff + i * phent, true) === 3) return false; // PT_INTERP: not static
  return true;
}

/** The exec words as numbers: where the new program starts. */
export function execStart(xw: Int32Array): { entry: number; textStart: number; textEnd: number; sp: number } {
  const get = (at: number) => (xw[at + 1]! >>> 0) * 4294967296 + (xw[at]! >>> 0);
  return { entry: get(XW_ENTRY), textStart: get(XW_TEXT), textEnd: get(XW_TEXT_END), sp: get(XW_SP) };
}
