// F and D extensions, computed with JS doubles (Math.fround for single
// precision). Registers are 64-bit raw slots; singles are NaN-boxed (upper
// word all ones). Exception flags are not tracked: fflags reads as 0.
import { setFromNumber, toBig, setFromBig } from './alu64.js';

export class Fpu {
  readonly raw = new ArrayBuffer(32 * 8);
  readonly d = new Float64Array(this.raw);
  readonly s = new Float32Array(this.raw); // single of register r at index 2r
  readonly w = new Int32Array(this.raw); // words 2r (low), 2r+1 (high)
  frm = 0;

  getS(r: number): number {
    return this.w[2 * r + 1] === -1 ? this.s[2 * r] : NaN; // improperly boxed: canonical NaN
  }
  setS(r: number, v: number): void {
    this.s[2 * r] = v;
    this.w[2 * r + 1] = -1;
  }
}

const CLASS = (v: number, neg: boolean, sub: boolean): number => {
  if (Number.isNaN(v)) return 1 << 9; // quiet NaN
  if (v === Infinity) return 1 << 7;
  if (v === -Infinity) return 1 << 0;
  if (v === 0) return neg ? 1 << 3 : 1 << 4;
  if (sub) return neg ? 1 << 2 : 1 << 5;
  return neg ? 1 << 1 : 1 << 6;
};

function round(v: number, rm: number): number {
  switch (rm) {
    case 1: return Math.trunc(v);
    case 2: return Math.floor(v);
    case 3: return Math.ceil(v);
    case 4: return v < 0 ? -Math.round(-v) : Math.round(v);
    default: { // round to nearest, ties to even
      const f = Math.floor(v);
      const diff = v - f;
      if (diff < 0.5) return f;
      if (diff > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/** float -> integer with RISC-V saturation; kind: 0 W, 1 WU, 2 L, 3 LU. */
function toInt(lo: Int32Array, hi: Int32Array, rd: number, v: number, rm: number, kind: number): void {
  const [min, max] = [[-2147483648, 2147483647], [0, 4294967295], [-(2 ** 63), 2 ** 63], [0, 2 ** 64]][kind];
  let x = Number.isNaN(v) ? Infinity : round(v, rm);
  if (kind < 2) {
    x = Math.min(Math.max(x, min), max);
    setFromNumber(lo, hi, rd, kind === 1 ? x | 0 : x); // WU is sign-extended from 32 bits too
    return;
  }
  let b: bigint;
  if (x >= max) b = kind === 2 ? (1n << 63n) - 1n : -1n;
  else if (x < min) b = kind === 2 ? -(1n << 63n) : 0n;
  else b = BigInt(x);
  setFromBig(lo, hi, rd, b);
}

/** integer -> float; kind: 0 W, 1 WU, 2 L, 3 LU. */
function fromInt(lo: Int32Array, hi: Int32Array, rs: number, kind: number): number {
  switch (kind) {
    case 0: return lo[rs];
    case 1: return lo[rs] >>> 0;
    case 2: return Number(toBig(lo, hi, rs));
    default: return Number(BigInt.asUintN(64, toBig(lo, hi, rs)));
  }
}

/** Executes one OP-FP (0x53) or fused multiply-add (0x43..0x4f) instruction. Returns false if illegal. */
export function execFp(f: Fpu, lo: Int32Array, hi: Int32Array, inst: number): boolean {
  const opc = inst & 0x7f;
  const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, rs2 = (inst >> 20) & 31;
  const f3 = (inst >> 12) & 7;
  const rm = f3 === 7 ? f.frm : f3;
  const fmt = (inst >>> 25) & 3; // 0 single, 1 double
  if (fmt > 1) return false;
  const dbl = fmt === 1;
  const get = (r: number): number => (dbl ? f.d[r] : f.getS(r));
  const put = (r: number, v: number): void => { if (dbl) f.d[r] = v; else f.setS(r, v); };
  if (opc !== 0x53) {
    const a = get(rs1), b = get(rs2), c = get((inst >>> 27) & 31);
    switch (opc) {
      case 0x43: put(rd, a * b + c); return true; // FMADD
      case 0x47: put(rd, a * b - c); return true; // FMSUB
      case 0x4b: put(rd, -(a * b) + c); return true; // FNMSUB
      default: put(rd, -(a * b) - c); return true; // FNMADD
    }
  }
  const f7 = inst >>> 25;
  switch (f7 >> 2) {
    case 0x00: put(rd, get(rs1) + get(rs2)); return true;
    case 0x01: put(rd, get(rs1) - get(rs2)); return true;
    case 0x02: put(rd, get(rs1) * get(rs2)); return true;
    case 0x03: put(rd, get(rs1) / get(rs2)); return true;
    case 0x0b: put(rd, Math.sqrt(get(rs1))); return true;
    case 0x04: { // FSGNJ, FSGNJN, FSGNJX on raw sign bits
      const hiA = dbl ? 2 * rs1 + 1 : 2 * rs1, hiB = dbl ? 2 * rs2 + 1 : 2 * rs2, hiD = dbl ? 2 * rd + 1 : 2 * rd;
      const a = f.w[hiA], sb = f.w[hiB] & 0x80000000;
      const low = f.w[2 * rs1];
      const sign = f3 === 0 ? sb : f3 === 1 ? sb ^ 0x80000000 : (a ^ f.w[hiB]) & 0x80000000;
      if (dbl) f.w[2 * rd] = low;
      f.w[hiD] = (a & 0x7fffffff) | sign;
      if (!dbl) f.w[2 * rd + 1] = -1;
      return true;
    }
    case 0x05: { // FMIN, FMAX
      const a = get(rs1), b = get(rs2);
      let v: number;
      if (Number.isNaN(a)) v = b; else if (Number.isNaN(b)) v = a;
      else if (a === b) v = f3 === 0 ? (Object.is(a, -0) ? a : b) : (Object.is(a, -0) ? b : a);
      else v = f3 === 0 ? Math.min(a, b) : Math.max(a, b);
      put(rd, v);
      return true;
    }
    case 0x08: // FCVT.S.D, FCVT.D.S
      if (dbl) f.d[rd] = f.getS(rs1); else f.setS(rd, f.d[rs1]);
      return true;
    case 0x14: { // FLE, FLT, FEQ
      const a = get(rs1), b = get(rs2);
      const r = f3 === 0 ? a <= b : f3 === 1 ? a < b : a === b;
      lo[rd] = r ? 1 : 0; hi[rd] = 0;
      return true;
    }
    case 0x18: toInt(lo, hi, rd, get(rs1), rm, rs2); return true; // FCVT.{W,WU,L,LU}.fmt
    case 0x1a: put(rd, fromInt(lo, hi, rs1, rs2)); return true; // FCVT.fmt.{W,WU,L,LU}
    case 0x1c: // FMV.X.{W,D}, FCLASS
      if (f3 === 0) {
        if (dbl) { lo[rd] = f.w[2 * rs1]; hi[rd] = f.w[2 * rs1 + 1]; }
        else { lo[rd] = f.w[2 * rs1]; hi[rd] = f.w[2 * rs1] >> 31; }
      } else {
        const v = get(rs1);
        const top = dbl ? f.w[2 * rs1 + 1] : f.w[2 * rs1];
        const expZero = dbl ? (top & 0x7ff00000) === 0 : (top & 0x7f800000) === 0;
        lo[rd] = CLASS(v, top < 0, expZero && v !== 0); hi[rd] = 0;
      }
      return true;
    case 0x1e: // FMV.{W,D}.X
      f.w[2 * rd] = lo[rs1];
      f.w[2 * rd + 1] = dbl ? hi[rs1] : -1;
      return true;
  }
  return false;
}
