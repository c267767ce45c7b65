// One trace per table across threads: traceTable() on a second thread is
// EBUSY naming the thread that made it (two traces would switch off each
// other's reasons), attachTrace() joins; the maker's close() frees the table
// for a new trace, and so does the eviction of a maker that never closed.
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { attachTrace, traceTable, type TraceDescriptor } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const next = (w: Worker): Promise<{ made?: TraceDescriptor; closed?: boolean }> => new Promise((ok, no) => (w.once('message', ok), w.once('error', no)));
const error = (f: () => unknown): SystabError | undefined => {
  try {
    f();
  } catch (e) {
    return e as SystabError;
  }
  return undefined;
};

it("a second traceTable() on another thread is EBUSY; attachTrace() joins; the maker's close() frees the table", async () => {
  const t = createTable({ abi, maxWorkers: 4 });
  t.load({ name: 'm', handlers: { getpid: () => 7 } });
  const w = new Worker(new URL('./workers/trace-claim-worker.mjs', import.meta.url), { workerData: { desc: t.describe() } });
  const { made } = await next(w);
  const e = error(() => traceTable(t));
  expect(e).toBeInstanceOf(SystabError);
  expect(e).toMatchObject({ code: 'EBUSY', message: expect.stringContaining(`made by another thread (worker record 1, thread id ${w.threadId})`) });
  // Nothing of a trace was left on this thread: joining works, and its summary is the maker's.
  const joined = attachTrace(t, made!);
  for (let i = 0; i < 3; i++) t.call(39);
  expect(joined.summaryRows().rows.map((r) => [r.name, r.calls])).toEqual([['getpid', 3]]);
  joined.close();
  w.postMessage({ close: true });
  await next(w);
  const mine = traceTable(t); // the maker closed: the table is free
  expect(error(() => traceTable(t))).toMatchObject({ code: 'EBUSY' }); // this thread's own, as before
  mine.close();
  traceTable(t).close(); // and free again after this thread's close()
  t.verify();
  await w.terminate();
  t.close();
});

it('a maker terminated without close(): once its record is evicted, the next traceTable() takes the table over', async () => {
  const t = createTable({ abi, maxWorkers: 4 });
  const w = new Worker(new URL('./workers/trace-claim-worker.mjs', import.meta.url), { workerData: { desc: t.describe() } });
  await next(w);
  const id = w.threadId;
  await w.terminate();
  t.evict(id);
  const tr = traceTable(t);
  tr.summary(true);
  t.verify();
  tr.close();
  t.close();
});
