// The f registers: 32 raw 64-bit slots seen as doubles, singles and words,
// so loads, stores, moves and sign injection copy bits (a signalling NaN's
// payload survives) while arithmetic reads numbers. Singles are NaN-boxed:
// the upper word all ones, else the value reads as the canonical NaN.
import { DOUBLE, SINGLE } from './fpu-exact.js';

export const CANON_S = 0x7fc00000;
const CANON_D_HI = 0x7ff80000;

export class Fpu {
  readonly raw = new ArrayBuffer(32 * 8);
  readonly d = new Float64Array(this.raw);
  readonly s = new Float32Array(this.raw); // single of register r at index 2r
  readonly w = new Int32Array(this.raw); // words 2r (low), 2r+1 (high)
  frm = 0;
  /** Accrued exceptions, fcsr[4:0]: NX 1, UF 2, OF 4, DZ 8, NV 16. */
  flags = 0;

  getS(r: number): number {
    return this.w[2 * r + 1] === -1 ? this.s[2 * r] : NaN; // improperly boxed: canonical NaN
  }
  /** A single result; a NaN is written as the canonical NaN, never the host's. */
  setS(r: number, v: number): void {
    if (v === v) this.s[2 * r] = v; else this.w[2 * r] = CANON_S;
    this.w[2 * r + 1] = -1;
  }
  setD(r: number, v: number): void {
    if (v === v) this.d[r] = v;
    else { this.w[2 * r] = 0; this.w[2 * r + 1] = CANON_D_HI; }
  }
  /** The single's raw bits as read by an operation (improperly boxed: canonical NaN). */
  wordS(r: number): number {
    return this.w[2 * r + 1] === -1 ? this.w[2 * r] : CANON_S;
  }
  /** Raw bits for the exact slow path. */
  bits(r: number, dbl: boolean): bigint {
    if (!dbl) return BigInt(this.wordS(r) >>> 0);
    return (BigInt(this.w[2 * r + 1] >>> 0) << 32n) | BigInt(this.w[2 * r] >>> 0);
  }
  setBits(r: number, dbl: boolean, b: bigint): void {
    this.w[2 * r] = Number(BigInt.asIntN(32, b));
    this.w[2 * r + 1] = dbl ? Number(BigInt.asIntN(32, b >> 32n)) : -1;
  }
  /** Whether register r (read as a NaN) holds a signalling NaN. */
  isSignalling(r: number, dbl: boolean): boolean {
    if (dbl) return (this.w[2 * r + 1] & 0x7ff80000) === 0x7ff00000 && ((this.w[2 * r + 1] & 0xfffff) | this.w[2 * r]) !== 0;
    const x = this.wordS(r);
    return (x & 0x7fc00000) === 0x7f800000 && (x & 0x3fffff) !== 0;
  }
}

export const formatOf = (dbl: boolean): typeof DOUBLE => (dbl ? DOUBLE : SINGLE);
