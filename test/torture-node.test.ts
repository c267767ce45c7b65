// The torture (issue 11): Node worker_threads call flat out through local,
// wrapped, async and carried handlers while the main thread makes over a
// thousand seeded random changes and workers attach, leave and are
// terminated around them; every result is checked against the versions that
// were legal during the call, and every handler checks its retired flag on
// entry and exit. The oracle and its exact rules: test/helpers/torture.js.
//
//   SEED=123 npx vitest run test/torture-node.test.ts   a given change sequence
//   EVICT=1 ...                                         evict() terminated workers
//   npm run soak -- --minutes 10                        random seeds for a while
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';

interface Report {
  seed: number;
  stop: string;
  changes: number;
  calls: number;
  ops: Record<string, number>;
  spawned: Record<string, number>;
  callStats: Record<string, number>;
  violations: { entry: number; exit: number };
  failures: Record<string, number>;
  verifies: number;
}
interface Torture {
  runTorture(opts: object): Promise<Report>;
  describeReport(r: Report): string;
}
// Plain JS, shared with the workers (no declarations): imported untyped.
const T = (await import('./helpers/torture.js' as string)) as Torture;

const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : 20261111;
const EVICT = process.env.EVICT === '1';

function spawn(data: Record<string, unknown>) {
  const w = new Worker(new URL('./workers/torture-worker.mjs', import.meta.url), { workerData: data });
  const listeners: ((m: Record<string, unknown>) => void)[] = [];
  w.on('message', (m) => listeners.forEach((f) => f(m)));
  w.on('error', (e) => listeners.forEach((f) => f({ workerError: String(e?.stack ?? e) })));
  return {
    threadId: w.threadId,
    onMessage: (f: (m: Record<string, unknown>) => void) => listeners.push(f),
    onExit: (f: (code: number) => void) => w.once('exit', f),
    terminate: () => w.terminate(),
  };
}

describe('torture: the run-time change promise, Node worker_threads', () => {
  it(`keeps every result legal and every retired handler silent (seed ${SEED}${EVICT ? ', evict' : ''})`, async () => {
    console.log(`torture-node: seed ${SEED} (SEED=${SEED} reproduces the change sequence), evict ${EVICT}`);
    const t = createTable({ abi, maxWorkers: 64, callTimeout: 3000, async: true });
    const r = await T.runTorture({ t, seed: SEED, node: true, evict: EVICT, platform: { spawn }, lockIndex: L.H_LOCK, minChanges: 1200, minCalls: 1_200_000, minMs: 25_000, maxMs: 60_000, log: console.log });
    console.log(T.describeReport(r));
    expect(r.failures).toEqual({});
    expect(r.violations).toEqual({ entry: 0, exit: 0 });
    expect(r.changes).toBeGreaterThanOrEqual(1000);
    expect(r.calls).toBeGreaterThanOrEqual(1_000_000);
    // What the run was meant to cover did happen.
    const s = r.callStats;
    expect({ local: s.local! > 0, exact: s.exact! > 0, wrapped: s.wrapped! > 0, async: s.asyncResults! > 0, bursts: s.bursts! > 0, enosys: s.enosys! > 0 }).toEqual({ local: true, exact: true, wrapped: true, async: true, bursts: true, enosys: true });
    for (const op of ['load', 'load wrap', 'replace', 'replace dropping calls', 'unload', 'unload wrap', 'reserve', 'release', 'hooks', 'setMissing', 'home spawned', 'home unloads', 'worker attaches', 'home cleanup']) {
      expect(r.ops[op] ?? 0, `op "${op}"`).toBeGreaterThan(0);
    }
    expect(r.spawned.terminated, 'workers terminated').toBeGreaterThan(0);
    expect(r.spawned.closed! + r.spawned.normal!, 'workers that left by themselves').toBeGreaterThan(0);
    expect(r.verifies).toBeGreaterThan(10);
  }, 120_000);
});
