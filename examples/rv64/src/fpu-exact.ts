// The exact slow path of the F and D extensions: every operation on raw bits
// with BigInt arithmetic, every rounding mode, every fflags bit. The fast
// paths in fpu.ts hand over whatever they cannot prove exact (NaN, infinity,
// tiny or overflowing results, directed rounding); this file is the whole
// model on its own. RISC-V detects tininess after rounding; NaN results are
// the canonical quiet NaN (unprivileged ISA, chapter "F", sections on NaN
// generation and fflags).

/** fflags bits (fcsr[4:0]). */
export const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
/** Rounding modes (the rm field / frm). */
export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

/** A binary interchange format: precision p (with the hidden bit), exponent width, bias. */
export interface Format { p: number; ew: number; bias: number; nan: bigint }
export const SINGLE: Format = { p: 24, ew: 8, bias: 127, nan: 0x7fc00000n };
export const DOUBLE: Format = { p: 53, ew: 11, bias: 1023, nan: 0x7ff8000000000000n };

export const ZERO = 0, FINITE = 1, INF = 2, QNAN = 3, SNAN = 4;

/** A decoded operand: (-1)^neg * m * 2^e for ZERO and FINITE. */
export interface Unpacked { cls: number; neg: boolean; m: bigint; e: number }

/** The result of one operation: the raw bits and the flags it raises. */
export interface Result { bits: bigint; flags: number }

export function unpack(bits: bigint, f: Format): Unpacked {
  const frac = BigInt(f.p - 1), emask = (1 << f.ew) - 1;
  const neg = ((bits >> (frac + BigInt(f.ew))) & 1n) === 1n;
  const be = Number((bits >> frac) & BigInt(emask));
  const m = bits & ((1n << frac) - 1n);
  if (be === emask) {
    if (m === 0n) return { cls: INF, neg, m, e: 0 };
    return { cls: (m >> (frac - 1n)) === 1n ? QNAN : SNAN, neg, m, e: 0 };
  }
  if (be === 0) return { cls: m === 0n ? ZERO : FINITE, neg, m, e: 1 - f.bias - (f.p - 1) };
  return { cls: FINITE, neg, m: m | (1n << frac), e: be - f.bias - (f.p - 1) };
}

const signBit = (f: Format, neg: boolean): bigint => (neg ? 1n << BigInt(f.p + f.ew - 1) : 0n);
const infBits = (f: Format, neg: boolean): bigint => signBit(f, neg) | (BigInt((1 << f.ew) - 1) << BigInt(f.p - 1));
const zeroBits = (f: Format, neg: boolean): bigint => signBit(f, neg);

function bitLength(m: bigint): number {
  return m.toString(2).length;
}

/** m shifted right by sh bits and rounded per rm: [rounded, inexact]. */
function shiftRound(m: bigint, sh: number, neg: boolean, rm: number): [bigint, boolean] {
  if (sh <= 0) return [m << BigInt(-sh), false];
  const s = BigInt(sh);
  const t = m >> s, rest = m & ((1n << s) - 1n);
  if (rest === 0n) return [t, false];
  const half = 1n << (s - 1n);
  let up: boolean;
  switch (rm) {
    case RTZ: up = false; break;
    case RDN: up = neg; break;
    case RUP: up = !neg; break;
    case RMM: up = rest >= half; break;
    default: up = rest > half || (rest === half && (t & 1n) === 1n);
  }
  return [up ? t + 1n : t, true];
}

/**
 * Rounds (-1)^neg * m * 2^e (m > 0, exact) into format f. A caller with an
 * inexact value passes its bits with a sticky 1 appended below at least two
 * guard bits, so no rounding decision sees it as exact or as a tie.
 */
export function roundPack(f: Format, neg: boolean, m: bigint, e: number, rm: number): Result {
  const top = e + bitLength(m) - 1; // exponent of the leading bit
  const emin = 1 - f.bias;
  const pBig = 1n << BigInt(f.p);
  // tininess after rounding: round to p bits as if the exponent were unbounded
  const [mu] = shiftRound(m, top - f.p + 1 - e, neg, rm);
  const topU = mu === pBig ? top + 1 : top;
  const q0 = Math.max(top - f.p + 1, emin - f.p + 1); // exponent of the result's last bit
  let [mr, inexact] = shiftRound(m, q0 - e, neg, rm);
  let q = q0;
  if (mr === pBig) { mr >>= 1n; q++; }
  let flags = inexact ? NX : 0;
  if (inexact && topU < emin) flags |= UF;
  if (mr === 0n) return { bits: zeroBits(f, neg), flags };
  if (mr < 1n << BigInt(f.p - 1)) return { bits: signBit(f, neg) | mr, flags }; // subnormal
  const biased = q + f.p - 1 + f.bias;
  if (biased >= (1 << f.ew) - 1) {
    const toInf = rm === RNE || rm === RMM || (rm === RUP && !neg) || (rm === RDN && neg);
    const max = infBits(f, neg) - 1n; // largest finite, same sign
    return { bits: toInf ? infBits(f, neg) : max, flags: flags | OF | NX };
  }
  return { bits: signBit(f, neg) | (BigInt(biased) << BigInt(f.p - 1)) | (mr - (1n << BigInt(f.p - 1))), flags };
}

const isNaN_ = (x: Unpacked): boolean => x.cls >= QNAN;
const nanResult = (f: Format, invalid: boolean): Result => ({ bits: f.nan, flags: invalid ? NV : 0 });

/** x + y exactly, then rounded; the sign of an exact zero follows IEEE 754 (6.3). */
function addFinite(f: Format, x: Unpacked, y: Unpacked, rm: number): Result {
  const e = Math.min(x.e, y.e);
  const vx = (x.neg ? -x.m : x.m) << BigInt(x.e - e);
  const vy = (y.neg ? -y.m : y.m) << BigInt(y.e - e);
  const s = vx + vy;
  if (s === 0n) {
    const neg = x.cls === ZERO && y.cls === ZERO && x.neg === y.neg ? x.neg : rm === RDN;
    return { bits: zeroBits(f, neg), flags: 0 };
  }
  return roundPack(f, s < 0n, s < 0n ? -s : s, e, rm);
}

function add(f: Format, x: Unpacked, y: Unpacked, rm: number): Result {
  if (isNaN_(x) || isNaN_(y)) return nanResult(f, x.cls === SNAN || y.cls === SNAN);
  if (x.cls === INF || y.cls === INF) {
    if (x.cls === INF && y.cls === INF && x.neg !== y.neg) return nanResult(f, true);
    return { bits: infBits(f, x.cls === INF ? x.neg : y.neg), flags: 0 };
  }
  return addFinite(f, x, y, rm);
}

function mul(f: Format, x: Unpacked, y: Unpacked, rm: number): Result {
  if (isNaN_(x) || isNaN_(y)) return nanResult(f, x.cls === SNAN || y.cls === SNAN);
  const neg = x.neg !== y.neg;
  if (x.cls === INF || y.cls === INF) {
    if (x.cls === ZERO || y.cls === ZERO) return nanResult(f, true);
    return { bits: infBits(f, neg), flags: 0 };
  }
  if (x.cls === ZERO || y.cls === ZERO) return { bits: zeroBits(f, neg), flags: 0 };
  return roundPack(f, neg, x.m * y.m, x.e + y.e, rm);
}

function div(f: Format, x: Unpacked, y: Unpacked, rm: number): Result {
  if (isNaN_(x) || isNaN_(y)) return nanResult(f, x.cls === SNAN || y.cls === SNAN);
  const neg = x.neg !== y.neg;
  if (x.cls === INF) return y.cls === INF ? nanResult(f, true) : { bits: infBits(f, neg), flags: 0 };
  if (y.cls === INF) return { bits: zeroBits(f, neg), flags: 0 };
  if (y.cls === ZERO) return x.cls === ZERO ? nanResult(f, true) : { bits: infBits(f, neg), flags: DZ };
  if (x.cls === ZERO) return { bits: zeroBits(f, neg), flags: 0 };
  // at least p + 3 quotient bits, then a sticky bit for the remainder
  const k = Math.max(0, f.p + 3 + bitLength(y.m) - bitLength(x.m));
  const num = x.m << BigInt(k);
  const qm = num / y.m;
  const sticky = num % y.m !== 0n ? 1n : 0n;
  return roundPack(f, neg, (qm << 1n) | sticky, x.e - y.e - k - 1, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2)); // >= sqrt(n)
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function sqrt(f: Format, x: Unpacked, rm: number): Result {
  if (isNaN_(x)) return nanResult(f, x.cls === SNAN);
  if (x.cls === ZERO) return { bits: zeroBits(f, x.neg), flags: 0 };
  if (x.neg) return nanResult(f, true);
  if (x.cls === INF) return { bits: infBits(f, false), flags: 0 };
  let k = Math.max(0, 2 * (f.p + 3) - bitLength(x.m));
  if (((x.e - k) & 1) !== 0) k++;
  const n = x.m << BigInt(k);
  const r = isqrt(n);
  const sticky = r * r !== n ? 1n : 0n;
  return roundPack(f, false, (r << 1n) | sticky, (x.e - k) / 2 - 1, rm);
}

/** (negProd ? -(x*y) : x*y) + (negAdd ? -z : z), rounded once. */
function fma(f: Format, x: Unpacked, y: Unpacked, z: Unpacked, negProd: boolean, negAdd: boolean, rm: number): Result {
  const infTimesZero = (x.cls === INF && y.cls === ZERO) || (x.cls === ZERO && y.cls === INF);
  if (infTimesZero) return nanResult(f, true); // invalid even when z is a quiet NaN
  if (isNaN_(x) || isNaN_(y) || isNaN_(z)) return nanResult(f, x.cls === SNAN || y.cls === SNAN || z.cls === SNAN);
  const pNeg = (x.neg !== y.neg) !== negProd, zNeg = z.neg !== negAdd;
  if (x.cls === INF || y.cls === INF) {
    if (z.cls === INF && zNeg !== pNeg) return nanResult(f, true);
    return { bits: infBits(f, pNeg), flags: 0 };
  }
  if (z.cls === INF) return { bits: infBits(f, zNeg), flags: 0 };
  const zero = x.cls === ZERO || y.cls === ZERO;
  const prod: Unpacked = { cls: zero ? ZERO : FINITE, neg: pNeg, m: zero ? 0n : x.m * y.m, e: zero ? 0 : x.e + y.e };
  return addFinite(f, prod, { ...z, neg: zNeg }, rm);
}

/** Operation codes of exact(). */
export const ADD = 0, SUB = 1, MUL = 2, DIV = 3, SQRT = 4, FMADD = 5, FMSUB = 6, FNMSUB = 7, FNMADD = 8;

/** One arithmetic operation on raw bits of format f (c only for the FMA forms). */
export function exact(op: number, f: Format, a: bigint, b: bigint, c: bigint, rm: number): Result {
  const x = unpack(a, f), y = unpack(b, f);
  switch (op) {
    case ADD: return add(f, x, y, rm);
    case SUB: return add(f, x, isNaN_(y) ? y : { ...y, neg: !y.neg }, rm);
    case MUL: return mul(f, x, y, rm);
    case DIV: return div(f, x, y, rm);
    case SQRT: return sqrt(f, x, rm);
    default: return fma(f, x, y, unpack(c, f), op === FNMSUB || op === FNMADD, op === FMSUB || op === FNMADD, rm);
  }
}

/** FCVT between formats: from's bits into format to. */
export function convert(from: Format, to: Format, a: bigint, rm: number): Result {
  const x = unpack(a, from);
  if (isNaN_(x)) return nanResult(to, x.cls === SNAN);
  if (x.cls === INF) return { bits: infBits(to, x.neg), flags: 0 };
  if (x.cls === ZERO) return { bits: zeroBits(to, x.neg), flags: 0 };
  return roundPack(to, x.neg, x.m, x.e, rm);
}

/** FCVT.fmt.{W,WU,L,LU}: an integer into format f. */
export function fromInteger(f: Format, v: bigint, rm: number): Result {
  if (v === 0n) return { bits: 0n, flags: 0 };
  return roundPack(f, v < 0n, v < 0n ? -v : v, 0, rm);
}
