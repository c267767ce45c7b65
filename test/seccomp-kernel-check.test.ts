// The checker against the Linux kernel: every program, valid or not, is
// installed by seccomp(2) in a child process and by install(); both accept or
// both refuse, with the kernel's errno (EINVAL, or ENOMEM for a stack over
// its instruction limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { SystabError } from '../src/errors.js';
import { kernelUnavailable, runInKernel } from './helpers/seccomp-kernel.js';
import { ALLOW, arbAnyProgram, arbValidProgram, bytesOf, constant, ins } from './helpers/seccomp-programs.js';

const why = kernelUnavailable();
const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
const errnoOf = (code: string): number => ({ EINVAL: 22, ENOMEM: 12 })[code] ?? -1;

/** [failed filter index or -1, errno] from install(), in the kernel's terms. */
function ours(filters: readonly Uint8Array[]): [number, number] {
  const e = createSeccompEngine();
  try {
    e.install(filters, { abis: [X86_64] });
    return [-1, 0];
  } catch (err) {
    if (!(err instanceof SystabError)) throw err;
    const m = /filter (\d+)/.exec(err.message);
    return [m ? Number(m[1]) : -2, errnoOf(err.code)];
  }
}

// One engine for the single-filter cases; each accepted set is released again.
const engine = createSeccompEngine();
function oursOne(p: Uint8Array): [number, number] {
  try {
    engine.release(engine.install([p], { abis: [X86_64] }));
    return [-1, 0];
  } catch (err) {
    if (!(err instanceof SystabError)) throw err;
    return [0, errnoOf(err.code)];
  }
}

describe.skipIf(why !== undefined)(`the checker agrees with the kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  it('on hand-made edge cases of every rule', () => {
    const progs: number[][][] = [
      [], // no instruction
      [ins(0x06, 0, 0, ALLOW)],
      [ins(0x00, 0, 0, 0)], // no return last
      [ins(0x34, 0, 0, 0), ins(0x06, 0, 0, 0)], // DIV K 0
      [ins(0x94, 0, 0, 3), ins(0x06, 0, 0, 0)], // MOD: classic, not seccomp
      [ins(0x94, 0, 0, 0), ins(0x06, 0, 0, 0)], // MOD K 0
      [ins(0x64, 0, 0, 31), ins(0x06, 0, 0, 0)],
      [ins(0x64, 0, 0, 32), ins(0x06, 0, 0, 0)],
      [ins(0x74, 0, 0, 32), ins(0x06, 0, 0, 0)],
      [ins(0x02, 0, 0, 15), ins(0x60, 0, 0, 15), ins(0x06, 0, 0, 0)],
      [ins(0x02, 0, 0, 16), ins(0x06, 0, 0, 0)],
      [ins(0x60, 0, 0, 0), ins(0x06, 0, 0, 0)], // M[0] never stored
      [ins(0x20, 0, 0, 0), ins(0x15, 0, 1, 1), ins(0x02, 0, 0, 3), ins(0x60, 0, 0, 3), ins(0x16, 0, 0, 0)], // stored on one path only
      [ins(0x02, 0, 0, 3), ins(0x20, 0, 0, 0), ins(0x15, 0, 1, 1), ins(0x00, 0, 0, 1), ins(0x60, 0, 0, 3), ins(0x16, 0, 0, 0)], // on both
      [ins(0x02, 0, 0, 2), ins(0x06, 0, 0, 0), ins(0x60, 0, 0, 2), ins(0x06, 0, 0, 0)], // unreachable, state flows past the return
      [ins(0x06, 0, 0, 0), ins(0x60, 0, 0, 2), ins(0x06, 0, 0, 0)],
      [ins(0x05, 0, 0, 0), ins(0x06, 0, 0, 0)],
      [ins(0x05, 0, 0, 1), ins(0x06, 0, 0, 0)], // JA past the end
      [ins(0x15, 0, 0, 0), ins(0x06, 0, 0, 0)],
      [ins(0x15, 1, 0, 0), ins(0x06, 0, 0, 0)],
      [ins(0x15, 0, 1, 0), ins(0x06, 0, 0, 0)],
      ...[0, 4, 8, 12, 60, 61, 62, 63, 64, 68, 0xfffff000, 0xfffff004].map((k) => [ins(0x20, 0, 0, k), ins(0x16, 0, 0, 0)]),
      [ins(0x28, 0, 0, 0), ins(0x06, 0, 0, 0)], // LD H ABS
      [ins(0x30, 0, 0, 0), ins(0x06, 0, 0, 0)], // LD B ABS
      [ins(0x40, 0, 0, 0), ins(0x06, 0, 0, 0)], // LD W IND
      [ins(0xb1, 0, 0, 0), ins(0x06, 0, 0, 0)], // LDX MSH
      [ins(0x80, 0, 0, 0), ins(0x16, 0, 0, 0)], // LEN
      [ins(0x81, 0, 0, 0), ins(0x87, 0, 0, 0), ins(0x16, 0, 0, 0)],
      [ins(0x0e, 0, 0, 0), ins(0x06, 0, 0, 0)], // RET X is no opcode
      [ins(0x1006, 0, 0, 0)],
      [ins(0x3c, 0, 0, 0), ins(0x06, 0, 0, 0)], // DIV X is fine
    ];
    const bytes = progs.map(bytesOf);
    bytes.push(constant(ALLOW, 4096), constant(ALLOW, 4097));
    const { results } = runInKernel(bytes.map((b) => ({ filters: [b], calls: [] })));
    const kernel = results.map((r) => [r.failed, r.errno]);
    expect(bytes.map(oursOne)).toEqual(kernel);
    // Both kinds occur, so the comparison can fail either way.
    expect(kernel.filter(([f]) => f === -1).length).toBeGreaterThan(8);
    expect(kernel.filter(([f]) => f === 0).length).toBeGreaterThan(8);
  });

  it('on 2,500 random programs, valid and not (fast-check)', () => {
    const seed = Date.now() % 100000;
    const any = fc.sample(arbAnyProgram, { numRuns: 1500, seed });
    const valid = fc.sample(arbValidProgram([0, 1, 4, 8]), { numRuns: 1000, seed: seed + 1 });
    const bytes = [...any, ...valid].map(bytesOf);
    const { results } = runInKernel(bytes.map((b) => ({ filters: [b], calls: [] })));
    const kernel = results.map((r) => [r.failed, r.errno]);
    const mine = bytes.map(oursOne);
    const differ = bytes.flatMap((b, i) => (mine[i]![0] !== kernel[i]![0] || mine[i]![1] !== kernel[i]![1] ? [{ i, seed, kernel: kernel[i], mine: mine[i], hex: Buffer.from(b).toString('hex') }] : []));
    expect(differ.slice(0, 5)).toEqual([]);
    const accepted = kernel.filter(([f]) => f === -1).length;
    expect(accepted).toBeGreaterThan(300);
    expect(kernel.length - accepted).toBeGreaterThan(300);
  });

  // The kernel counts each filter's eBPF translation: constant(a, n) is n + 4 there (3 of prologue, RET K 2).
  it("on stacks at the kernel's instruction limit: 32,768 translated, 4 more per filter below the newest (ENOMEM)", () => {
    const stacks: Uint8Array[][] = [
      Array.from({ length: 8 }, () => constant(ALLOW, 4096)), // 4100 + 7 * 4104 > 32768: the 8th fails
      Array.from({ length: 7 }, () => constant(ALLOW, 4096)),
      // n filters summing with penalties to exactly 32768, then one more instruction.
      [...Array.from({ length: 7 }, () => constant(ALLOW, 4096)), constant(ALLOW, 32768 - 7 * 4104 - 4)],
      [...Array.from({ length: 7 }, () => constant(ALLOW, 4096)), constant(ALLOW, 32768 - 7 * 4104 - 3)],
      [...Array.from({ length: 100 }, () => constant(ALLOW, 1)), constant(ALLOW, 4096)],
      // Many small filters (the kernel's memory for programs gives out past ~3,600 filters here, another ENOMEM).
      Array.from({ length: 481 }, () => constant(ALLOW, 60)), // 480 * 68 + 64 = 32704
      Array.from({ length: 482 }, () => constant(ALLOW, 60)), // 481 * 68 + 64 = 32772
      [constant(ALLOW, 10), constant(ALLOW, 0), constant(ALLOW, 10)], // EINVAL in the middle
      // Instructions that translate longer: jumps both ways, K with bit 31, DIV X, RET A.
      ...[
        [ins(0x20, 0, 0, 0), ins(0x15, 1, 1, 5), ins(0x00, 0, 0, 0)],
        [ins(0x20, 0, 0, 0), ins(0x15, 0, 1, 0x80000000), ins(0x00, 0, 0, 0)],
        [ins(0x20, 0, 0, 0), ins(0x45, 0, 1, 7), ins(0x00, 0, 0, 0)],
        [ins(0x20, 0, 0, 0), ins(0x25, 0, 1, 7), ins(0x00, 0, 0, 0)],
        [ins(0x01, 0, 0, 1), ins(0x3c, 0, 0, 0), ins(0x00, 0, 0, 0)],
        [ins(0x1d, 1, 1, 0), ins(0x00, 0, 0, 0), ins(0x00, 0, 0, 0)],
      ].flatMap((unit) => {
        // Filters of 4096: the unit repeated, padded, then RET A with A = ALLOW (the next seccomp() must pass).
        const body = Array.from({ length: Math.floor(4094 / unit.length) }, () => unit).flat();
        const f = bytesOf([...body, ...Array.from({ length: 4094 - body.length }, () => ins(0x00, 0, 0, 0)), ins(0x00, 0, 0, ALLOW), ins(0x16, 0, 0, 0)]);
        return [2, 5, 6, 7].map((n) => Array.from({ length: n }, () => f));
      }),
    ];
    const { results } = runInKernel(stacks.map((filters) => ({ filters, calls: [] })));
    const kernel = results.map((r) => [r.failed, r.errno]);
    expect(kernel.every(([, e]) => e! >= 0)).toBe(true); // no filter killed a later seccomp()
    expect(stacks.map(ours)).toEqual(kernel);
    expect(kernel.filter(([, e]) => e === 12).length).toBeGreaterThan(6);
    expect(kernel.filter(([f]) => f === -1).length).toBeGreaterThan(6);
  });
});
