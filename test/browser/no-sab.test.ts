// A page that is not cross-origin isolated has no SharedArrayBuffer: tables
// cannot be shared (attach fails, saying why), and single-threaded use works.
import { describe, expect, it } from 'vitest';
import { attach, createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const WHY = '(a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';

function thrown(f: () => unknown): SystabError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SystabError);
    return e as SystabError;
  }
  throw new Error('expected a SystabError');
}

/** The smallest valid module: attach() looks at the context before the module's shape. */
const EMPTY_WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

describe('page without cross-origin isolation', () => {
  it('has no SharedArrayBuffer', () => {
    expect(crossOriginIsolated).toBe(false);
    expect(typeof SharedArrayBuffer).toBe('undefined');
  });

  it('makes a plain table that loads and calls', async () => {
    const t = createTable({ abi });
    expect(t.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(t.call(abi.names.getpid!)).toBe(abi.enosys);
    const m = t.load({ name: 'solo', handlers: { getpid: () => 42, write: (fd: number, _p: number, n: number) => (fd === 1 ? n : -9) } });
    expect(t.call(abi.names.getpid!)).toBe(42);
    expect(t.call(abi.names.write!, 1, 0, 5)).toBe(5);
    await expect(t.callAsync(abi.names.getpid!)).resolves.toBe(42);
    t.hooks(['getpid'], { count: true });
    t.call(abi.names.getpid!);
    expect(t.stats().calls.find((c) => c.name === 'getpid')?.calls).toBe(1);
    await m.unload();
    expect(t.call(abi.names.getpid!)).toBe(abi.enosys);
    t.verify();
  });

  it('refuses a shared table, saying why', () => {
    const e = thrown(() => createTable({ abi, shared: true }));
    expect(e.code).toBe('EATTACH');
    expect(e.message).toBe(`a shared table needs SharedArrayBuffer, which this context lacks ${WHY}`);
  });

  it('refuses describe() and attach(), saying why', () => {
    const t = createTable({ abi });
    const d = thrown(() => t.describe()); // nothing to post: it says so before a DataCloneError could
    expect([d.code, d.message]).toEqual(['EATTACH', `describe() is for attach() in another thread, which needs SharedArrayBuffer, which this context lacks ${WHY}`]);
    const e = thrown(() => attach({ memory: t.memory, module: new WebAssembly.Module(EMPTY_WASM), abi }));
    expect(e.code).toBe('EATTACH');
    expect(e.message).toBe(`attach() needs SharedArrayBuffer, which this context lacks ${WHY}`);
  });

  it('refuses attach() in a Web Worker too, where plain tables work', async () => {
    const w = new Worker(new URL('./no-sab-worker.js', import.meta.url), { type: 'module' });
    try {
      const r = await new Promise<{ sab: string; code?: string; message?: string; solo?: number }>((res, rej) => {
        w.onmessage = (ev) => res(ev.data);
        w.onerror = (ev) => rej(new Error(`worker error: ${ev.message}`));
        w.postMessage('go');
      });
      expect(r.sab).toBe('undefined');
      expect(r.code).toBe('EATTACH');
      expect(r.message).toBe(`attach() needs SharedArrayBuffer, which this context lacks ${WHY}`);
      // The worker's own plain table works.
      expect(r.solo).toBe(7);
    } finally {
      w.terminate();
    }
  });
});
