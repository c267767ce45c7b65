// The summary's counts are shared: two workers call through one table (their
// own copy of the module's code) while the main thread reads the summary;
// what main reads never goes down, and once the workers are done the counts
// are exact, each thread's counts in its own stripe, added up by any thread.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const ROUNDS = 100000;

describe('the summary across threads', () => {
  it('two workers count while main reads; the final counts are exact', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, getppid: () => 1 } });
    const tr = traceTable(t, { events: { capacity: 8 } });
    tr.summary('getpid,close');
    tr.select(['getppid']); // printed into each thread's ring (no other output)
    const traceDesc = tr.describe();
    const workers = [0, 1].map(() => new Worker(new URL('./workers/trace-summary-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc, rounds: ROUNDS } }));
    const msgs = workers.map((w) => new Promise<void>((r) => w.once('message', () => r())));
    await Promise.all(msgs);
    const done = workers.map((w) => new Promise<unknown>((r) => w.once('message', r)));
    for (const w of workers) w.postMessage({ go: true });
    // Main's own calls count too, into main's stripe.
    for (let i = 0; i < 10; i++) t.call(39);
    let last = 0;
    let reads = 0;
    let partial = 0; // reads that saw the workers part way
    let finished = false;
    void Promise.all(done).then(() => (finished = true));
    while (!finished) {
      const rows = tr.summaryRows({ sort: 'nothing' }).rows;
      const n = rows.reduce((a, r) => a + r.calls, 0);
      expect(n).toBeGreaterThanOrEqual(last);
      if (n > 10 && n < 4 * ROUNDS + 10) partial++;
      last = n;
      reads++;
      await new Promise((r) => setTimeout(r, 1));
    }
    const { rows, total } = tr.summaryRows({ sort: 'name' });
    expect(rows.map((r) => [r.name, r.calls, r.errors])).toEqual([
      ['close', 2 * ROUNDS, 2 * ROUNDS],
      ['getpid', 2 * ROUNDS + 10, 0],
    ]);
    expect(total.calls).toBe(4 * ROUNDS + 10);
    expect(total.errors).toBe(2 * ROUNDS);
    expect(total.seconds).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(0);
    expect(partial, 'main read the summary while the workers counted').toBeGreaterThan(0);
    // The text reads the same counts.
    expect(tr.summaryTable({ sort: 'calls' })).toMatch(new RegExp(`\\s${2 * ROUNDS + 10}\\s+getpid\\n`));
    // Switching the summary off stops the counting, on every thread.
    tr.summary(false);
    for (let i = 0; i < 5; i++) t.call(39);
    expect(tr.summaryRows().total.calls).toBe(4 * ROUNDS + 10);
    // Each worker's ring holds its last 8 getppid calls, run by its own (provided) code: no hop to a home.
    const { calls, dropped } = tr.events();
    expect(calls.map((c) => [c.tid, c.name, c.result, c.home]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([1, 2].flatMap((tid) => Array(8).fill([tid, 'getppid', 1, undefined])));
    expect(calls.map((c) => c.start)).toEqual(calls.map((c) => c.start).sort((a, b) => a - b));
    expect(dropped).toBe(2 * (ROUNDS - 8));
    for (const w of workers) w.postMessage({ close: true });
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    t.verify();
  });
});
