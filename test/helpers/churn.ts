// The main-thread side of the churn tests (Node and browser): a seeded run of
// loads, hot swaps, wraps and unloads of modules A, B and W over `nrs`, while
// guest threads call them. After each unload resolves the module's call
// counter (written by the guests) must never move again.
import { expect } from 'vitest';
import { SystabError, type Module, type ModuleSpec, type Table, type WrapFactory } from 'systab';

/** The calls the guests make (x86_64 names). */
export const CHURN_NAMES = ['read', 'write', 'close', 'getpid', 'openat', 'lseek'];

/** What a guest thread reports when it stops. */
export interface GuestResult { calls: number; bad: number; firstBad?: unknown }

const IDX = { A: 0, B: 1, W: 2 } as const;
type Name = keyof typeof IDX;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Churn {
  changes: number;
  unloads: number;
  unloadMs: number[];
  /** Calls module m's code made in all guests (A 0, B 1, W 2). */
  callsOf(m: number): number;
  /** Asserts no unloaded module's code has run since its unload resolved. */
  checkFrozen(): void;
}

export async function churn(t: Table, nrs: number[], counters: SharedArrayBuffer, ops: number, verifyEvery: number): Promise<Churn> {
  const cnt = new Int32Array(counters);
  const callsOf = (m: number): number => Atomics.load(cnt, m) + Atomics.load(cnt, 3 + m);
  const rand = prng(20261127);
  const handles = new Map<Name, Module>();
  const frozen = new Map<Name, number>();
  const checkFrozen = (): void => {
    for (const [name, f] of frozen) expect(callsOf(IDX[name]), `${name} ran after its unload resolved`).toBe(f);
  };
  // This thread's own code: only the guests call, so it never runs here.
  const plain = (base: number) => Object.fromEntries(nrs.map((nr) => [nr, () => base + nr]));
  const wrap: WrapFactory = (below) => () => (below(0, 0, 0, 0, 0, 0) as number) + 100000;
  const out: Churn = { changes: 0, unloads: 0, unloadMs: [], callsOf, checkFrozen };
  for (let op = 0; op < ops; op++) {
    const name = (['A', 'B', 'W'] as const)[Math.floor(rand() * 3)]!;
    checkFrozen();
    const h = handles.get(name);
    const roll = rand();
    try {
      if (h === undefined) {
        const spec: ModuleSpec = name === 'W' ? { name, wraps: Object.fromEntries(nrs.map((nr) => [nr, wrap])) } : { name, handlers: plain(name === 'A' ? 1000 : 2000) };
        handles.set(name, t.load(spec));
        frozen.delete(name);
      } else if (roll < 0.3 && name !== 'W') {
        const next = t.load({ name, handlers: plain(name === 'A' ? 1000 : 2000), replace: true });
        await next.drained;
        handles.set(name, next);
      } else {
        const t0 = performance.now();
        await h.unload({ timeout: 5000 });
        out.unloadMs.push(performance.now() - t0);
        handles.delete(name);
        frozen.set(name, callsOf(IDX[name]));
        out.unloads++;
      }
      out.changes++;
    } catch (e) {
      // A and B compete for the same calls: the loser gets EEXIST, and nothing changes.
      expect(e).toBeInstanceOf(SystabError);
      expect((e as SystabError).code).toBe('EEXIST');
    }
    if (op % verifyEvery === 0) t.verify();
  }
  return out;
}

/**
 * The end of a churn test: the guests run on a while (an unloaded handler must
 * stay silent), are told to stop through `ctl`, and every result they saw was
 * valid. Returns the calls the guests made.
 */
export async function finishChurn(t: Table, run: Churn, ops: number, ctl: Int32Array, results: Promise<GuestResult>[]): Promise<number> {
  await new Promise((r) => setTimeout(r, 50));
  run.checkFrozen();
  Atomics.store(ctl, 0, 1);
  const out = await Promise.all(results);
  t.verify();
  expect(out.map((r) => r.firstBad)).toEqual(out.map(() => undefined));
  expect(out.map((r) => r.bad)).toEqual(out.map(() => 0));
  expect(run.changes).toBeGreaterThan(ops / 2);
  return out.reduce((s, r) => s + r.calls, 0);
}
