// Each instruction's semantics at its edges, against the Linux kernel:
// directed programs whose every path returns a distinct ERRNO, so the errno
// says which way the kernel went; systab's interpreter must go the same way.
import { describe, expect, it } from 'vitest';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { kernelAgrees, HARMLESS, kernelUnavailable, runInKernel } from './helpers/seccomp-kernel.js';
import { ALLOW, ERRNO, bytesOf, guarded, ins } from './helpers/seccomp-programs.js';

const why = kernelUnavailable();
const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
const EDGES = [0, 1, 2, 31, 32, 33, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];

// A = args[0] low, X = args[1] low; then `op`; then A's low 12 bits as the errno, or a jump's way.
const alu = (op: number[]): number[][] => [ins(0x20, 0, 0, 24), ins(0x07, 0, 0, 0), ins(0x20, 0, 0, 16), op, ins(0x54, 0, 0, 0xfff), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)];
const hiAlu = (op: number[]): number[][] => [ins(0x20, 0, 0, 24), ins(0x07, 0, 0, 0), ins(0x20, 0, 0, 16), op, ins(0x74, 0, 0, 20), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)];
const jump = (op: number[]): number[][] => [ins(0x20, 0, 0, 24), ins(0x07, 0, 0, 0), ins(0x20, 0, 0, 16), op, ins(0x06, 0, 0, ERRNO | 1), ins(0x06, 0, 0, ERRNO | 2)];

const programs: number[][][] = [];
for (const k of [0, 1, 5, 31, 0x7fffffff, 0x80000000, 0xffffffff]) {
  for (const c of [0x15, 0x25, 0x35, 0x45]) programs.push(jump(ins(c, 0, 1, k)), jump(ins(c, 1, 0, k)));
  for (const c of [0x04, 0x14, 0x24, 0x44, 0x54, 0xa4]) programs.push(alu(ins(c, 0, 0, k)), hiAlu(ins(c, 0, 0, k)));
  if (k !== 0) programs.push(alu(ins(0x34, 0, 0, k)), hiAlu(ins(0x34, 0, 0, k)));
  if (k < 32) for (const c of [0x64, 0x74]) programs.push(alu(ins(c, 0, 0, k)), hiAlu(ins(c, 0, 0, k)));
}
for (const c of [0x1d, 0x2d, 0x3d, 0x4d]) programs.push(jump(ins(c, 0, 1, 0)), jump(ins(c, 1, 0, 0)));
for (const c of [0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0xac, 0x6c, 0x7c, 0x84, 0x87]) programs.push(alu(ins(c, 0, 0, 0)), hiAlu(ins(c, 0, 0, 0)));
// Every word of seccomp_data, LEN, and M[] through ST / STX.
for (let w = 0; w < 16; w++) programs.push([ins(0x20, 0, 0, w * 4), ins(0x54, 0, 0, 0xfff), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)]);
programs.push([ins(0x80, 0, 0, 0), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)], [ins(0x81, 0, 0, 0), ins(0x87, 0, 0, 0), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)]);
programs.push([ins(0x20, 0, 0, 16), ins(0x02, 0, 0, 7), ins(0x07, 0, 0, 0), ins(0x03, 0, 0, 9), ins(0x00, 0, 0, 0), ins(0x60, 0, 0, 9), ins(0x54, 0, 0, 0xfff), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)]);
programs.push([ins(0x00, 0, 0, ALLOW), ins(0x16, 0, 0, 0)]);

describe.skipIf(why !== undefined)(`instruction semantics agree with the kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  it(`on ${programs.length} directed programs x ${EDGES.length * EDGES.length} edge arguments`, () => {
    const calls = EDGES.flatMap((a) => EDGES.map((b) => ({ nr: HARMLESS.getppid, args: [BigInt(a) | (0x5a5n << 44n), BigInt(b) | (0xa5an << 44n), 0n, 0n, 0n, 0n] })));
    const filters = programs.map((p) => bytesOf(guarded(p)));
    const { ip, results } = runInKernel(filters.map((f) => ({ filters: [f], calls })));
    const e = createSeccompEngine();
    const bad: unknown[] = [];
    filters.forEach((f, i) => {
      expect([i, results[i]!.failed]).toEqual([i, -1]);
      const set = e.install([f], { abis: [X86_64] });
      calls.forEach((c, j) => {
        const a = e.evaluate(set, { nr: c.nr, ip, args: c.args });
        if (!kernelAgrees(a, results[i]!.calls[j]!)) bad.push({ program: programs[i]!.map((x) => x.map((v) => v.toString(16)).join(' ')), args: c.args.slice(0, 2).map((x) => x.toString(16)), kernel: results[i]!.calls[j], ours: a.toString(16) });
      });
      e.release(set);
    });
    expect(bad.slice(0, 4)).toEqual([]);
  });
});
