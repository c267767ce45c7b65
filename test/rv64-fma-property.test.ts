// Fused multiply-add (FMADD/FMSUB/FNMSUB/FNMADD), add, subtract, multiply,
// divide and square root of doubles and singles in the rv64 example's FPU,
// against a reference of its own: the exact value (times 2^2200, so every
// finite operand and product is an integer; a quotient as a fraction, a root
// by squaring), rounded by a binary search over the ordered bit patterns of
// the format, flags from their definitions
// (tininess after rounding). Operands are finite; NaN and infinity rules are
// checked against qemu by rv64-fp.test.ts. Cases aim at the hard parts:
// cancellation, ties, results near the subnormals and near overflow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface FpuLike { flags: number; setBits(r: number, dbl: boolean, b: bigint): void; bits(r: number, dbl: boolean): bigint }
interface FpuModule { Fpu: new () => FpuLike; execFp(f: FpuLike, lo: Int32Array, hi: Int32Array, inst: number): boolean }
// Imported at run time, so the root typecheck (noUncheckedIndexedAccess) does not
// reach the FPU's sources: the example's own tsconfig checks them without it.
const FPU = '../examples/rv64/src/fpu.js';
const { Fpu, execFp } = (await import(FPU)) as FpuModule;

const SCALE = 2200n;
const NX = 1, UF = 2, OF = 4;

interface Fmt { dbl: boolean; width: bigint; p: bigint; emin: bigint; emax: bigint }
const D: Fmt = { dbl: true, width: 64n, p: 53n, emin: -1022n, emax: 1023n };
const S: Fmt = { dbl: false, width: 32n, p: 24n, emin: -126n, emax: 127n };
const signOf = (f: Fmt): bigint => 1n << (f.width - 1n);
const maxFinite = (f: Fmt): bigint => (((f.emax - f.emin + 1n) << (f.p - 1n)) | ((1n << (f.p - 1n)) - 1n)); // biased emax, all ones
const infOf = (f: Fmt): bigint => maxFinite(f) + 1n;

/** The exact value of finite bits, times 2^2200. */
function scaled(f: Fmt, bits: bigint): bigint {
  const be = (bits >> (f.p - 1n)) & ((signOf(f) - 1n) >> (f.p - 1n)), frac = bits & ((1n << (f.p - 1n)) - 1n);
  const m = be === 0n ? frac : frac | (1n << (f.p - 1n));
  const e = (be === 0n ? f.emin : be + f.emin - 1n) - (f.p - 1n);
  const v = m << (SCALE + e);
  return (bits & signOf(f)) !== 0n ? -v : v;
}

/** An exact value X > 0 as a comparison: sign(n/d - X) for n >= 0, d > 0 (all times 2^2200). */
type Cmp = (n: bigint, d: bigint) => number;
const sgn = (x: bigint): number => (x > 0n ? 1 : x < 0n ? -1 : 0);
const rational = (num: bigint, den: bigint): Cmp => (n, d) => sgn(n * den - num * d); // X = num/den
const root = (a: bigint): Cmp => (n, d) => sgn(n * n - a * (1n << SCALE) * d * d); // X = sqrt(a * 2^-2200) * 2^2200

/** Rounds X (given by cmp, sign neg) into format f in mode rm, with the flags IEEE 754 defines. */
function roundCmp(f: Fmt, cmp: Cmp, neg: boolean, rm: number): { bits: bigint; flags: number } {
  const sign = neg ? signOf(f) : 0n, max = maxFinite(f);
  const up = rm === 3 ? !neg : rm === 2 ? neg : false; // magnitude rounds up in RUP (x > 0) and RDN (x < 0)
  if (cmp(scaled(f, max), 1n) < 0) {
    // overflow: what rounding with an unbounded exponent gives exceeds max (to nearest: from max + half an ulp on;
    // toward zero: from 2^(emax+1) on; away from zero: anything above max); else max, inexact
    const limit = rm === 0 || rm === 4 ? (1n << (f.emax + 1n + SCALE)) - (1n << (f.emax - f.p + SCALE)) : up ? 0n : 1n << (f.emax + 1n + SCALE);
    if (cmp(limit, 1n) > 0) return { bits: sign | max, flags: NX };
    return { bits: sign | (rm === 0 || rm === 4 || up ? infOf(f) : max), flags: OF | NX };
  }
  let lo = 0n, hi = max; // the largest pattern whose value is <= X
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (cmp(scaled(f, mid), 1n) <= 0) lo = mid; else hi = mid - 1n;
  }
  if (cmp(scaled(f, lo), 1n) === 0) return { bits: sign | lo, flags: 0 };
  const vsMid = cmp(scaled(f, lo) + scaled(f, lo + 1n), 2n); // > 0: X below the midpoint
  let k: bigint;
  if (rm === 0) k = vsMid > 0 || (vsMid === 0 && (lo & 1n) === 0n) ? lo : lo + 1n;
  else if (rm === 4) k = vsMid > 0 ? lo : lo + 1n;
  else k = up ? lo + 1n : lo;
  // tiny after rounding: rounded to p bits with an unbounded exponent, still below the smallest normal
  const minNormal = 1n << (SCALE + f.emin), step = 1n << (SCALE + f.emin - f.p); // the unbounded grid's spacing below it
  const tiny = rm === 0 || rm === 4 ? cmp(2n * minNormal - step, 2n) > 0 : up ? cmp(minNormal - step, 1n) >= 0 : cmp(minNormal, 1n) > 0;
  return { bits: sign | k, flags: NX | (tiny ? UF : 0) };
}

/** Rounds x (times 2^2200) into format f; zeroNeg: the sign of an exact zero. */
function roundRef(f: Fmt, x: bigint, rm: number, zeroNeg: boolean): { bits: bigint; flags: number } {
  if (x === 0n) return { bits: zeroNeg ? signOf(f) : 0n, flags: 0 };
  return roundCmp(f, rational(x < 0n ? -x : x, 1n), x < 0n, rm);
}

/** Operations: 0..3 FMADD, FMSUB, FNMSUB, FNMADD; 4 FADD, 5 FSUB, 6 FMUL, 7 FDIV, 8 FSQRT (of a). */
function ref(f: Fmt, op: number, a: bigint, b: bigint, c: bigint, rm: number): { bits: bigint; flags: number } {
  const neg = (x: bigint): boolean => (x & signOf(f)) !== 0n;
  const A = scaled(f, a), B = scaled(f, b), C = scaled(f, c);
  const canon = f.dbl ? 0x7ff8000000000000n : 0x7fc00000n, NV = 16, DZ = 8;
  if (op === 7) {
    if (B === 0n) return A === 0n ? { bits: canon, flags: NV } : { bits: (neg(a) !== neg(b) ? signOf(f) : 0n) | infOf(f), flags: DZ };
    if (A === 0n) return { bits: neg(a) !== neg(b) ? signOf(f) : 0n, flags: 0 };
    return roundCmp(f, rational((A < 0n ? -A : A) << SCALE, B < 0n ? -B : B), neg(a) !== neg(b), rm);
  }
  if (op === 8) {
    if (A === 0n) return { bits: a, flags: 0 }; // sqrt(-0) = -0
    if (neg(a)) return { bits: canon, flags: NV };
    return roundCmp(f, root(A), false, rm);
  }
  if (op === 6) return roundRef(f, (A * B) >> SCALE, rm, neg(a) !== neg(b));
  if (op >= 4) { // a zero sum: -0 only from -0 + -0, or in RDN
    const bNeg = neg(b) !== (op === 5), y = op === 5 ? -B : B;
    return roundRef(f, A + y, rm, A === 0n && B === 0n && neg(a) === bNeg ? bNeg : rm === 2);
  }
  const negP = op >= 2, negC = op === 1 || op === 3;
  const p = (A * B) >> SCALE; // exact: the product's scale is 2^4400
  const pNeg = (neg(a) !== neg(b)) !== negP, cNeg = neg(c) !== negC;
  const zeroNeg = (A === 0n || B === 0n) && C === 0n && pNeg === cNeg ? pNeg : rm === 2;
  return roundRef(f, (negP ? -p : p) + (negC ? -C : C), rm, zeroNeg);
}

const fpu = new Fpu();
const lo = new Int32Array(32), hi = new Int32Array(32);
/** The FPU's answer, starting from fflags = flags0 (NX set takes the FPU's hot path, where one exists). */
function emu(f: Fmt, op: number, a: bigint, b: bigint, c: bigint, rm: number, flags0 = 0): { bits: bigint; flags: number } {
  fpu.setBits(1, f.dbl, a); fpu.setBits(2, f.dbl, b); fpu.setBits(3, f.dbl, c);
  fpu.flags = flags0;
  const fmt = f.dbl ? 1 << 25 : 0, regs = (2 << 20) | (1 << 15) | (rm << 12) | (4 << 7);
  const inst = op < 4 ? (3 << 27) | fmt | regs | 0x43 | (op << 2) : ([0, 1, 2, 3, 0x0b][op - 4]! << 27) | fmt | (op === 8 ? regs & ~(31 << 20) : regs) | 0x53;
  expect(execFp(fpu, lo, hi, inst)).toBe(true);
  return { bits: fpu.bits(4, f.dbl), flags: fpu.flags };
}

// Operand generators: raw finite patterns, and values at a chosen biased exponent.
const expBits = (f: Fmt): bigint => (signOf(f) - 1n) >> (f.p - 1n);
const finite = (f: Fmt): fc.Arbitrary<bigint> => fc.bigInt(0n, (1n << f.width) - 1n).filter((b) => ((b >> (f.p - 1n)) & expBits(f)) !== expBits(f));
const atExp = (f: Fmt, min: number, max: number, fracBits = Number(f.p) - 1): fc.Arbitrary<bigint> =>
  fc.tuple(fc.boolean(), fc.integer({ min, max }), fc.bigInt(0n, (1n << BigInt(fracBits)) - 1n)).map(([s, ex, m]) =>
    (s ? signOf(f) : 0n) | (BigInt(Math.max(0, Math.min(Number(expBits(f)) - 1, ex))) << (f.p - 1n)) | (m << (f.p - 1n - BigInt(fracBits))));
const nudge = (f: Fmt, x: bigint, d: number): bigint => {
  const v = (x & ~signOf(f)) + BigInt(d);
  return v < 0n || v > maxFinite(f) ? x : (x & signOf(f)) | v;
};
const f64 = new Float64Array(1), u64 = new BigUint64Array(f64.buffer), f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const num = (f: Fmt, b: bigint): number => { if (f.dbl) { u64[0] = b; return f64[0]!; } u32[0] = Number(b); return f32[0]!; };
const bitsOf = (f: Fmt, d: number): bigint => { if (f.dbl) { f64[0] = d; return u64[0]!; } f32[0] = d; return BigInt(u32[0]!); };

function cases(f: Fmt): fc.Arbitrary<[bigint, bigint, bigint]> {
  const bias = Number(-f.emin) + 1, top = Number(expBits(f)) - 1, wide = f.dbl ? 60 : 20;
  const short = atExp(f, bias - wide, bias + wide, Math.floor(Number(f.p) / 2)); // products exact in few bits: ties
  return fc.oneof(
    fc.tuple(finite(f), finite(f), finite(f)),
    fc.tuple(atExp(f, bias - 53, bias + 53), atExp(f, bias - 53, bias + 53), atExp(f, bias - 2 * wide, bias + 2 * wide)),
    // c cancels most of a*b: c = -(a*b) rounded, nudged a few ulps
    fc.tuple(atExp(f, bias - wide, bias + wide), atExp(f, bias - wide, bias + wide), fc.integer({ min: -3, max: 3 })).map(
      ([a, b, d]) => [a, b, nudge(f, bitsOf(f, -(num(f, a) * num(f, b))), d)] as [bigint, bigint, bigint]),
    fc.tuple(short, short, atExp(f, bias - 2 * wide, bias + 2 * wide)),
    fc.tuple(short, short, fc.constant(0n)),
    // a*b just below the smallest normal: rounds to it, yet tiny after rounding with an unbounded exponent (UF)
    fc.tuple(atExp(f, bias - 10, bias + 10), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -4, max: 4 })).map(
      ([a, d, t]) => [a, nudge(f, bitsOf(f, 2 ** Number(f.emin) / Math.abs(num(f, a))), d), t < 0 ? signOf(f) | BigInt(-t) : BigInt(t)] as [bigint, bigint, bigint]),
    // the subnormal range, and overflow
    fc.tuple(atExp(f, 0, bias >> 1), atExp(f, Math.floor(bias / 3), bias), atExp(f, 0, wide)),
    fc.tuple(atExp(f, top - (bias >> 1), top), atExp(f, bias - wide, bias + wide), atExp(f, top - wide, top)),
  );
}

const hex = (b: bigint): string => b.toString(16).padStart(16, '0');
const same = (f: Fmt, op: number, [a, b, c]: [bigint, bigint, bigint], rm: number): void => {
  const want = ref(f, op, a, b, c, rm);
  for (const flags0 of [0, NX]) { // flags accrue: a set NX stays set, and the others still come
    const got = emu(f, op, a, b, c, rm, flags0);
    expect({ bits: hex(got.bits), flags: got.flags }).toEqual({ bits: hex(want.bits), flags: want.flags | flags0 });
  }
};

describe('rv64 FPU arithmetic against an exact BigInt reference', () => {
  for (const f of [D, S]) {
    const name = f.dbl ? 'doubles' : 'singles';
    it(`FMA of ${name}: rounded once, flags included (round to nearest)`, () => {
      fc.assert(fc.property(cases(f), fc.integer({ min: 0, max: 3 }), (abc, op) => same(f, op, abc, 0)), { numRuns: f.dbl ? 4000 : 2000 });
    });
    it(`FMA of ${name} in the directed modes (RTZ, RDN, RUP, RMM)`, () => {
      fc.assert(fc.property(cases(f), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), (abc, op, rm) => same(f, op, abc, rm)), { numRuns: 1000 });
    });
    it(`FADD, FSUB, FMUL of ${name}, every rounding mode`, () => {
      fc.assert(fc.property(cases(f), fc.integer({ min: 4, max: 6 }), fc.integer({ min: 0, max: 4 }), (abc, op, rm) => same(f, op, abc, rm)), { numRuns: 2000 });
    });
    it(`FDIV and FSQRT of ${name}, every rounding mode`, () => {
      fc.assert(fc.property(cases(f), fc.integer({ min: 7, max: 8 }), fc.integer({ min: 0, max: 4 }), (abc, op, rm) => same(f, op, abc, rm)), { numRuns: 1500 });
    });
  }

  it('a tie goes to even, and the fused result differs from the unfused one', () => {
    // (1 + 2^-30)(1 + 2^-23) = 1 + 2^-23 + 2^-30 + 2^-53: half an ulp, to even (down); + 2^-52 makes it odd: up
    const a = 0x3ff0000000040000n, b = 0x3ff0000200000000n;
    expect(hex(ref(D, 0, a, b, 0n, 0).bits)).toBe('3ff0000200040000');
    expect(hex(emu(D, 0, a, b, 0x3cb0000000000000n, 0).bits)).toBe('3ff0000200040002');
    expect(hex(ref(D, 0, a, b, 0x3cb0000000000000n, 0).bits)).toBe('3ff0000200040002');
    expect(hex(bitsOf(D, num(D, a) * num(D, b) + 2 ** -52))).toBe('3ff0000200040001'); // unfused: the tie rounded first
  });
});
