// Error-free transformations for the fast paths: the exact error of a sum
// (Knuth's TwoSum) and of a product (Dekker's product over Veltkamp's
// split), and round-to-odd. A fused multiply-add of doubles is Boldo and
// Melquiond's emulation ("Emulation of FMA and correctly rounded sums:
// proved algorithms using rounding to odd", IEEE TC 57(4), 2008): the
// product's high part plus the addend by TwoSum, the two low parts added in
// round-to-odd, the whole rounded once to nearest. Their proof assumes no
// underflow and no overflow: those inputs go to the exact slow path.

const SPLIT = 134217729; // 2^27 + 1
/** Below this magnitude a product's low part may lose bits to underflow. */
export const TINY_D = 2 ** -960;
const MIN_NORMAL_S = 2 ** -126;

const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

/** a * b - p exactly when p = fl(a * b) and no step over/underflows; NaN or infinite when a split overflowed. */
export function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** The double next to v (v != 0, v finite) whose last bit is odd, on the side of err, when v's last bit is even. */
export function toOdd(v: number, err: number): number {
  scratch[0] = v;
  if ((words[0] & 1) !== 0) return v;
  if ((v > 0) === (err > 0)) words[0] |= 1; // away from zero
  else if (words[0] !== 0) words[0] -= 1; // toward zero
  else { words[0] = -1; words[1] -= 1; }
  return scratch[0];
}

/** Result of the last fast FMA: whether it was inexact (read right after a true return). */
export let fmaInexact = false;

/** a*b + c rounded once to double, or NaN when the fast path cannot prove it (the caller then goes exact). */
export function fmaDouble(a: number, b: number, c: number): number {
  const uh = a * b;
  if (!(uh > TINY_D || uh < -TINY_D) || uh - uh !== 0) return NaN;
  const ul = productError(a, b, uh);
  if (ul - ul !== 0) return NaN;
  const th = c + uh;
  if (th - th !== 0) return NaN;
  let bb = th - c;
  const tl = (c - (th - bb)) + (uh - bb);
  let v = tl + ul;
  bb = v - tl;
  const verr = (tl - (v - bb)) + (ul - bb);
  if (verr !== 0) v = toOdd(v, verr);
  const r = th + v;
  if (!(r > TINY_D || r < -TINY_D) || r - r !== 0) return NaN;
  bb = r - th;
  fmaInexact = verr !== 0 || (th - (r - bb)) + (v - bb) !== 0;
  return r;
}

/**
 * a*b + c rounded once to single (a, b, c singles): the product is exact in
 * a double, the sum is rounded to odd in double (53 >= 24 + 2 bits, so the
 * rounding to single after it is correct), or NaN for the slow path.
 */
export function fmaSingle(a: number, b: number, c: number): number {
  const p = a * b;
  let s = p + c;
  if (s - s !== 0) return NaN;
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb);
  if (err !== 0) s = toOdd(s, err);
  const r = Math.fround(s);
  if (!(r > MIN_NORMAL_S || r < -MIN_NORMAL_S) || r - r !== 0) return NaN;
  fmaInexact = err !== 0 || r !== s;
  return r;
}
