// The browser twin of threads-cache.test.ts: the page answers calls from its
// own cache of its slots' functions, and a change made in a Web Worker rings
// the page's doorbell, so it is seen at the page's very next call. The page
// never blocks (no Atomics.wait here): it awaits each change, which also lets
// the worker's unload see the page quiescent.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { cacheSteps } from '../helpers/cache.js';

describe('changes made in a Web Worker', () => {
  it('reach the page at its next call: hooks, policy, unload, load', async () => {
    expect(crossOriginIsolated).toBe(true);
    const t = createTable({ abi });
    const m = t.load({ name: 'a', handlers: { getpid: () => 1 } });
    t.provide({ name: 'b', handlers: { getppid: () => 9 } });
    const w = new Worker(new URL('./cache-worker.js', import.meta.url), { type: 'module' });
    try {
      // One message out, one answer back: the worker's answer to `msg`.
      const ask = (msg: Record<string, unknown>) =>
        new Promise<Record<string, unknown>>((res, rej) => {
          w.onmessage = (e) => res(e.data);
          w.onerror = (e) => rej(new Error(`worker error: ${e.message}`));
          w.postMessage(msg);
        });
      expect(await ask({ desc: t.describe() })).toEqual({ done: 'attach' });
      await cacheSteps(t, m, async (msg) => {
        expect(await ask(msg)).toEqual({ done: msg.op });
      });
    } finally {
      w.terminate();
    }
  });
});
