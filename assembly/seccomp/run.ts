// The interpreter: one checked program over one struct seccomp_data, with
// the semantics of the kernel's translation of classic BPF (A and X start at
// 0; 32-bit unsigned arithmetic; a shift by X uses its low 5 bits; a division
// by X = 0 ends the program returning 0; BPF_LEN is sizeof(seccomp_data)).
// Only programs checkProgram accepted may run: jumps are trusted.
import * as L from './layout';
import * as O from './opcodes';

/** The program at `p` (`len` instructions) over the seccomp_data at `data`. */
export function runProgram(p: usize, len: u32, data: usize, mem: usize): u32 {
  let a: u32 = 0;
  let x: u32 = 0;
  let pc: u32 = 0;
  while (pc < len) {
    const at = p + (<usize>pc << 3);
    const c = <u32>load<u16>(at);
    const k = load<u32>(at, 4);
    pc++;
    switch (c) {
      case O.LD_W_ABS: a = load<u32>(data + <usize>k); break;
      case O.LD_W_LEN: a = L.DATA_BYTES; break;
      case O.LDX_W_LEN: x = L.DATA_BYTES; break;
      case O.LD_IMM: a = k; break;
      case O.LDX_IMM: x = k; break;
      case O.LD_MEM: a = load<u32>(mem + (<usize>k << 2)); break;
      case O.LDX_MEM: x = load<u32>(mem + (<usize>k << 2)); break;
      case O.ST: store<u32>(mem + (<usize>k << 2), a); break;
      case O.STX: store<u32>(mem + (<usize>k << 2), x); break;
      case O.TAX: x = a; break;
      case O.TXA: a = x; break;
      case O.ADD_K: a += k; break;
      case O.ADD_X: a += x; break;
      case O.SUB_K: a -= k; break;
      case O.SUB_X: a -= x; break;
      case O.MUL_K: a *= k; break;
      case O.MUL_X: a *= x; break;
      case O.DIV_K: a /= k; break;
      case O.DIV_X: if (x == 0) return 0; a /= x; break;
      case O.AND_K: a &= k; break;
      case O.AND_X: a &= x; break;
      case O.OR_K: a |= k; break;
      case O.OR_X: a |= x; break;
      case O.XOR_K: a ^= k; break;
      case O.XOR_X: a ^= x; break;
      case O.LSH_K: a <<= k; break;
      case O.LSH_X: a <<= x & 31; break;
      case O.RSH_K: a >>>= k; break;
      case O.RSH_X: a >>>= x & 31; break;
      case O.NEG: a = 0 - a; break;
      case O.JA: pc += k; break;
      case O.JEQ_K: pc += a == k ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JEQ_X: pc += a == x ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JGT_K: pc += a > k ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JGT_X: pc += a > x ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JGE_K: pc += a >= k ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JGE_X: pc += a >= x ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JSET_K: pc += (a & k) != 0 ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.JSET_X: pc += (a & x) != 0 ? O.jt(p, pc - 1) : O.jf(p, pc - 1); break;
      case O.RET_K: return k;
      case O.RET_A: return a;
      default: return 0; // unreachable for a checked program
    }
  }
  return 0;
}

/**
 * Every filter of the set at `set`, newest first, combined as the kernel's
 * seccomp_run_filters: the lowest action wins (compared as signed 32-bit
 * words), a tie keeps the newer filter's data; ERRNO's data capped at 4095.
 */
export function runSet(set: usize, data: usize, mem: usize): u32 {
  const n = load<u32>(set + (L.S_FILTERS << 2));
  let d = set + <usize>load<u32>(set + (L.S_DIR << 2));
  let ret = O.RET_ALLOW;
  for (let i: u32 = 0; i < n; i++) {
    const r = runProgram(set + <usize>load<u32>(d + (L.D_INSNS << 2)), load<u32>(d + (L.D_LEN << 2)), data, mem);
    if (<i32>(r & O.ACTION_FULL) < <i32>(ret & O.ACTION_FULL)) ret = r;
    d += L.D_WORDS << 2;
  }
  return O.normalise(ret);
}

/** The set's action for the seccomp_data at `data`, through section `sec`'s cache when the number is in it and proven. */
export function evaluateSet(set: usize, sec: u32, data: usize, mem: usize): u32 {
  const s = set + <usize>load<u32>(set + (L.S_SECTIONS << 2)) + (<usize>sec * (L.A_WORDS << 2));
  const i = load<u32>(data) - load<u32>(s + (L.A_BASE << 2));
  // The cache was proven for the section's arch value only.
  if (i < load<u32>(s + (L.A_COUNT << 2)) && load<u32>(data, 4) == load<u32>(s + (L.A_ARCH << 2))) {
    const c = load<u32>(set + <usize>load<u32>(s + (L.A_CACHE << 2)) + (<usize>i << 2));
    if (c != L.NOT_CONST) return c;
  }
  return runSet(set, data, mem);
}
