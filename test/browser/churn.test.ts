// Two Web Workers call flat out while the page loads, replaces, wraps and
// unloads modules on the same table (the browser twin of threads-churn.test.ts).
import { describe, expect, it } from 'vitest';
import { createTable, SystabError, type Module, type ModuleSpec, type WrapFactory } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const NAMES = ['read', 'write', 'close', 'getpid', 'openat', 'lseek'];
const OPS = 300;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Result { calls: number; bad: number; firstBad?: unknown }

describe('hot swap under load in Web Workers', () => {
  it('keeps every result valid and every unloaded handler silent', async () => {
    expect(crossOriginIsolated).toBe(true);
    const t = createTable({ abi });
    const nrs = NAMES.map((n) => abi.names[n]!);
    const counters = new SharedArrayBuffer(2 * 3 * 4);
    const control = new SharedArrayBuffer(3 * 4);
    const cnt = new Int32Array(counters);
    const ctl = new Int32Array(control);
    const workers = [0, 1].map(() => new Worker(new URL('./churn-worker.js', import.meta.url), { type: 'module' }));
    try {
      const ready: Promise<unknown>[] = [];
      const results = workers.map((w, index) => {
        let readyRes!: (v: unknown) => void;
        ready.push(new Promise((r) => (readyRes = r)));
        const done = new Promise<Result>((res, rej) => {
          w.onmessage = (e) => (e.data.ready ? readyRes(true) : res(e.data as Result));
          w.onerror = (e) => rej(new Error(`worker ${index}: ${e.message}`));
        });
        w.postMessage({ desc: t.describe(), index, nrs, counters, control });
        return done;
      });
      await Promise.all(ready);

      const callsOf = (m: number): number => Atomics.load(cnt, m) + Atomics.load(cnt, 3 + m);
      const rand = prng(20261127);
      const idx = { A: 0, B: 1, W: 2 } as const;
      const handles = new Map<keyof typeof idx, Module>();
      const frozen = new Map<keyof typeof idx, number>();
      const plain = (base: number) => Object.fromEntries(nrs.map((nr) => [nr, () => base + nr]));
      let changes = 0;
      let unloads = 0;
      const unloadMs: number[] = [];
      for (let op = 0; op < OPS; op++) {
        const name = (['A', 'B', 'W'] as const)[Math.floor(rand() * 3)]!;
        const f = frozen.get(name);
        if (f !== undefined) expect(callsOf(idx[name]), `${name} ran after its unload resolved`).toBe(f);
        const h = handles.get(name);
        const roll = rand();
        try {
          if (h === undefined) {
            // The page's own code: only the workers call, so it never runs here.
            const wrap: WrapFactory = (below) => () => (below(0, 0, 0, 0, 0, 0) as number) + 100000;
            const spec: ModuleSpec = name === 'W'
              ? { name, wraps: Object.fromEntries(nrs.map((nr) => [nr, wrap])) }
              : { name, handlers: plain(name === 'A' ? 1000 : 2000) };
            handles.set(name, t.load(spec));
            frozen.delete(name);
          } else if (roll < 0.3 && name !== 'W') {
            const next = t.load({ name, handlers: plain(name === 'A' ? 1000 : 2000), replace: true });
            await next.drained;
            handles.set(name, next);
          } else {
            const t0 = performance.now();
            await h.unload({ timeout: 5000 });
            unloadMs.push(performance.now() - t0);
            handles.delete(name);
            frozen.set(name, callsOf(idx[name]));
            unloads++;
          }
          changes++;
        } catch (e) {
          // A and B compete for the same calls: the loser gets EEXIST, and nothing changes.
          expect(e).toBeInstanceOf(SystabError);
          expect((e as SystabError).code).toBe('EEXIST');
        }
        if (op % 25 === 0) t.verify();
      }
      // Let the workers run on a while: an unloaded handler must stay silent.
      await new Promise((r) => setTimeout(r, 50));
      for (const [name, f] of frozen) expect(callsOf(idx[name]), `${name} ran after its unload resolved`).toBe(f);
      Atomics.store(ctl, 0, 1);
      const out = await Promise.all(results);
      t.verify();
      const total = out.reduce((s, r) => s + r.calls, 0);
      expect(out.map((r) => r.firstBad)).toEqual([undefined, undefined]);
      expect(out.map((r) => r.bad)).toEqual([0, 0]);
      expect(changes).toBeGreaterThan(OPS / 2);
      expect(unloads).toBeGreaterThan(OPS / 5);
      // Every module's code ran in the workers at some point.
      expect([0, 1, 2].map((m) => callsOf(m) > 0)).toEqual([true, true, true]);
      expect(total).toBeGreaterThan(100_000);
      unloadMs.sort((a, b) => a - b);
      console.log(`browser churn: ${changes} changes (${unloads} unloads, median ${unloadMs[unloadMs.length >> 1]!.toFixed(2)} ms), ${total} calls`);
    } finally {
      Atomics.store(ctl, 0, 1);
      for (const w of workers) w.terminate();
    }
  }, 60_000);
});
