// The rv64 FPU's decoding rules that no C program reaches through gcc: the
// reserved rounding modes (rm 5 and 6, and rm 7 = dynamic while frm holds
// 5..7) make an instruction that rounds illegal, instructions that do not
// round ignore the field, and NaN-boxing is checked on every single read.
import { describe, expect, it } from 'vitest';

interface FpuLike { flags: number; frm: number; setBits(r: number, dbl: boolean, b: bigint): void; bits(r: number, dbl: boolean): bigint; w: Int32Array }
interface FpuModule { Fpu: new () => FpuLike; execFp(f: FpuLike, lo: Int32Array, hi: Int32Array, inst: number): boolean }
// Imported at run time, as in rv64-fma-property.test.ts (the root typecheck stays off the example's sources).
const FPU = '../examples/rv64/src/fpu.js';
const { Fpu, execFp } = (await import(FPU)) as FpuModule;

const lo = new Int32Array(32), hi = new Int32Array(32);
const op = (f5: number, fmt: number, rm: number, rs2 = 2): number => (f5 << 27) | (fmt << 25) | (rs2 << 20) | (1 << 15) | (rm << 12) | (3 << 7) | 0x53;
const fmadd = (rm: number): number => (4 << 27) | (1 << 25) | (2 << 20) | (1 << 15) | (rm << 12) | (3 << 7) | 0x43;

describe('rv64 FPU decoding', () => {
  it('refuses reserved rounding modes on instructions that round, static or through frm', () => {
    const f = new Fpu();
    for (const inst of [op(0x00, 1, 5), op(0x03, 0, 6), op(0x0b, 1, 5, 0), op(0x18, 1, 5, 0), op(0x1a, 0, 6, 2), op(0x08, 0, 5, 1), fmadd(5)]) {
      expect(execFp(f, lo, hi, inst)).toBe(false);
    }
    expect(execFp(f, lo, hi, op(0x00, 1, 7))).toBe(true); // dynamic, frm = 0
    for (const frm of [5, 6, 7]) {
      f.frm = frm;
      expect(execFp(f, lo, hi, op(0x00, 1, 7))).toBe(false);
      expect(execFp(f, lo, hi, fmadd(7))).toBe(false);
      expect(execFp(f, lo, hi, op(0x05, 1, 0))).toBe(true); // FMIN has no rounding mode
    }
  });

  it('refuses FSQRT with rs2 != 0, FCVT with an unknown integer kind, and the quad and half formats', () => {
    const f = new Fpu();
    expect(execFp(f, lo, hi, op(0x0b, 1, 0, 1))).toBe(false);
    expect(execFp(f, lo, hi, op(0x18, 1, 0, 4))).toBe(false);
    expect(execFp(f, lo, hi, op(0x00, 3, 0))).toBe(false);
    expect(execFp(f, lo, hi, op(0x00, 2, 0))).toBe(false);
  });

  it('reads an improperly NaN-boxed single as the canonical NaN: FADD.S makes it, FSGNJ.S copies it, FCLASS.S calls it quiet', () => {
    const f = new Fpu();
    f.setBits(1, true, 0x000000003f800000n); // 1.0f with the upper word clear: not boxed
    f.setBits(2, false, 0x3f800000n);
    expect(execFp(f, lo, hi, op(0x00, 0, 0))).toBe(true);
    expect(f.bits(3, true)).toBe(0xffffffff7fc00000n);
    expect(f.flags).toBe(0); // a quiet NaN: no NV
    expect(execFp(f, lo, hi, op(0x04, 0, 1))).toBe(true); // FSGNJN.S f3, f1, f2
    expect(f.bits(3, true)).toBe(0xffffffffffc00000n);
    expect(execFp(f, lo, hi, (0x70 << 25) | (1 << 15) | (1 << 12) | (5 << 7) | 0x53)).toBe(true); // FCLASS.S x5, f1
    expect(lo[5]).toBe(1 << 9);
  });
});
