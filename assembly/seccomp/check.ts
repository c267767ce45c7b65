// The checks Linux makes before it accepts a seccomp filter, in its order:
// bpf_check_classic (net/core/filter.c: known opcodes, constant divisors and
// shifts, M[] indices, jumps in range, a return last, then no M[] read before
// a write on any path) and seccomp_check_filter (kernel/seccomp.c: the
// seccomp subset, loads only of aligned words inside seccomp_data). Written
// from reading them; the kernel itself is the test's oracle.
import * as L from './layout';
import * as O from './opcodes';

function classicCode(c: u32): bool {
  switch (c) {
    case O.ADD_K: case O.ADD_X: case O.SUB_K: case O.SUB_X: case O.MUL_K: case O.MUL_X:
    case O.DIV_K: case O.DIV_X: case O.MOD_K: case O.MOD_X: case O.AND_K: case O.AND_X:
    case O.OR_K: case O.OR_X: case O.XOR_K: case O.XOR_X: case O.LSH_K: case O.LSH_X:
    case O.RSH_K: case O.RSH_X: case O.NEG:
    case O.LD_W_ABS: case O.LD_H_ABS: case O.LD_B_ABS: case O.LD_W_LEN: case O.LD_W_IND:
    case O.LD_H_IND: case O.LD_B_IND: case O.LD_IMM: case O.LD_MEM:
    case O.LDX_W_LEN: case O.LDX_B_MSH: case O.LDX_IMM: case O.LDX_MEM:
    case O.ST: case O.STX: case O.TAX: case O.TXA: case O.RET_K: case O.RET_A:
    case O.JA: case O.JEQ_K: case O.JEQ_X: case O.JGE_K: case O.JGE_X:
    case O.JGT_K: case O.JGT_X: case O.JSET_K: case O.JSET_X:
      return true;
  }
  return false;
}

/** seccomp_check_filter's list: the classic codes seccomp runs (no MOD, no packet loads but LD W ABS). */
function seccompCode(c: u32): bool {
  switch (c) {
    case O.LD_W_ABS: case O.LD_W_LEN: case O.LDX_W_LEN:
    case O.RET_K: case O.RET_A:
    case O.ADD_K: case O.ADD_X: case O.SUB_K: case O.SUB_X: case O.MUL_K: case O.MUL_X:
    case O.DIV_K: case O.DIV_X: case O.AND_K: case O.AND_X: case O.OR_K: case O.OR_X:
    case O.XOR_K: case O.XOR_X: case O.LSH_K: case O.LSH_X: case O.RSH_K: case O.RSH_X:
    case O.NEG: case O.LD_IMM: case O.LDX_IMM: case O.TAX: case O.TXA:
    case O.LD_MEM: case O.LDX_MEM: case O.ST: case O.STX:
    case O.JA: case O.JEQ_K: case O.JEQ_X: case O.JGE_K: case O.JGE_X:
    case O.JGT_K: case O.JGT_X: case O.JSET_K: case O.JSET_X:
      return true;
  }
  return false;
}

// @ts-ignore: decorator
@inline function fail(reason: u32, pc: u32): u32 {
  return (reason << 16) | pc;
}

/**
 * 0 when the kernel would accept the program at `p` (`len` instructions),
 * else (reason << 16) | the index of the instruction refused. `masks` is
 * scratch for 2 * len bytes.
 */
export function checkProgram(p: usize, len: u32, masks: usize): u32 {
  if (len == 0 || len > <u32>L.MAX_INSNS) return fail(L.R_LENGTH, 0);
  for (let pc: u32 = 0; pc < len; pc++) {
    const c = O.code(p, pc);
    const k = O.kOf(p, pc);
    if (!classicCode(c)) return fail(L.R_OPCODE, pc);
    if ((c == O.DIV_K || c == O.MOD_K) && k == 0) return fail(L.R_DIV_ZERO, pc);
    if ((c == O.LSH_K || c == O.RSH_K) && k >= 32) return fail(L.R_SHIFT, pc);
    if ((c == O.LD_MEM || c == O.LDX_MEM || c == O.ST || c == O.STX) && k >= <u32>L.MEM_WORDS) return fail(L.R_MEM_INDEX, pc);
    if (c == O.JA && k >= len - pc - 1) return fail(L.R_JA_RANGE, pc);
    if (O.isCondJump(c) && (pc + O.jt(p, pc) + 1 >= len || pc + O.jf(p, pc) + 1 >= len)) return fail(L.R_JCOND_RANGE, pc);
  }
  const last = O.code(p, len - 1);
  if (last != O.RET_K && last != O.RET_A) return fail(L.R_NO_RET, len - 1);
  const unset = memUnset(p, len, masks);
  if (unset >= 0) return fail(L.R_MEM_UNSET, <u32>unset);
  for (let pc: u32 = 0; pc < len; pc++) {
    const c = O.code(p, pc);
    if (!seccompCode(c)) return fail(L.R_SECCOMP_OPCODE, pc);
    if (c == O.LD_W_ABS) {
      const k = O.kOf(p, pc);
      if (k >= <u32>L.DATA_BYTES || (k & 3) != 0) return fail(L.R_SECCOMP_LOAD, pc);
    }
  }
  return 0;
}

/**
 * The kernel's walk for M[] reads (check_load_and_stores): one pass in order,
 * the cells valid so far meet those of every jump into an instruction. As in
 * the kernel, the state flows on past a return, and unreachable code is
 * checked too. The index of the first bad read, or -1.
 */
function memUnset(p: usize, len: u32, masks: usize): i32 {
  for (let i: u32 = 0; i < len; i++) store<u16>(masks + (<usize>i << 1), 0xffff);
  let valid: u32 = 0;
  for (let pc: u32 = 0; pc < len; pc++) {
    valid &= <u32>load<u16>(masks + (<usize>pc << 1));
    const c = O.code(p, pc);
    const k = O.kOf(p, pc);
    if (c == O.ST || c == O.STX) {
      valid |= 1 << k;
    } else if (c == O.LD_MEM || c == O.LDX_MEM) {
      if ((valid & (1 << k)) == 0) return <i32>pc;
    } else if (c == O.JA) {
      meet(masks, pc + 1 + k, valid);
      valid = 0xffff;
    } else if (O.isCondJump(c)) {
      meet(masks, pc + 1 + O.jt(p, pc), valid);
      meet(masks, pc + 1 + O.jf(p, pc), valid);
      valid = 0xffff;
    }
  }
  return -1;
}

// @ts-ignore: decorator
@inline function meet(masks: usize, at: u32, valid: u32): void {
  const a = masks + (<usize>at << 1);
  store<u16>(a, <u32>load<u16>(a) & valid);
}

/**
 * The length the kernel counts against MAX_INSNS_PER_PATH: its eBPF
 * translation's (bpf_convert_filter after seccomp's rewrite), since
 * seccomp_attach_filter sums prog->len after the migration. 3 for the
 * prologue; a return of K 2, of A 1; a division by X 5 (the zero check); a
 * conditional jump 2 unless one way falls through (JSET: only jf), 1 more
 * for a constant K with bit 31 set; everything else 1.
 */
export function kernelLength(p: usize, len: u32): u32 {
  let n: u32 = 3;
  for (let pc: u32 = 0; pc < len; pc++) {
    const c = O.code(p, pc);
    if (c == O.RET_K) n += 2;
    else if (c == O.DIV_X) n += 5;
    else if (O.isCondJump(c)) {
      if ((c & 0x08) == 0 && <i32>O.kOf(p, pc) < 0) n++;
      const jt = O.jt(p, pc);
      const jf = O.jf(p, pc);
      n += jf == 0 || (jt == 0 && (c & 0xf0) != 0x40) ? 1 : 2;
    } else n++;
  }
  return n;
}
