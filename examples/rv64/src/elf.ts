// ELF64 loader for static RISC-V executables (ET_EXEC, and ET_DYN loaded at a
// fixed bias for static-pie). Copies PT_LOAD segments into guest memory.
import type { Memory } from './memory.js';
import { PAGE } from './memory.js';

const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_PHDR = 6;
const EM_RISCV = 243;
const ET_EXEC = 2;
const ET_DYN = 3;
const PF_X = 1;
const PIE_BIAS = 0x400000;

export interface LoadedElf {
  entry: number;
  phdr: number;
  phent: number;
  phnum: number;
  /** First address after the highest segment, page aligned: where brk starts. */
  brk: number;
  /** Lowest and highest address of executable segments (for the decode cache). */
  textStart: number;
  textEnd: number;
}

export function loadElf(image: Uint8Array, mem: Memory): LoadedElf {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.length < 64 || dv.getUint32(0, false) !== 0x7f454c46) throw new Error('not an ELF file');
  if (image[4] !== 2 || image[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  if (dv.getUint16(18, true) !== EM_RISCV) throw new Error('not a RISC-V ELF file');
  const type = dv.getUint16(16, true);
  if (type !== ET_EXEC && type !== ET_DYN) throw new Error(`ELF type ${type} is not executable`);
  const bias = type === ET_DYN ? PIE_BIAS : 0;
  const phoff = Number(dv.getBigUint64(32, true));
  const phent = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);

  let phdr = 0;
  let brk = 0;
  let textStart = Infinity;
  let textEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phent;
    const ptype = dv.getUint32(ph, true);
    const flags = dv.getUint32(ph + 4, true);
    const offset = Number(dv.getBigUint64(ph + 8, true));
    const vaddr = Number(dv.getBigUint64(ph + 16, true)) + bias;
    const filesz = Number(dv.getBigUint64(ph + 32, true));
    const memsz = Number(dv.getBigUint64(ph + 40, true));
    if (ptype === PT_INTERP) throw new Error('dynamically linked programs are not supported: build with -static');
    if (ptype === PT_PHDR) phdr = vaddr;
    if (ptype !== PT_LOAD) continue;
    if (!mem.valid(vaddr, memsz)) throw new Error(`segment at 0x${vaddr.toString(16)} does not fit in guest memory`);
    mem.map(vaddr, memsz);
    mem.write(vaddr, image.subarray(offset, offset + filesz));
    if (phoff >= offset && phoff < offset + filesz && phdr === 0) phdr = vaddr + (phoff - offset);
    brk = Math.max(brk, vaddr + memsz);
    if (flags & PF_X) {
      textStart = Math.min(textStart, vaddr);
      textEnd = Math.max(textEnd, vaddr + memsz);
    }
  }
  return {
    entry: Number(dv.getBigUint64(24, true)) + bias,
    phdr,
    phent,
    phnum,
    brk: Math.ceil(brk / PAGE) * PAGE,
    textStart: textStart === Infinity ? 0 : textStart,
    textEnd,
  };
}
