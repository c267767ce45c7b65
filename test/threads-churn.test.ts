// Two worker threads call flat out while the main thread loads, replaces,
// wraps and unloads modules thousands of times on the same table.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { CHURN_NAMES, churn, finishChurn, type GuestResult } from './helpers/churn.js';

const OPS = 3000;

describe('hot swap under load', () => {
  it('keeps every result valid and every unloaded handler silent', async () => {
    const t = createTable({ abi });
    const nrs = CHURN_NAMES.map((n) => abi.names[n]!);
    const counters = new SharedArrayBuffer(2 * 3 * 4);
    const control = new SharedArrayBuffer(3 * 4);
    const ctl = new Int32Array(control);
    const workers = [0, 1].map(
      (index) => new Worker(new URL('./workers/churn-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), index, nrs, counters, control } }),
    );
    const ready = workers.map((w) => new Promise((res) => w.once('message', res)));
    const results = workers.map((w) => new Promise<GuestResult>((res, rej) => {
      w.on('message', (m) => { if (!m.ready) res(m); });
      w.on('error', rej);
    }));
    await Promise.all(ready);

    const run = await churn(t, nrs, counters, OPS, 100);
    const total = await finishChurn(t, run, OPS, ctl, results);
    expect(total).toBeGreaterThan(1_000_000);
  }, 60_000);
});
