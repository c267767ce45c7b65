// A seccomp filter program as systab takes it: an array of the kernel's
// struct sock_filter { code, jt, jf, k }, or its bytes (8 per instruction,
// little-endian, as seccomp_export_bpf writes them on x86_64), and the
// checker's refusals as errors that name the instruction.
import * as L from '../../assembly/seccomp/layout.js';
import { SystabError } from '../errors.js';

export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Instructions, or their bytes as struct sock_filter (8 each, little-endian). */
export type SeccompProgram = readonly SockFilter[] | Uint8Array;

function field(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** The program's bytes, or EBADSPEC naming the instruction that is not one. */
export function programBytes(p: SeccompProgram, filter: number): Uint8Array {
  if (p instanceof Uint8Array) {
    // A plain copy, read once through the array's own length: a subclass's length getter is never
    // asked (a lying one sized the set smaller than what set() copied into it), and bytes another
    // thread writes meanwhile are read once.
    const copy = new Uint8Array(p);
    if (copy.length % L.INSN_BYTES !== 0) {
      throw new SystabError('EBADSPEC', `seccomp: filter ${filter} is ${copy.length} bytes, not a whole number of 8-byte struct sock_filter instructions`);
    }
    return copy;
  }
  if (!Array.isArray(p)) throw new SystabError('EBADSPEC', `seccomp: filter ${filter} is not an array of { code, jt, jf, k } instructions or their bytes`);
  const n = p.length;
  // Before allocating: a sparse array may claim 2^32 - 1 instructions.
  if (n > L.MAX_INSNS) throw new SystabError('EINVAL', `seccomp: filter ${filter} has ${n} instructions; the kernel takes 1 to ${L.MAX_INSNS} (BPF_MAXINSNS)`);
  const out = new Uint8Array(n * L.INSN_BYTES);
  const v = new DataView(out.buffer);
  // Every index, holes included (forEach skips them, which left a zero instruction, BPF_LD|BPF_IMM 0, in their place).
  for (let i = 0; i < n; i++) {
    const s = p[i] as Partial<SockFilter> | null;
    const k = s?.k;
    const kOk = typeof k === 'number' && Number.isInteger(k) && k >= -0x80000000 && k <= 0xffffffff;
    if (s === null || typeof s !== 'object' || !field(s.code, 0xffff) || !field(s.jt, 0xff) || !field(s.jf, 0xff) || !kOk) {
      throw new SystabError('EBADSPEC', `seccomp: filter ${filter}, instruction ${i} is not { code: u16, jt: u8, jf: u8, k: u32 }`);
    }
    v.setUint16(i * 8, s.code!, true);
    v.setUint8(i * 8 + 2, s.jt!);
    v.setUint8(i * 8 + 3, s.jf!);
    v.setUint32(i * 8 + 4, k! >>> 0, true);
  }
  return out;
}

/**
 * A program as the bytes of its struct sock_filter array (8 per instruction,
 * little-endian: what `seccomp(SECCOMP_SET_MODE_FILTER)` takes on a
 * little-endian machine, and libseccomp's seccomp_export_bpf writes); a copy.
 */
export function filterBytes(p: SeccompProgram): Uint8Array {
  return programBytes(p, 0).slice();
}

/**
 * A program's struct sock_filter bytes (8 per instruction, little-endian)
 * read back as instructions; anything but such bytes is EBADSPEC.
 */
export function filterInstructions(bytes: Uint8Array): SockFilter[] {
  if (!(bytes instanceof Uint8Array)) throw new SystabError('EBADSPEC', `seccomp: filterInstructions() takes a program's bytes, a Uint8Array of 8 per instruction (got ${bytes === null ? 'null' : Object.prototype.toString.call(bytes)})`);
  return instructions(programBytes(bytes, 0));
}

/** The program's instructions (for messages and tests). */
export function instructions(bytes: Uint8Array): SockFilter[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SockFilter[] = [];
  for (let i = 0; i < bytes.length; i += 8) out.push({ code: v.getUint16(i, true), jt: v.getUint8(i + 2), jf: v.getUint8(i + 3), k: v.getUint32(i + 4, true) });
  return out;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** The checker's result as the error the kernel's errno names (EINVAL), with why. */
export function refusal(result: number, filter: number, bytes: Uint8Array): SystabError {
  const reason = result >>> 16;
  const pc = result & 0xffff;
  const n = bytes.length / L.INSN_BYTES;
  if (reason === L.R_LENGTH) {
    return new SystabError('EINVAL', `seccomp: filter ${filter} has ${n} instructions; the kernel takes 1 to ${L.MAX_INSNS} (BPF_MAXINSNS)`);
  }
  const ins = instructions(bytes.subarray(pc * 8, pc * 8 + 8))[0]!;
  const at = `seccomp: filter ${filter}, instruction ${pc} (code ${hex(ins.code)}, jt ${ins.jt}, jf ${ins.jf}, k ${ins.k})`;
  const why: Record<number, string> = {
    [L.R_OPCODE]: 'is not a classic BPF opcode',
    [L.R_DIV_ZERO]: 'divides by a constant 0',
    [L.R_SHIFT]: `shifts by ${ins.k}; a constant shift must be below 32`,
    [L.R_MEM_INDEX]: `uses M[${ins.k}]; scratch memory is M[0] to M[${L.MEM_WORDS - 1}]`,
    [L.R_JA_RANGE]: `jumps past the end of the program (${n} instructions); jumps go forward inside it`,
    [L.R_JCOND_RANGE]: `jumps past the end of the program (${n} instructions); jumps go forward inside it`,
    [L.R_NO_RET]: 'is the last and not a return (BPF_RET | BPF_K or BPF_A)',
    [L.R_MEM_UNSET]: `reads M[${ins.k}] on a path that has not stored it`,
    [L.R_SECCOMP_OPCODE]: 'is classic BPF that seccomp does not run (seccomp loads only words of seccomp_data: BPF_LD | BPF_W | BPF_ABS, and has no BPF_MOD)',
    [L.R_SECCOMP_LOAD]: `loads offset ${ins.k}; seccomp_data loads are 4-byte aligned and below ${L.DATA_BYTES}`,
  };
  return new SystabError('EINVAL', `${at} ${why[reason] ?? `is refused (reason ${reason})`} (the kernel answers EINVAL)`);
}
