// Classic BPF opcodes (include/uapi/linux/filter.h, bpf_common.h): class |
// size | mode for loads, class | op | source for ALU and jumps.
export const LD_W_ABS: u32 = 0x20;
export const LD_H_ABS: u32 = 0x28;
export const LD_B_ABS: u32 = 0x30;
export const LD_W_IND: u32 = 0x40;
export const LD_H_IND: u32 = 0x48;
export const LD_B_IND: u32 = 0x50;
export const LD_W_LEN: u32 = 0x80;
export const LD_IMM: u32 = 0x00;
export const LD_MEM: u32 = 0x60;
export const LDX_W_LEN: u32 = 0x81;
export const LDX_B_MSH: u32 = 0xb1;
export const LDX_IMM: u32 = 0x01;
export const LDX_MEM: u32 = 0x61;
export const ST: u32 = 0x02;
export const STX: u32 = 0x03;
export const TAX: u32 = 0x07;
export const TXA: u32 = 0x87;
export const RET_K: u32 = 0x06;
export const RET_A: u32 = 0x16;
export const JA: u32 = 0x05;
export const JEQ_K: u32 = 0x15;
export const JEQ_X: u32 = 0x1d;
export const JGT_K: u32 = 0x25;
export const JGT_X: u32 = 0x2d;
export const JGE_K: u32 = 0x35;
export const JGE_X: u32 = 0x3d;
export const JSET_K: u32 = 0x45;
export const JSET_X: u32 = 0x4d;
// ALU: 0x04 | op | source (K 0x00, X 0x08).
export const ADD_K: u32 = 0x04;
export const ADD_X: u32 = 0x0c;
export const SUB_K: u32 = 0x14;
export const SUB_X: u32 = 0x1c;
export const MUL_K: u32 = 0x24;
export const MUL_X: u32 = 0x2c;
export const DIV_K: u32 = 0x34;
export const DIV_X: u32 = 0x3c;
export const OR_K: u32 = 0x44;
export const OR_X: u32 = 0x4c;
export const AND_K: u32 = 0x54;
export const AND_X: u32 = 0x5c;
export const LSH_K: u32 = 0x64;
export const LSH_X: u32 = 0x6c;
export const RSH_K: u32 = 0x74;
export const RSH_X: u32 = 0x7c;
export const NEG: u32 = 0x84;
export const MOD_K: u32 = 0x94;
export const MOD_X: u32 = 0x9c;
export const XOR_K: u32 = 0xa4;
export const XOR_X: u32 = 0xac;

// seccomp actions (include/uapi/linux/seccomp.h).
export const RET_ALLOW: u32 = 0x7fff0000;
export const RET_ERRNO: u32 = 0x00050000;
export const ACTION_FULL: u32 = 0xffff0000;
export const RET_DATA: u32 = 0x0000ffff;
export const MAX_ERRNO: u32 = 4095;

/** Jump instructions with both a jt and a jf. */
export function isCondJump(code: u32): bool {
  return code == JEQ_K || code == JEQ_X || code == JGT_K || code == JGT_X || code == JGE_K || code == JGE_X || code == JSET_K || code == JSET_X;
}

/** The instruction at `i` of the program at `p`. */
// @ts-ignore: decorator
@inline export function code(p: usize, i: u32): u32 {
  return <u32>load<u16>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline export function jt(p: usize, i: u32): u32 {
  return <u32>load<u8>(p + (<usize>i << 3), 2);
}
// @ts-ignore: decorator
@inline export function jf(p: usize, i: u32): u32 {
  return <u32>load<u8>(p + (<usize>i << 3), 3);
}
// @ts-ignore: decorator
@inline export function kOf(p: usize, i: u32): u32 {
  return load<u32>(p + (<usize>i << 3), 4);
}

/** One filter's result as it weighs in the stack: ALLOW-or-above is plain ALLOW, ERRNO's data is capped. */
export function normalise(r: u32): u32 {
  const act = r & ACTION_FULL;
  if (<i32>act >= <i32>RET_ALLOW) return RET_ALLOW;
  if (act == RET_ERRNO && (r & RET_DATA) > MAX_ERRNO) return RET_ERRNO | MAX_ERRNO;
  return r;
}
