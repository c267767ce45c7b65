// The interpreter against the Linux kernel: random programs (fast-check)
// that the kernel accepts run in a child process on harmless calls with
// chosen arguments, one filter and stacks of up to 8; every action's
// observable result (the errno, the SIGSYS data, the kill) must be the one
// systab's action implies. Programs are guarded so that the child can keep
// installing filters and returning from signals (see guarded()).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeccompEngine, type SeccompFilters } from '../src/seccomp/engine.js';
import { SystabError } from '../src/errors.js';
import { kernelAgrees, HARMLESS, kernelUnavailable, runInKernel, type KernelCase } from './helpers/seccomp-kernel.js';
import { arbArg, arbValidProgram, bytesOf, constsOf, guarded } from './helpers/seccomp-programs.js';

const why = kernelUnavailable();
const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
// x32 numbers too (__X32_SYSCALL_BIT): the filter sees them whether or not the kernel runs x32 calls.
const NRS = [...Object.values(HARMLESS), 0x40000000 | HARMLESS.getpid, 0x40000000 | HARMLESS.getppid];
// About 110,000 (program, call) pairs; SYSTAB_SECCOMP_SCALE=3 runs three times as many.
const SCALE = Number(process.env.SYSTAB_SECCOMP_SCALE ?? 1);

interface Case extends KernelCase {
  seed: number;
}

function cases(seed: number, n: number, filters: fc.Arbitrary<number>, calls: number): Case[] {
  const arb = filters.chain((k) =>
    fc.array(fc.constantFrom([0, 1, 4, 8, 12, 0x39, 0xffffffff], [0, 24, 39, 102, 110, 0x40000027], [16, 20, 0xc000003e, 0x40000000]).chain((c) => arbValidProgram(c)), { minLength: k, maxLength: k }).chain((progs) => {
      const consts = [...new Set(progs.flatMap(constsOf))];
      return fc.tuple(fc.constant(progs), fc.array(fc.record({ nr: fc.constantFrom(...NRS), args: fc.array(arbArg(consts), { minLength: 6, maxLength: 6 }) }), { minLength: calls, maxLength: calls }));
    }),
  );
  return fc.sample(arb, { numRuns: n, seed }).map(([progs, cs], i) => ({ seed, filters: progs.map((p) => bytesOf(guarded(p))), calls: cs, i }));
}

function compare(all: Case[]): { pairs: number; accepted: number; seen: Set<string> } {
  const { ip, results } = runInKernel(all);
  const engine = createSeccompEngine();
  let pairs = 0;
  let accepted = 0;
  const seen = new Set<string>();
  const bad: unknown[] = [];
  all.forEach((c, i) => {
    const r = results[i]!;
    let f: SeccompFilters | undefined;
    try {
      f = engine.install(c.filters, { abis: [X86_64] });
    } catch (e) {
      if (!(e instanceof SystabError)) throw e;
    }
    if ((f === undefined) !== (r.failed !== -1)) bad.push({ i, what: 'install', kernel: r, ours: f === undefined ? 'refused' : 'accepted' });
    if (f === undefined || r.failed !== -1) return;
    accepted++;
    c.calls.forEach((call, j) => {
      const data = { nr: call.nr, ip, args: call.args };
      const a = engine.evaluate(f, data);
      const u = engine.evaluateUncached(f, data);
      pairs++;
      seen.add(r.calls[j]!.split(' ')[0]!);
      if (a !== u || !kernelAgrees(a, r.calls[j]!)) bad.push({ seed: c.seed, i, j, kernel: r.calls[j], action: a.toString(16), uncached: u.toString(16), call, filters: c.filters.map((b) => Buffer.from(b).toString('hex')) });
    });
    engine.release(f);
  });
  expect(bad.slice(0, 3)).toEqual([]);
  console.log(`seccomp kernel oracle: ${all.length} cases, ${accepted} accepted, ${pairs} (program, call) pairs compared`);
  return { pairs, accepted, seen };
}

describe.skipIf(why !== undefined)(`the interpreter agrees with the kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  it(`on one filter: ${2000 * SCALE} random programs x 50 calls`, () => {
    const seed = Date.now() % 100000;
    const { pairs, accepted, seen } = compare(cases(seed, 2000 * SCALE, fc.constant(1), 50));
    expect(accepted).toBeGreaterThan(1700 * SCALE);
    expect(pairs).toBeGreaterThan(85000 * SCALE);
    // Every kind of outcome happened: a return value, a trap, a kill.
    expect([...seen].sort()).toEqual(['K', 'R', 'T']);
  });

  it(`on stacks of 2 to 8 filters: ${400 * SCALE} random stacks x 40 calls`, () => {
    const seed = Date.now() % 100000;
    const { pairs, accepted } = compare(cases(seed, 400 * SCALE, fc.integer({ min: 2, max: 8 }), 40));
    expect(accepted).toBeGreaterThan(260 * SCALE);
    expect(pairs).toBeGreaterThan(10400 * SCALE);
  });
});
