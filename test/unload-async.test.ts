// Async handlers are counted while their promise is pending: unload() and a
// replace's `drained` wait for them to settle.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const later = (ms: number, v: number): Promise<number> => new Promise((r) => setTimeout(() => r(v), ms));

describe('async handlers drain', () => {
  it('unload resolves only after the pending call settles', async () => {
    const t = createTable({ abi, async: true });
    const m = t.load({ name: 'io', handlers: { read: () => later(80, 7) } });
    const events: string[] = [];
    const pending = (t.call(abi.names.read!) as unknown as Promise<number>).then((v) => events.push(`call ${v}`));
    const unloaded = m.unload().then(() => events.push('unloaded'));
    // The slot is empty at once, while the old call is still running.
    expect(t.call(abi.names.read!)).toBe(-38);
    await Promise.all([pending, unloaded]);
    expect(events).toEqual(['call 7', 'unloaded']);
    t.verify();
  });

  it('a replace is drained once the old version’s pending calls settle', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'io', handlers: { read: () => later(60, 1) } });
    const events: string[] = [];
    const old = (t.call(abi.names.read!) as unknown as Promise<number>).then((v) => events.push(`old ${v}`));
    const v2 = t.load({ name: 'io', handlers: { read: () => 2 }, replace: true });
    expect(t.call(abi.names.read!)).toBe(2);
    await Promise.all([old, v2.drained.then(() => events.push('drained'))]);
    expect(events).toEqual(['old 1', 'drained']);
    t.verify();
  });

  it('unload times out while a pending call does not settle, and keeps the module', async () => {
    const t = createTable({ abi, async: true });
    const m = t.load({ name: 'io', handlers: { read: () => later(500, 1) } });
    const p = t.call(abi.names.read!) as unknown as Promise<number>;
    await expect(m.unload({ timeout: 50 })).rejects.toThrow(
      'unload of module "io" timed out after 50 ms: a call of handler 1 is still in flight (async, or carried to its home); the module is still loaded',
    );
    expect(m.loaded).toBe(true);
    expect(await p).toBe(1);
    await m.unload();
    t.verify();
  });

  it('counts a pending call on the handler that ran it, even if the slot changed during the call', async () => {
    const t = createTable({ abi, async: true });
    const events: string[] = [];
    let v2: ReturnType<typeof t.load> | undefined;
    let warm = 0;
    // v1 hot-swaps itself while it runs, then returns its promise: the promise is v1's, not v2's.
    t.load({
      name: 'io',
      handlers: {
        read: () => {
          if (warm++ === 0) return later(1, 0);
          v2 = t.load({ name: 'io', handlers: { read: () => 2 }, replace: true });
          return later(60, 1);
        },
      },
    });
    await (t.call(abi.names.read!) as unknown as Promise<number>); // a first call, so the next one takes the hot path
    const old = (t.call(abi.names.read!) as unknown as Promise<number>).then((v) => events.push(`old ${v}`));
    expect(t.call(abi.names.read!)).toBe(2);
    await Promise.all([old, v2!.drained.then(() => events.push('drained'))]);
    expect(events).toEqual(['old 1', 'drained']);
    t.verify();
  });

  it('one function loaded again by a replace: its pending call counts on the load it started in', async () => {
    const t = createTable({ abi, async: true });
    const READ = abi.names.read!;
    const events: string[] = [];
    let v2: ReturnType<typeof t.load> | undefined;
    let n = 0;
    // The same function object is both loads' handler. During its second call
    // it replaces its own module with itself and calls the new load once, so
    // this thread knows the function under both handler records when the
    // pending promise comes back: it must count on the draining one.
    const read = (): number | Promise<number> => {
      n++;
      if (n === 2) {
        v2 = t.load({ name: 'io', handlers: { read }, replace: true });
        expect(t.call(READ)).toBe(3);
        return later(60, 1);
      }
      return n === 1 ? 0 : 3;
    };
    t.load({ name: 'io', handlers: { read } });
    expect(t.call(READ)).toBe(0); // a first call, so the next one takes the hot path
    const old = (t.call(READ) as unknown as Promise<number>).then((v) => events.push(`old ${v}`));
    await Promise.all([old, v2!.drained.then(() => events.push('drained'))]);
    expect(events).toEqual(['old 1', 'drained']);
    expect(t.call(READ)).toBe(3);
    t.verify();
  });
});
