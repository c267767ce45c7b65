// A cross-origin isolated page shares its table with a Web Worker: the worker
// sees the page's module (its calls carried to the page, whose main thread
// never blocks), and the page's calls to the worker's module come back as promises.
import { describe, expect, it } from 'vitest';
import { attach, createTable, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

function reply(w: Worker): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    w.onmessage = (e) => res(e.data);
    w.onerror = (e) => rej(new Error(`worker error: ${e.message}`));
  });
}

describe('cross-origin isolated page', () => {
  it('has SharedArrayBuffer', () => {
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
  });

  it('shares a table with a Web Worker, calls carried both ways', async () => {
    const t: Table = createTable({ abi });
    expect(t.describe().memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const getpid = abi.names.getpid!;
    const getuid = abi.names.getuid!;
    let pageRan = 0;
    t.load({ name: 'page-mod', handlers: { getpid: (a0: number, a1: number, a2: number) => (pageRan++, 4000 + a0 + a1 + a2) } });
    expect(t.call(getpid, 1, 1, 1)).toBe(4003);

    const w = new Worker(new URL('./isolated-worker.js', import.meta.url), { type: 'module' });
    try {
      const got = reply(w);
      w.postMessage({ desc: t.describe(), nr: getpid, mine: 'getuid' });
      const r = await got;
      expect(r.error).toBeUndefined();
      expect(r.crossOriginIsolated).toBe(true);
      // The worker's calls ran here, on the page, served from its event loop.
      expect(r.seen).toBe(4006);
      expect(r.again).toBe(4015);
      expect(pageRan).toBe(3);

      // The page has no code for getuid: its home is the worker. call() may
      // not block here: EASYNC, before anything is posted; callAsync() gives a promise.
      let e: unknown;
      try {
        t.call(getuid, 3, 4);
      } catch (x) {
        e = x;
      }
      expect(e).toMatchObject({ code: 'EASYNC', message: 'getuid (102) runs on another thread, and this one cannot block to wait for it (a browser\'s main thread): call it with callAsync() or tryCall(), or make the table (or attach) with { async: true }' });
      // A table attached with async: true: its call() gives a promise there.
      const at = attach(t.describe(), { async: true });
      const p = at.call(getuid, 3, 4);
      expect(p).toBeInstanceOf(Promise);
      await expect(p).resolves.toBe(7034);
      at.close();
      await expect(t.callAsync(getuid, 5, 6)).resolves.toBe(7056);
      // Calls the page runs itself resolve too.
      await expect(t.callAsync(getpid, 0, 0, 1)).resolves.toBe(4001);
      t.verify();
    } finally {
      w.terminate();
    }
  });
});
