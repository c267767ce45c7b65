// Two Web Workers call flat out while the page loads, replaces, wraps and
// unloads modules on the same table (the browser twin of threads-churn.test.ts).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { CHURN_NAMES, churn, finishChurn, type GuestResult } from '../helpers/churn.js';

const OPS = 300;

describe('hot swap under load in Web Workers', () => {
  it('keeps every result valid and every unloaded handler silent', async () => {
    expect(crossOriginIsolated).toBe(true);
    const t = createTable({ abi });
    const nrs = CHURN_NAMES.map((n) => abi.names[n]!);
    const counters = new SharedArrayBuffer(2 * 3 * 4);
    const control = new SharedArrayBuffer(3 * 4);
    const ctl = new Int32Array(control);
    const workers = [0, 1].map(() => new Worker(new URL('./churn-worker.js', import.meta.url), { type: 'module' }));
    try {
      const ready: Promise<unknown>[] = [];
      const results = workers.map((w, index) => {
        let readyRes!: (v: unknown) => void;
        ready.push(new Promise((r) => (readyRes = r)));
        const done = new Promise<GuestResult>((res, rej) => {
          w.onmessage = (e) => (e.data.ready ? readyRes(true) : res(e.data as GuestResult));
          w.onerror = (e) => rej(new Error(`worker ${index}: ${e.message}`));
        });
        w.postMessage({ desc: t.describe(), index, nrs, counters, control });
        return done;
      });
      await Promise.all(ready);

      const run = await churn(t, nrs, counters, OPS, 25);
      const total = await finishChurn(t, run, OPS, ctl, results);
      expect(run.unloads).toBeGreaterThan(OPS / 5);
      // Every module's code ran in the workers at some point.
      expect([0, 1, 2].map((m) => run.callsOf(m) > 0)).toEqual([true, true, true]);
      expect(total).toBeGreaterThan(100_000);
      run.unloadMs.sort((a, b) => a - b);
      console.log(`browser churn: ${run.changes} changes (${run.unloads} unloads, median ${run.unloadMs[run.unloadMs.length >> 1]!.toFixed(2)} ms), ${total} calls`);
    } finally {
      Atomics.store(ctl, 0, 1);
      for (const w of workers) w.terminate();
    }
  }, 60_000);
});
