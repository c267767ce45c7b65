// The F and D extensions against qemu-riscv64 (softfloat, RISC-V's NaN and
// fflags rules): fixtures/fp-vectors.c prints the raw bits and fflags of every
// instruction over edge-case operands in every rounding mode, plus hashes of
// random blocks; fixtures/fp-libm.c shows what glibc makes of it (printf of
// NaNs, fmin with a signalling NaN, fenv, pow and friends bit for bit).
import { describe, expect, it } from 'vitest';
import { both, TIMEOUT } from './helpers/rv64.js';

/** The first lines where the emulator's output differs from qemu's, for a readable failure. */
function differences(emu: string, qemu: string): string[] {
  const a = emu.split('\n'), b = qemu.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 12; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}: emulator ${JSON.stringify(a[i])}, qemu ${JSON.stringify(b[i])}`);
  }
  return out;
}

describe('rv64 floating point', () => {
  it('every F/D instruction gives qemu\'s bits and fflags on edge cases, in every rounding mode', async () => {
    const c = await both('fp-vectors');
    expect(c.emu.stderr).toBe('');
    expect(c.qemu.status).toBe(0);
    expect(c.qemu.stdout.split('\n').length).toBeGreaterThan(80000); // the fixture ran to its end
    expect(differences(c.emu.stdout, c.qemu.stdout)).toEqual([]);
    expect(c.emu.status).toBe(0);
  }, TIMEOUT);

  it('glibc prints nan (not -nan), sees a signalling NaN in fmin, and fenv and pow match qemu', async () => {
    const c = await both('fp-libm');
    expect(c.emu.stderr).toBe('');
    // the cases, spelled out (qemu says the same: checked by the whole-output comparison below)
    expect(c.emu.stdout).toContain('0/0 nan 7ff8000000000000\n');
    expect(c.emu.stdout).toContain('sqrt(-1) nan 7ff8000000000000\n');
    expect(c.emu.stdout).toContain('0f/0f nan 7fc00000\n');
    expect(c.emu.stdout).toContain('fmin.d(sNaN, 1) 1\n  flags: invalid\n'); // the instruction: minimumNumber
    expect(c.emu.stdout).toContain('glibc fmin(sNaN, 1) nan\n  flags: invalid\n'); // glibc saw FCLASS's signalling NaN
    expect(c.emu.stdout).toContain('issignaling 1\n');
    expect(c.emu.stdout).toContain('1/0: divbyzero\n');
    expect(differences(c.emu.stdout, c.qemu.stdout)).toEqual([]);
    expect(c.emu.status).toBe(c.qemu.status);
  }, TIMEOUT);
});
