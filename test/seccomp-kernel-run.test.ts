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
import { expectedObservation, HARMLESS, kernelUnavailable, runInKernel, type KernelCase } from './helpers/seccomp-kernel.js';
import { arbArg, arbValidProgram, bytesOf, constsOf, guarded } from './helpers/seccomp-programs.js';

const why = kernelUnavailable();
const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
const NRS = Object.values(HARMLESS);
// SYSTAB_SECCOMP_SCALE=3 runs three times as many programs (over 200,000 pairs).
const SCALE = Number(process.env.SYSTAB_SECCOMP_SCALE ?? 1);

interface Case extends KernelCase {
  seed: number;
}

function cases(seed: number, n: number, filters: fc.Arbitrary<number>, calls: number): Case[] {
  const arb = filters.chain((k) =>
    fc.array(fc.constantFrom([0, 1, 4, 8, 12, 0x39, 0xffffffff], [0, 24, 39, 102, 110], [16, 20, 0xc000003e]).chain((c) => arbValidProgram(c)), { minLength: k, maxLength: k }).chain((progs) => {
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
      const want = expectedObservation(a);
      pairs++;
      seen.add(r.calls[j]!.split(' ')[0]!);
      if (a !== u || !want.includes(r.calls[j]!)) bad.push({ seed: c.seed, i, j, kernel: r.calls[j], action: a.toString(16), uncached: u.toString(16), call, filters: c.filters.map((b) => Buffer.from(b).toString('hex')) });
    });
    engine.release(f);
  });
  expect(bad.slice(0, 3)).toEqual([]);
  console.log(`seccomp kernel oracle: ${all.length} cases, ${accepted} accepted, ${pairs} (program, call) pairs compared`);
  return { pairs, accepted, seen };
}

describe.skipIf(why !== undefined)(`the interpreter agrees with the kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  it(`on one filter: ${1000 * SCALE} random programs x 50 calls`, () => {
    const seed = Date.now() % 100000;
    const { pairs, accepted, seen } = compare(cases(seed, 1000 * SCALE, fc.constant(1), 50));
    expect(accepted).toBeGreaterThan(800 * SCALE);
    expect(pairs).toBeGreaterThan(40000 * SCALE);
    // Every kind of outcome happened: allowed, errno, trap, kill.
    expect([...seen].sort()).toEqual(['A', 'K', 'R', 'T']);
  });

  it(`on stacks of 2 to 8 filters: ${200 * SCALE} random stacks x 40 calls`, () => {
    const seed = Date.now() % 100000;
    const { pairs, accepted } = compare(cases(seed, 200 * SCALE, fc.integer({ min: 2, max: 8 }), 40));
    expect(accepted).toBeGreaterThan(130 * SCALE);
    expect(pairs).toBeGreaterThan(5200 * SCALE);
  });
});
