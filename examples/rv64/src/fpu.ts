// F and D extensions. Fast paths compute with JS doubles (Math.fround for
// singles: double rounding is innocuous for +, -, *, /, sqrt since 53 >=
// 2*24 + 2) and prove exactness with error-free transformations, so NX is
// exact; anything they cannot prove (NaN and infinite operands or results,
// tiny results, directed rounding modes) goes to the exact BigInt model in
// fpu-exact.ts, which also raises NV, DZ, OF and UF.
import { DOUBLE, exact, NV, NX, SINGLE, convert, ADD, SUB, MUL, DIV, SQRT, FMADD } from './fpu-exact.js';
import { fmaDouble, fmaInexact, fmaSingle, productError, TINY_D } from './fpu-eft.js';
import { fromIntegerReg, toInteger } from './fpu-convert.js';
import { type Fpu, formatOf } from './fpu-regs.js';

export { Fpu } from './fpu-regs.js';

const MIN_NORMAL_S = 2 ** -126;

/** The operation through the exact model: raw bits in, raw bits and flags out. */
function slow(f: Fpu, op: number, dbl: boolean, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  const r = exact(op, formatOf(dbl), f.bits(rs1, dbl), f.bits(rs2, dbl), f.bits(rs3, dbl), rm);
  f.flags |= r.flags;
  f.setBits(rd, dbl, r.bits);
  return true;
}

/**
 * FADD, FSUB, FMUL, FDIV, FSQRT of doubles at round-to-nearest. NX is sticky:
 * while it is set (programs rarely clear it) the exactness proofs are skipped.
 */
function arithD(f: Fpu, op: number, rd: number, rs1: number, rs2: number): boolean {
  const d = f.d, a = d[rs1], exact = (f.flags & NX) === 0;
  let b = d[rs2];
  switch (op) {
    case SUB: b = -b; // falls through: a NaN b goes slow with its raw bits
    case ADD: {
      const s = a + b;
      if (s - s !== 0) break;
      if (exact) {
        const bb = s - a, err = (a - (s - bb)) + (b - bb);
        if (err !== 0) { if (err - err !== 0) break; f.flags |= NX; }
      }
      d[rd] = s;
      return true;
    }
    case MUL: {
      const p = a * b;
      if (p - p === 0 && (p > TINY_D || p < -TINY_D)) {
        if (exact) {
          const err = productError(a, b, p);
          if (err !== 0) { if (err - err !== 0) break; f.flags |= NX; }
        }
      } else if (!(p === 0 && (a === 0 || b === 0))) break;
      d[rd] = p;
      return true;
    }
    case DIV: {
      const q = a / b;
      if (q - q === 0 && (q > TINY_D || q < -TINY_D) && (a > TINY_D || a < -TINY_D)) {
        if (exact) {
          const p = q * b, err = productError(q, b, p);
          if (err !== 0 || p !== a) { if (err - err !== 0) break; f.flags |= NX; }
        }
      } else if (!(a === 0 && b !== 0 && b - b === 0)) break;
      d[rd] = q;
      return true;
    }
    default: { // SQRT
      if (a > TINY_D && a < Infinity) {
        const r = Math.sqrt(a);
        if (exact) { const p = r * r; if (p !== a || productError(r, r, p) !== 0) f.flags |= NX; }
        d[rd] = r;
        return true;
      }
      if (a === 0) { d[rd] = a; return true; } // sqrt(-0) = -0
    }
  }
  return slow(f, op, true, rd, rs1, rs2, 0, 0);
}

/** The same for singles (operands and products of singles are exact in doubles). */
function arithS(f: Fpu, op: number, rd: number, rs1: number, rs2: number): boolean {
  const a = f.getS(rs1);
  let b = f.getS(rs2);
  let r: number;
  switch (op) {
    case SUB: b = -b; // falls through
    case ADD: {
      const s = a + b;
      r = Math.fround(s);
      if (r - r !== 0) break;
      if ((f.flags & NX) === 0) {
        const bb = s - a, err = (a - (s - bb)) + (b - bb);
        if (err !== 0 || r !== s) f.flags |= NX; // a sum of singles in the subnormal range is exact
      }
      f.s[2 * rd] = r; f.w[2 * rd + 1] = -1;
      return true;
    }
    case MUL: {
      const p = a * b;
      r = Math.fround(p);
      if (!(r - r === 0 && (r > MIN_NORMAL_S || r < -MIN_NORMAL_S || p === 0))) break;
      if (r !== p) f.flags |= NX;
      f.s[2 * rd] = r; f.w[2 * rd + 1] = -1;
      return true;
    }
    case DIV: {
      const q = a / b;
      r = Math.fround(q);
      if (r - r === 0 && (r > MIN_NORMAL_S || r < -MIN_NORMAL_S)) {
        if (r * b !== a) f.flags |= NX;
      } else if (!(a === 0 && b !== 0 && b - b === 0)) break;
      f.s[2 * rd] = r; f.w[2 * rd + 1] = -1;
      return true;
    }
    default: { // SQRT
      if (a > 0 && a < Infinity) r = Math.fround(Math.sqrt(a));
      else if (a === 0) r = a;
      else break;
      if (r * r !== a) f.flags |= NX;
      f.s[2 * rd] = r; f.w[2 * rd + 1] = -1;
      return true;
    }
  }
  return slow(f, op, false, rd, rs1, rs2, 0, 0);
}

/** FMADD, FMSUB, FNMSUB, FNMADD (opcode bits 3:2 = 0..3), rounded once. */
function fused(f: Fpu, inst: number, dbl: boolean, rm: number): boolean {
  const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, rs2 = (inst >> 20) & 31, rs3 = (inst >>> 27) & 31;
  const kind = (inst >> 2) & 3;
  if (rm === 0) {
    let a = dbl ? f.d[rs1] : f.getS(rs1);
    const b = dbl ? f.d[rs2] : f.getS(rs2);
    let c = dbl ? f.d[rs3] : f.getS(rs3);
    if (kind >= 2) a = -a; // FNMSUB, FNMADD: -(a*b)
    if (kind === 1 || kind === 3) c = -c; // FMSUB, FNMADD: -c
    const r = dbl ? fmaDouble(a, b, c) : fmaSingle(a, b, c);
    if (r === r) {
      if (fmaInexact) f.flags |= NX;
      if (dbl) f.d[rd] = r; else { f.s[2 * rd] = r; f.w[2 * rd + 1] = -1; }
      return true;
    }
  }
  return slow(f, FMADD + kind, dbl, rd, rs1, rs2, rs3, rm);
}

/** FMIN, FMAX: IEEE 754-2019 minimumNumber/maximumNumber (a NaN loses; -0 < +0). */
function minMax(f: Fpu, dbl: boolean, rd: number, rs1: number, rs2: number, max: boolean): void {
  const a = dbl ? f.d[rs1] : f.getS(rs1), b = dbl ? f.d[rs2] : f.getS(rs2);
  let v: number;
  if (a !== a || b !== b) {
    if (f.isSignalling(rs1, dbl) || f.isSignalling(rs2, dbl)) f.flags |= NV;
    v = a !== a ? b : a; // both NaN: NaN, written as the canonical one
  } else if (a === b) v = (Object.is(a, -0) !== max) ? a : b;
  else v = max ? Math.max(a, b) : Math.min(a, b);
  if (dbl) f.setD(rd, v); else f.setS(rd, v);
}

/** FCLASS from the raw bits: one of ten classes, signalling and quiet NaN apart. */
function fclass(f: Fpu, r: number, dbl: boolean): number {
  let neg: boolean, expAll: boolean, expZero: boolean, fracZero: boolean, quiet: boolean;
  if (dbl) {
    const h = f.w[2 * r + 1], l = f.w[2 * r];
    neg = h < 0; expAll = (h & 0x7ff00000) === 0x7ff00000; expZero = (h & 0x7ff00000) === 0;
    fracZero = ((h & 0xfffff) | l) === 0; quiet = (h & 0x80000) !== 0;
  } else {
    const x = f.wordS(r);
    neg = x < 0; expAll = (x & 0x7f800000) === 0x7f800000; expZero = (x & 0x7f800000) === 0;
    fracZero = (x & 0x7fffff) === 0; quiet = (x & 0x400000) !== 0;
  }
  if (expAll) return fracZero ? (neg ? 1 << 0 : 1 << 7) : quiet ? 1 << 9 : 1 << 8;
  if (expZero) return fracZero ? (neg ? 1 << 3 : 1 << 4) : neg ? 1 << 2 : 1 << 5;
  return neg ? 1 << 1 : 1 << 6;
}

/** FSGNJ, FSGNJN, FSGNJX on raw bits (a single's improperly boxed operand is the canonical NaN). */
function signInject(f: Fpu, dbl: boolean, rd: number, rs1: number, rs2: number, f3: number): void {
  const w = f.w;
  const a = dbl ? w[2 * rs1 + 1] : f.wordS(rs1), b = dbl ? w[2 * rs2 + 1] : f.wordS(rs2);
  const sign = f3 === 0 ? b & 0x80000000 : f3 === 1 ? ~b & 0x80000000 : (a ^ b) & 0x80000000;
  const top = (a & 0x7fffffff) | sign;
  if (dbl) { w[2 * rd] = w[2 * rs1]; w[2 * rd + 1] = top; } else { w[2 * rd] = top; w[2 * rd + 1] = -1; }
}

/** FEQ (quiet: NV only for a signalling NaN), FLT and FLE (signalling: NV for any NaN). */
function compare(f: Fpu, dbl: boolean, rs1: number, rs2: number, f3: number): number {
  const a = dbl ? f.d[rs1] : f.getS(rs1), b = dbl ? f.d[rs2] : f.getS(rs2);
  if (a !== a || b !== b) {
    if (f3 !== 2 || f.isSignalling(rs1, dbl) || f.isSignalling(rs2, dbl)) f.flags |= NV;
    return 0;
  }
  return (f3 === 0 ? a <= b : f3 === 1 ? a < b : a === b) ? 1 : 0;
}

/** FCVT.S.D and FCVT.D.S. */
function convertFormat(f: Fpu, toDouble: boolean, rd: number, rs1: number, rm: number): void {
  if (toDouble) { // exact, but a NaN becomes canonical and a signalling one raises NV
    const a = f.getS(rs1);
    if (a !== a && f.isSignalling(rs1, false)) f.flags |= NV;
    f.setD(rd, a);
    return;
  }
  const a = f.d[rs1];
  if (rm === 0) {
    const r = Math.fround(a);
    if (r - r === 0 && (r > MIN_NORMAL_S || r < -MIN_NORMAL_S || a === 0)) {
      if (r !== a) f.flags |= NX;
      f.s[2 * rd] = r; f.w[2 * rd + 1] = -1;
      return;
    }
  }
  const r = convert(DOUBLE, SINGLE, f.bits(rs1, true), rm);
  f.flags |= r.flags;
  f.setBits(rd, false, r.bits);
}

/** Executes one OP-FP (0x53) or fused multiply-add (0x43..0x4f) instruction. Returns false if illegal. */
export function execFp(f: Fpu, lo: Int32Array, hi: Int32Array, inst: number): boolean {
  const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, rs2 = (inst >> 20) & 31;
  const f3 = (inst >> 12) & 7;
  const rm = f3 === 7 ? f.frm : f3; // only for the instructions that round; > 4 is reserved
  // The hot path: FADD/FSUB/FMUL/FDIV to nearest once NX is set (it is sticky, and nothing else can be
  // raised by a finite result above the tiny range): the host's operation is the answer.
  if ((inst & 0xe400007f) === 0x53 && rm === 0 && (f.flags & NX) !== 0) {
    const f5 = inst >>> 27;
    if ((inst & 0x02000000) !== 0) {
      const d = f.d, a = d[rs1], b = d[rs2];
      const r = f5 === 0 ? a + b : f5 === 1 ? a - b : f5 === 2 ? a * b : a / b;
      if (r - r === 0 && (r > TINY_D || r < -TINY_D)) { d[rd] = r; return true; }
    } else {
      const a = f.getS(rs1), b = f.getS(rs2);
      const r = Math.fround(f5 === 0 ? a + b : f5 === 1 ? a - b : f5 === 2 ? a * b : a / b);
      if (r - r === 0 && (r > MIN_NORMAL_S || r < -MIN_NORMAL_S)) { f.s[2 * rd] = r; f.w[2 * rd + 1] = -1; return true; }
    }
  }
  const fmt = (inst >>> 25) & 3; // 0 single, 1 double
  if (fmt > 1) return false;
  const dbl = fmt === 1;
  if ((inst & 0x7f) !== 0x53) return rm <= 4 && fused(f, inst, dbl, rm);
  const f5 = inst >>> 27;
  switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: { // FADD, FSUB, FMUL, FDIV, FSQRT
      if (rm > 4 || (f5 === 0x0b && rs2 !== 0)) return false;
      const op = f5 === 0x0b ? SQRT : f5; // ADD, SUB, MUL, DIV are 0..3 like f5
      if (rm !== 0) return slow(f, op, dbl, rd, rs1, rs2, 0, rm);
      return dbl ? arithD(f, op, rd, rs1, rs2) : arithS(f, op, rd, rs1, rs2);
    }
    case 0x04: // FSGNJ, FSGNJN, FSGNJX
      if (f3 > 2) return false;
      signInject(f, dbl, rd, rs1, rs2, f3);
      return true;
    case 0x05: // FMIN, FMAX
      if (f3 > 1) return false;
      minMax(f, dbl, rd, rs1, rs2, f3 === 1);
      return true;
    case 0x08: // FCVT.S.D (rs2 1), FCVT.D.S (rs2 0)
      if (rm > 4 || rs2 !== (dbl ? 0 : 1)) return false;
      convertFormat(f, dbl, rd, rs1, rm);
      return true;
    case 0x14: // FLE, FLT, FEQ
      if (f3 > 2) return false;
      lo[rd] = compare(f, dbl, rs1, rs2, f3); hi[rd] = 0;
      return true;
    case 0x18: // FCVT.{W,WU,L,LU}.fmt
      if (rm > 4 || rs2 > 3) return false;
      toInteger(f, lo, hi, rd, dbl ? f.d[rs1] : f.getS(rs1), rm, rs2);
      return true;
    case 0x1a: // FCVT.fmt.{W,WU,L,LU}
      if (rm > 4 || rs2 > 3) return false;
      fromIntegerReg(f, lo, hi, rd, rs1, rm, rs2, dbl);
      return true;
    case 0x1c: // FMV.X.{W,D} (raw bits, no NaN-box check), FCLASS
      if (rs2 !== 0) return false;
      if (f3 === 0) {
        lo[rd] = f.w[2 * rs1];
        hi[rd] = dbl ? f.w[2 * rs1 + 1] : f.w[2 * rs1] >> 31;
      } else if (f3 === 1) {
        lo[rd] = fclass(f, rs1, dbl); hi[rd] = 0;
      } else return false;
      return true;
    case 0x1e: // FMV.{W,D}.X
      if (rs2 !== 0 || f3 !== 0) return false;
      f.w[2 * rd] = lo[rs1];
      f.w[2 * rd + 1] = dbl ? hi[rs1] : -1;
      return true;
  }
  return false;
}
