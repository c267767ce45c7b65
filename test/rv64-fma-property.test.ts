// Fused multiply-add of doubles (FMADD/FMSUB/FNMSUB/FNMADD.D) in the rv64
// example's FPU, against a reference of its own: the exact value of
// ±a*b ± c as one BigInt (scaled by 2^2200, so every finite operand and
// product is an integer), rounded by a binary search over the ordered bit
// patterns of the doubles, flags from their definitions (tininess after
// rounding). Operands are finite; NaN and infinity rules are checked against
// qemu by rv64-fp.test.ts. Cases aim at the hard parts: cancellation, ties,
// products near the subnormals and near overflow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface FpuLike { flags: number; setBits(r: number, dbl: boolean, b: bigint): void; bits(r: number, dbl: boolean): bigint }
interface FpuModule { Fpu: new () => FpuLike; execFp(f: FpuLike, lo: Int32Array, hi: Int32Array, inst: number): boolean }
// Imported at run time, so the root typecheck (noUncheckedIndexedAccess) does not
// reach the FPU's sources: the example's own tsconfig checks them without it.
const FPU = '../examples/rv64/src/fpu.js';
const { Fpu, execFp } = (await import(FPU)) as FpuModule;

const SCALE = 2200n;
const MAX_FINITE = 0x7fefffffffffffffn;
const NX = 1, UF = 2, OF = 4;

/** The exact value of a finite double's bits, times 2^2200. */
function scaled(bits: bigint): bigint {
  const neg = bits >> 63n === 1n, be = (bits >> 52n) & 0x7ffn, frac = bits & 0xfffffffffffffn;
  const m = be === 0n ? frac : frac | (1n << 52n);
  const v = m << (SCALE + (be === 0n ? -1074n : be - 1075n));
  return neg ? -v : v;
}
const mag = (k: bigint): bigint => scaled(k); // k a non-negative pattern

/** Rounds x (times 2^2200) to a double's bits in mode rm, with the flags IEEE 754 defines. */
export function roundRef(x: bigint, rm: number, zeroNeg: boolean): { bits: bigint; flags: number } {
  if (x === 0n) return { bits: zeroNeg ? 1n << 63n : 0n, flags: 0 };
  const neg = x < 0n, ax = neg ? -x : x, sign = neg ? 1n << 63n : 0n;
  const up = rm === 3 ? !neg : rm === 2 ? neg : false; // magnitude rounds up in RUP (x > 0) and RDN (x < 0)
  if (ax > mag(MAX_FINITE)) {
    const half = (1n << (1024n + SCALE)) - (1n << (970n + SCALE)); // max + half an ulp
    const inf = rm === 0 || rm === 4 ? ax >= half : up;
    return { bits: sign | (inf ? 0x7ff0000000000000n : MAX_FINITE), flags: OF | NX };
  }
  let lo = 0n, hi = MAX_FINITE; // largest k with mag(k) <= ax
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (mag(mid) <= ax) lo = mid; else hi = mid - 1n;
  }
  const below = mag(lo);
  if (below === ax) return { bits: sign | lo, flags: 0 };
  const dLo = ax - below, dHi = mag(lo + 1n) - ax;
  let k: bigint;
  if (rm === 0) k = dLo < dHi || (dLo === dHi && (lo & 1n) === 0n) ? lo : lo + 1n;
  else if (rm === 4) k = dLo < dHi ? lo : lo + 1n;
  else k = up ? lo + 1n : lo;
  const minNormal = 1n << (SCALE - 1022n);
  // tiny after rounding: the value rounded to 53 bits with an unbounded exponent is below 2^-1022
  const tiny = rm === 0 || rm === 4 ? ax < minNormal - (1n << (SCALE - 1076n)) : up ? ax <= minNormal - (1n << (SCALE - 1075n)) : ax < minNormal;
  return { bits: sign | k, flags: NX | (tiny ? UF : 0) };
}

/** kind 0 FMADD a*b+c, 1 FMSUB a*b-c, 2 FNMSUB -(a*b)+c, 3 FNMADD -(a*b)-c. */
function fmaRef(a: bigint, b: bigint, c: bigint, kind: number, rm: number): { bits: bigint; flags: number } {
  const negP = kind >= 2, negC = kind === 1 || kind === 3;
  const p = (scaled(a) * scaled(b)) >> SCALE; // exact: the product's scale is 2^4400
  const pNeg = ((a >> 63n) ^ (b >> 63n)) === 1n ? !negP : negP;
  const cNeg = (c >> 63n === 1n) !== negC;
  const x = (negP ? -p : p) + (negC ? -scaled(c) : scaled(c));
  const pZero = p === 0n && (scaled(a) === 0n || scaled(b) === 0n);
  const zeroNeg = pZero && scaled(c) === 0n && pNeg === cNeg ? pNeg : rm === 2;
  return roundRef(x, rm, zeroNeg);
}

const fpu = new Fpu();
const lo = new Int32Array(32), hi = new Int32Array(32);
function fmaEmu(a: bigint, b: bigint, c: bigint, kind: number, rm: number): { bits: bigint; flags: number } {
  fpu.setBits(1, true, a); fpu.setBits(2, true, b); fpu.setBits(3, true, c);
  fpu.flags = 0;
  const inst = (3 << 27) | (1 << 25) | (2 << 20) | (1 << 15) | (rm << 12) | (4 << 7) | 0x43 | (kind << 2);
  expect(execFp(fpu, lo, hi, inst)).toBe(true);
  return { bits: fpu.bits(4, true), flags: fpu.flags };
}

// Operand generators: raw finite doubles, and doubles at a chosen exponent.
const finite = fc.bigInt(0n, (1n << 64n) - 1n).filter((b) => ((b >> 52n) & 0x7ffn) !== 0x7ffn);
const atExp = (e: fc.Arbitrary<number>): fc.Arbitrary<bigint> =>
  fc.tuple(fc.boolean(), e, fc.bigInt(0n, (1n << 52n) - 1n)).map(([s, ex, m]) => (s ? 1n << 63n : 0n) | (BigInt(Math.max(0, Math.min(2046, ex))) << 52n) | m);
/** Short mantissas: products exact in 54 bits or fewer, so ties happen. */
const short = fc.tuple(fc.boolean(), fc.integer({ min: 900, max: 1150 }), fc.bigInt(0n, (1n << 27n) - 1n)).map(([s, ex, m]) => (s ? 1n << 63n : 0n) | (BigInt(ex) << 52n) | (m << 25n));
const nudge = (x: bigint, d: number): bigint => {
  const v = (x & ~(1n << 63n)) + BigInt(d);
  return v < 0n || v > MAX_FINITE ? x : (x & (1n << 63n)) | v;
};
const bitsOf = (d: number): bigint => new BigUint64Array(new Float64Array([d]).buffer)[0]!;
const num = (b: bigint): number => new Float64Array(new BigUint64Array([b]).buffer)[0]!;

const cases = fc.oneof(
  fc.tuple(finite, finite, finite),
  fc.tuple(atExp(fc.integer({ min: 970, max: 1076 })), atExp(fc.integer({ min: 970, max: 1076 })), atExp(fc.integer({ min: 900, max: 1150 }))),
  // c cancels most of a*b: c = -(a*b) rounded, nudged a few ulps
  fc.tuple(atExp(fc.integer({ min: 800, max: 1250 })), atExp(fc.integer({ min: 800, max: 1250 })), fc.integer({ min: -3, max: 3 })).map(
    ([a, b, d]) => [a, b, nudge(bitsOf(-(num(a) * num(b))), d)] as [bigint, bigint, bigint]),
  // ties: short mantissas, c near the product's last bits
  fc.tuple(short, short, atExp(fc.integer({ min: 900, max: 1150 }))),
  fc.tuple(short, short, fc.constant(0n)),
  // a*b just below 2^-1022: rounds to the smallest normal, yet tiny after rounding with an unbounded exponent (UF)
  fc.tuple(atExp(fc.integer({ min: 1013, max: 1033 })), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -4, max: 4 })).map(
    ([a, d, t]) => [a, nudge(bitsOf(2 ** -1022 / Math.abs(num(a))), d), t < 0 ? (1n << 63n) | BigInt(-t) : BigInt(t)] as [bigint, bigint, bigint]),
  // the subnormal range, and overflow
  fc.tuple(atExp(fc.integer({ min: 0, max: 600 })), atExp(fc.integer({ min: 400, max: 1023 })), atExp(fc.integer({ min: 0, max: 60 }))),
  fc.tuple(atExp(fc.integer({ min: 1500, max: 2046 })), atExp(fc.integer({ min: 900, max: 1100 })), atExp(fc.integer({ min: 1900, max: 2046 }))),
);

const hex = (b: bigint): string => b.toString(16).padStart(16, '0');

describe('rv64 FPU fused multiply-add of doubles', () => {
  it('rounds a*b+c once, exactly as the BigInt reference does, flags included (round to nearest)', () => {
    fc.assert(fc.property(cases, fc.integer({ min: 0, max: 3 }), ([a, b, c], kind) => {
      const want = fmaRef(a, b, c, kind, 0), got = fmaEmu(a, b, c, kind, 0);
      expect({ bits: hex(got.bits), flags: got.flags }).toEqual({ bits: hex(want.bits), flags: want.flags });
    }), { numRuns: 4000 });
  });

  it('and in the directed modes (RTZ, RDN, RUP, RMM)', () => {
    fc.assert(fc.property(cases, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), ([a, b, c], kind, rm) => {
      const want = fmaRef(a, b, c, kind, rm), got = fmaEmu(a, b, c, kind, rm);
      expect({ bits: hex(got.bits), flags: got.flags }).toEqual({ bits: hex(want.bits), flags: want.flags });
    }), { numRuns: 1000 });
  });

  it('a tie goes to even, and the fused result differs from the unfused one', () => {
    // (1 + 2^-30)(1 + 2^-23) = 1 + 2^-23 + 2^-30 + 2^-53: half an ulp, to even (down); + 2^-52 makes it odd: up
    const a = 0x3ff0000000040000n, b = 0x3ff0000200000000n;
    expect(hex(fmaRef(a, b, 0n, 0, 0).bits)).toBe('3ff0000200040000');
    expect(hex(fmaEmu(a, b, 0x3cb0000000000000n, 0, 0).bits)).toBe('3ff0000200040002');
    expect(hex(fmaRef(a, b, 0x3cb0000000000000n, 0, 0).bits)).toBe('3ff0000200040002');
    expect(hex(bitsOf(num(a) * num(b) + 2 ** -52))).toBe('3ff0000200040001'); // unfused: the tie rounded first
  });
});
