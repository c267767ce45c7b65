// An async handler reached through a wrap's below() is a call in flight on
// that handler: unloading or replacing its module waits for it, whether the
// wrap is sync (it returns below's promise) or async (it calls below later).
import { describe, expect, it } from 'vitest';
import { createTable, type Handler } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const READ = abi.names.read!;

function deferred(): { promise: Promise<number>; resolve: (v: number) => void } {
  let resolve!: (v: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  return { promise, resolve };
}

const wraps = {
  sync: (below: Handler) => (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => below(a0, a1, a2, a3, a4, a5),
  async: (below: Handler) => async (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => {
    await null;
    return below(a0, a1, a2, a3, a4, a5);
  },
};

describe.each(Object.keys(wraps) as (keyof typeof wraps)[])('a %s wrap over an async handler', (kind) => {
  it('unload of the module below waits for the call that reached it through below()', async () => {
    const t = createTable({ abi, shared: false, async: true });
    const d = deferred();
    let running = 0;
    const fs = t.load({ name: 'fs', handlers: { read: () => (running++, d.promise.finally(() => running--)) } });
    t.load({ name: 'trace', wraps: { read: wraps[kind] } });
    const call = t.call(READ) as unknown as Promise<number>;
    await new Promise((r) => setTimeout(r, 5)); // the async wrap has called below() by now
    expect(running).toBe(1);
    let unloaded = false;
    const u = fs.unload({ timeout: 5000 }).then(() => (unloaded = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(unloaded).toBe(false); // the call still runs in fs's handler
    d.resolve(7);
    expect(await call).toBe(7);
    await u;
    expect(running).toBe(0);
    expect(await t.call(READ)).toBe(-38); // the wrap falls through to nothing now
    t.verify();
  });

  it('a replace’s drained waits for it too', async () => {
    const t = createTable({ abi, shared: false, async: true });
    const d = deferred();
    t.load({ name: 'fs', handlers: { read: () => d.promise } });
    t.load({ name: 'trace', wraps: { read: wraps[kind] } });
    const call = t.call(READ) as unknown as Promise<number>;
    await new Promise((r) => setTimeout(r, 5));
    const v2 = t.load({ name: 'fs', handlers: { read: () => 2 }, replace: true });
    let drained = false;
    void v2.drained.then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(drained).toBe(false);
    d.resolve(1);
    expect(await call).toBe(1);
    await v2.drained;
    expect(await t.call(READ)).toBe(2);
    t.verify();
  });

  it('an unload that times out on it names the call in flight and keeps the module', async () => {
    const t = createTable({ abi, shared: false, async: true });
    const d = deferred();
    const fs = t.load({ name: 'fs', handlers: { read: () => d.promise } });
    t.load({ name: 'trace', wraps: { read: wraps[kind] } });
    const call = t.call(READ) as unknown as Promise<number>;
    await new Promise((r) => setTimeout(r, 5));
    await expect(fs.unload({ timeout: 30 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(fs.loaded).toBe(true);
    d.resolve(3);
    expect(await call).toBe(3);
    await fs.unload();
    t.verify();
  });
});

describe('a wrap that has left the table, still running', () => {
  it('calls the slot’s plain handler as it is now once the one it sat over has drained', async () => {
    const t = createTable({ abi, shared: false, async: true });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.load({ name: 'fs', handlers: { read: () => 1 } });
    const trace = t.load({ name: 'trace', wraps: { read: (below) => async (...a: number[]) => (await gate, below(...(a as [number, number, number, number, number, number]))) } });
    const call = t.call(READ) as unknown as Promise<number>;
    // The wrap is replaced (its call keeps the old one in flight), then fs is replaced and drains.
    const t2 = t.load({ name: 'trace', wraps: { read: (below) => below }, replace: true });
    expect(trace.loaded).toBe(false);
    const v2 = t.load({ name: 'fs', handlers: { read: () => 2 }, replace: true });
    await v2.drained;
    release();
    // fs v1 has drained (its record is free): the finishing wrap must not call it; the slot answers now.
    expect(await call).toBe(2);
    await t2.drained;
    t.verify();
  });
});
