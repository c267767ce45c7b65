// The torture (issue 11) in headless Chromium: Web Workers call flat out
// through local, wrapped, async and carried handlers while the page makes
// over a thousand seeded random changes and workers attach, leave and are
// terminated around them (the browser twin of ../torture-node.test.ts; the
// oracle and its rules: ../helpers/torture.js). A terminated Web Worker runs
// no code and fires no event: systab sees it gone by its Web Lock lease
// (src/lease.ts), so the page never calls evict().
import { describe, expect, it } from 'vitest';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../../assembly/layout.js';

interface Report {
  seed: number;
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
const T = (await import('../helpers/torture.js' as string)) as Torture;

const SEED = 20261111;

/**
 * A Web Worker runs on for a moment after terminate() returns: it has ended
 * once systab has freed its worker record (its lease seen gone), or if it
 * never attached. Polled for up to 10 s.
 */
async function gone(t: Table<string, number | Promise<number>>, threadId: unknown): Promise<void> {
  const i32 = new Int32Array(t.describe().memory.buffer);
  const at = (t as unknown as { v: { at: { workers: number } } }).v.at.workers;
  const held = (): boolean => {
    for (let w = 0; w < i32[L.H_MAXW]!; w++) if (Atomics.load(i32, at + w * L.WR_WORDS + L.WR_STATE) !== L.WS_FREE && i32[at + w * L.WR_WORDS + L.WR_ID] === threadId) return true;
    return false;
  };
  for (let k = 0; k < 500 && held(); k++) await new Promise((r) => setTimeout(r, 20));
}

function spawn(data: Record<string, unknown>) {
  const w = new Worker(new URL('./torture-worker.js', import.meta.url), { type: 'module' });
  const listeners: ((m: Record<string, unknown>) => void)[] = [];
  const exits: ((code: number) => void)[] = [];
  let ended = false;
  const end = (code: number) => {
    if (ended) return;
    ended = true;
    exits.forEach((f) => f(code));
  };
  w.onmessage = (e) => (e.data.__exit ? end(0) : listeners.forEach((f) => f(e.data)));
  w.onerror = (e) => listeners.forEach((f) => f({ workerError: String(e.message) }));
  // Where each worker finds its lease word (it waits for its lease before it reports in).
  w.postMessage({ ...data, lease: { words: L.WR_WORDS, state: L.WR_STATE, id: L.WR_ID, lease: L.WR_LEASE, maxw: L.H_MAXW } });
  return {
    threadId: data.threadId,
    onMessage: (f: (m: Record<string, unknown>) => void) => listeners.push(f),
    onExit: (f: (code: number) => void) => exits.push(f),
    terminate: async () => {
      w.terminate();
      end(1);
    },
  };
}

describe('torture: the run-time change promise, Web Workers', () => {
  it(`keeps every result legal and every retired handler silent (seed ${SEED})`, async () => {
    expect(crossOriginIsolated).toBe(true);
    console.log(`torture-browser: seed ${SEED}`);
    const t = createTable({ abi, maxWorkers: 64, callTimeout: 3000, async: true });
    const r = await T.runTorture({ t, seed: SEED, node: false, evict: false, platform: { spawn, gone: (id: unknown) => gone(t, id) }, lockIndex: L.H_LOCK, minChanges: 1200, minCalls: 1_200_000, minMs: 20_000, maxMs: 60_000, log: console.log });
    console.log(T.describeReport(r));
    expect(r.failures).toEqual({});
    expect(r.violations).toEqual({ entry: 0, exit: 0 });
    expect(r.changes).toBeGreaterThanOrEqual(1000);
    expect(r.calls).toBeGreaterThanOrEqual(1_000_000);
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
