// FCVT between floating point and integers, with every rounding mode. Float
// to integer saturates as RISC-V specifies (NaN and too large: the largest
// value; too small: the smallest) and raises NV then, NX when rounding
// changed an in-range value. Integer to float rounds per rm, NX when inexact.
import { setFromBig, setFromNumber, toBig } from './alu64.js';
import { fromInteger, NV, NX, RDN, RMM, RTZ, RUP } from './fpu-exact.js';
import { formatOf, type Fpu } from './fpu-regs.js';

const TWO32 = 4294967296;

/** v (finite) rounded to an integer per rm. */
function roundInt(v: number, rm: number): number {
  switch (rm) {
    case RTZ: return Math.trunc(v);
    case RDN: return Math.floor(v);
    case RUP: return Math.ceil(v);
    case RMM: return v < 0 ? -Math.round(-v) : Math.round(v);
    default: { // to nearest, ties to even
      const f = Math.floor(v);
      const diff = v - f;
      if (diff < 0.5) return f;
      if (diff > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

// kind (the rs2 field): 0 W, 1 WU, 2 L, 3 LU
const MIN = [-2147483648, 0, -(2 ** 63), 0];
const MAX = [2147483647, 4294967295, 2 ** 63, 2 ** 64]; // L, LU: exclusive bounds

/** FCVT.{W,WU,L,LU}.fmt: v into x[rd]. */
export function toInteger(f: Fpu, lo: Int32Array, hi: Int32Array, rd: number, v: number, rm: number, kind: number): void {
  const min = MIN[kind], max = MAX[kind];
  const x = v === v && v - v === 0 ? roundInt(v, rm) : v;
  const wide = kind >= 2;
  let big: boolean; // saturate high
  if (x !== x) big = true;
  else if (x < min) big = false;
  else if (wide ? x >= max : x > max) big = true;
  else {
    if (x !== v) f.flags |= NX;
    if (kind === 1) setFromNumber(lo, hi, rd, x | 0); // WU is sign-extended from 32 bits too
    else if (x >= -9007199254740992 && x <= 9007199254740992) setFromNumber(lo, hi, rd, x);
    else setFromBig(lo, hi, rd, BigInt(x));
    return;
  }
  f.flags |= NV;
  switch (kind) {
    case 0: setFromNumber(lo, hi, rd, big ? 2147483647 : -2147483648); break;
    case 1: setFromNumber(lo, hi, rd, big ? -1 : 0); break;
    case 2: lo[rd] = big ? -1 : 0; hi[rd] = big ? 0x7fffffff : -0x80000000; break;
    default: lo[rd] = big ? -1 : 0; hi[rd] = big ? -1 : 0;
  }
}

/** FCVT.fmt.{W,WU,L,LU}: x[rs] into f[rd]. */
export function fromIntegerReg(f: Fpu, lo: Int32Array, hi: Int32Array, rd: number, rs: number, rm: number, kind: number, dbl: boolean): void {
  let v: number;
  switch (kind) {
    case 0: v = lo[rs]; break;
    case 1: v = lo[rs] >>> 0; break;
    case 2: v = hi[rs] >= -0x200000 && hi[rs] < 0x200000 ? hi[rs] * TWO32 + (lo[rs] >>> 0) : NaN; break;
    default: v = hi[rs] >= 0 && hi[rs] < 0x200000 ? hi[rs] * TWO32 + (lo[rs] >>> 0) : NaN;
  }
  if (v === v) { // exact in a double
    if (dbl) { f.d[rd] = v; return; }
    if (rm === 0) {
      const r = Math.fround(v);
      if (r !== v) f.flags |= NX;
      f.setS(rd, r);
      return;
    }
  }
  const b = kind === 2 ? toBig(lo, hi, rs) : kind === 3 ? BigInt.asUintN(64, toBig(lo, hi, rs)) : BigInt(v);
  const r = fromInteger(formatOf(dbl), b, rm);
  f.flags |= r.flags;
  f.setBits(rd, dbl, r.bits);
}
