// The event rings are shared: a worker's printed calls land in its own ring,
// and the main thread exports every thread's as one Perfetto trace, a track
// per thread; a call the worker makes into main's module (carried to main)
// carries main as its home, drawn as a flow arrow to main's track.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const GETPID = 39, GETPPID = 110;
const lines: LineMaker = { enter: (nr) => String(nr), exit: (p, r) => `${p as string} = ${r}\n` };

describe('event rings across threads', () => {
  it('main exports the worker’s calls on the worker’s track; a carried call names its home', async () => {
    const t = createTable({ abi });
    t.load({ name: 'main-mod', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t, { sink: () => {}, lines, events: { capacity: 64 } });
    tr.select(['getpid', 'getppid']);
    const w = new Worker(new URL('./workers/trace-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc: tr.describe() } });
    const results: unknown[] = [];
    let wake: (() => void) | undefined;
    w.on('message', (m: { result?: unknown; ready?: boolean }) => {
      if ('result' in m) results.push(m.result);
      if (m.ready || 'result' in m) wake?.();
    });
    const next = () => new Promise<void>((r) => (wake = r));
    const call = async (nr: number) => {
      const p = next();
      w.postMessage({ nr, args: [] });
      // The worker's getpid is carried here: serve it while waiting.
      while (!(await Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1))]))) t.poll();
      return results.at(-1);
    };
    try {
      await next();
      expect(await call(GETPPID)).toBe(77);
      expect(await call(GETPID)).toBe(4242);
      expect(t.call(GETPID)).toBe(4242);
      const doc = JSON.parse(tr.exportPerfetto()) as { traceEvents: { ph: string; name: string; tid: number; ts: number; dur?: number; id?: number; args?: Record<string, unknown> }[] };
      for (const e of doc.traceEvents) for (const k of ['ph', 'ts', 'pid', 'tid', 'name']) expect(e).toHaveProperty(k);
      const slices = doc.traceEvents.filter((e) => e.ph === 'X');
      expect(slices.map((s) => [s.name, s.tid, s.args!.home])).toEqual([
        ['sys_getppid', 1, undefined],
        ['sys_getpid', 1, 0],
        ['sys_getpid', 0, undefined],
      ]);
      const names = doc.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]);
      expect(names).toEqual([[0, expect.stringMatching(/^thread 0 \(threadId 0\)$/)], [1, `thread 1 (threadId ${w.threadId})`]]);
      const [s, f] = [doc.traceEvents.find((e) => e.ph === 's')!, doc.traceEvents.find((e) => e.ph === 'f')!];
      expect([s.tid, f.tid, s.id === f.id]).toEqual([1, 0, true]);
      const carried = slices[1]!;
      expect(f.ts).toBeGreaterThanOrEqual(carried.ts);
      expect(f.ts).toBeLessThanOrEqual(carried.ts + carried.dur!);
      expect(tr.events().calls.map((c) => [c.tid, c.name, c.result])).toEqual([[1, 'getppid', 77], [1, 'getpid', 4242], [0, 'getpid', 4242]]);
      t.verify();
    } finally {
      w.postMessage({ close: true });
      await new Promise((r) => w.once('exit', r));
    }
  });
});
