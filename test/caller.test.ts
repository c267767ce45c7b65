// t.caller(): a home's handler knows which thread carried the call it runs
// (per-caller state at a home: a process's descriptors, say), and nothing
// else does. Real worker_threads calling one home concurrently.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

describe('caller(): who carried the call this home runs', () => {
  it('each of two workers sees its own threadId through the home\'s handler; the home\'s own call sees none', async () => {
    const t = createTable({ abi });
    t.load({ name: 'ids', handlers: { getpid: () => t.caller()?.threadId ?? -1 } });
    expect(t.call(abi.names.getpid)).toBe(-1);
    expect(t.caller()).toBeUndefined();
    const run = () => {
      const w = new Worker(new URL('./workers/caller-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), n: 200 } });
      return new Promise<{ threadId: number; answers: number[] }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    };
    // The home serves from its event loop while both workers call.
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.threadId).not.toBe(b.threadId);
    expect(new Set(a.answers)).toEqual(new Set([a.threadId]));
    expect(new Set(b.answers)).toEqual(new Set([b.threadId]));
    expect(t.caller()).toBeUndefined();
    t.verify();
  });
});
