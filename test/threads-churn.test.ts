// Two worker threads call flat out while the main thread loads, replaces,
// wraps and unloads modules thousands of times on the same table.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable, SystabError, type Handler, type Module, type ModuleSpec } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const NAMES = ['read', 'write', 'close', 'getpid', 'openat', 'lseek'];
const OPS = 3000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('hot swap under load', () => {
  it('keeps every result valid and every unloaded handler silent', async () => {
    const t = createTable({ abi });
    const nrs = NAMES.map((n) => abi.names[n]!);
    const counters = new SharedArrayBuffer(2 * 3 * 4);
    const control = new SharedArrayBuffer(3 * 4);
    const cnt = new Int32Array(counters);
    const ctl = new Int32Array(control);
    const workers = [0, 1].map(
      (index) => new Worker(new URL('./workers/churn-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), index, nrs, counters, control } }),
    );
    const results = workers.map((w) => new Promise<{ calls: number; bad: number; firstBad?: unknown }>((res, rej) => {
      w.on('message', (m) => { if (!m.ready) res(m); });
      w.on('error', rej);
    }));
    await Promise.all(workers.map((w) => new Promise((res) => w.once('message', res))));

    const callsOf = (m: number): number => cnt[m]! + cnt[3 + m]!;
    const rand = prng(20261127);
    const handles = new Map<string, Module>();
    const frozen = new Map<'A' | 'B' | 'W', number>();
    const idx = { A: 0, B: 1, W: 2 } as const;
    const plain = (base: number) => Object.fromEntries(nrs.map((nr) => [nr, () => base + nr]));
    let changes = 0;
    for (let op = 0; op < OPS; op++) {
      const name = (['A', 'B', 'W'] as const)[Math.floor(rand() * 3)]!;
      const f = frozen.get(name);
      if (f !== undefined) expect(callsOf(idx[name]), `${name} ran after its unload resolved`).toBe(f);
      const h = handles.get(name);
      const roll = rand();
      try {
        if (h === undefined) {
          const spec: ModuleSpec = name === 'W'
            ? { name, wraps: Object.fromEntries(nrs.map((nr) => [nr, (below: Handler) => () => (below(0, 0, 0, 0, 0, 0) as number) + 100000])) }
            : { name, handlers: plain(name === 'A' ? 1000 : 2000) };
          handles.set(name, t.load(spec));
          frozen.delete(name);
        } else if (roll < 0.3 && name !== 'W') {
          const next = t.load({ name, handlers: plain(name === 'A' ? 1000 : 2000), replace: true });
          await next.drained;
          handles.set(name, next);
        } else {
          await h.unload({ timeout: 5000 });
          handles.delete(name);
          frozen.set(name, callsOf(idx[name]));
        }
        changes++;
      } catch (e) {
        // A and B compete for the same calls: the loser gets EEXIST, and nothing changes.
        expect(e).toBeInstanceOf(SystabError);
        expect((e as SystabError).code).toBe('EEXIST');
      }
      if (op % 100 === 0) t.verify();
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const [name, f] of frozen) expect(callsOf(idx[name]), `${name} ran after its unload resolved`).toBe(f);
    Atomics.store(ctl, 0, 1);
    const out = await Promise.all(results);
    t.verify();
    const total = out.reduce((s, r) => s + r.calls, 0);
    expect(out.map((r) => r.firstBad)).toEqual([undefined, undefined]);
    expect(out.map((r) => r.bad)).toEqual([0, 0]);
    expect(changes).toBeGreaterThan(OPS / 2);
    expect(total).toBeGreaterThan(1_000_000);
  }, 60_000);
});
