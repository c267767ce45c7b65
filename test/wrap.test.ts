// wraps: a handler placed over an occupied (or empty) slot that may fall
// through to the handler below; unloading anything under it splices it out.
import { describe, expect, it } from 'vitest';
import type { Handler } from 'systab';
import { x86Table } from './helpers/systab.js';

const plus = (k: number) => (below: Handler): Handler => (a0, a1, a2, a3, a4, a5) => (below(a0, a1, a2, a3, a4, a5) as number) + k;

describe('wrap', () => {
  it('gets the handler below and the arguments', () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: (fd, buf, len) => fd + buf + len } });
    let seen: number[] = [];
    t.load({ name: 'w', wraps: { write: (below) => (...a) => ((seen = a), below(...a) as number) * 10 } });
    expect(t.call(1, 1, 2, 3)).toBe(60);
    expect(seen).toEqual([1, 2, 3, 0, 0, 0]);
    t.verify();
  });

  it('may answer without falling through', () => {
    const t = x86Table();
    let baseCalls = 0;
    t.load({ name: 'base', handlers: { write: () => ++baseCalls } });
    t.load({ name: 'deny', wraps: { write: (below) => (fd, ...rest) => (fd === 2 ? -1 : below(fd, ...rest)) } });
    expect(t.call(1, 2)).toBe(-1);
    expect(baseCalls).toBe(0);
    expect(t.call(1, 1)).toBe(1);
    t.verify();
  });

  it('over an empty slot, below answers ENOSYS', () => {
    const t = x86Table();
    t.load({ name: 'w', wraps: { write: plus(1000) } });
    expect(t.call(1)).toBe(-38 + 1000);
    t.verify();
  });

  it('a handler loaded later goes under the wrap', () => {
    const t = x86Table();
    t.load({ name: 'w', wraps: { write: plus(1000) } });
    t.load({ name: 'base', handlers: { write: () => 5 } });
    expect(t.call(1)).toBe(1005);
    t.verify();
  });

  it('wraps stack: the newest is on top', () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 1 } });
    t.load({ name: 'w1', wraps: { write: (b) => (...a) => (b(...a) as number) * 10 } });
    t.load({ name: 'w2', wraps: { write: (b) => (...a) => (b(...a) as number) + 5 } });
    expect(t.call(1)).toBe(15);
    t.verify();
  });

  it('unloading the module under a wrap splices it out: the wrap falls through to what was below', async () => {
    const t = x86Table();
    const base = t.load({ name: 'base', handlers: { write: () => 7 } });
    t.load({ name: 'w', wraps: { write: plus(100) } });
    expect(t.call(1)).toBe(107);
    await base.unload();
    expect(t.call(1)).toBe(-38 + 100);
    t.verify();
    t.load({ name: 'base2', handlers: { write: () => 8 } });
    expect(t.call(1)).toBe(108);
    t.verify();
  });

  it('unloading a middle wrap relinks the top one to the base', async () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 1 } });
    const mid = t.load({ name: 'mid', wraps: { write: plus(10) } });
    t.load({ name: 'top', wraps: { write: plus(100) } });
    expect(t.call(1)).toBe(111);
    await mid.unload();
    expect(t.call(1)).toBe(101);
    t.verify();
  });

  it('unloading the wrap restores the handler below', async () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 7 } });
    const w = t.load({ name: 'w', wraps: { write: plus(100) } });
    await w.unload();
    expect(t.call(1)).toBe(7);
    t.verify();
  });

  it('a factory that throws fails the load and changes nothing', () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 7 } });
    const boom = new Error('factory failed');
    expect(() => t.load({ name: 'w', handlers: { read: () => 0 }, wraps: { write: () => { throw boom; } } })).toThrow(boom);
    t.verify();
    expect([t.call(0), t.call(1)]).toEqual([-38, 7]);
    t.load({ name: 'w', wraps: { write: plus(1) } });
    expect(t.call(1)).toBe(8);
    t.verify();
  });

  it('a module may wrap one call and handle another', () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 1 } });
    t.load({ name: 'both', handlers: { read: () => 2 }, wraps: { write: plus(1) } });
    expect([t.call(0), t.call(1)]).toEqual([2, 2]);
    t.verify();
  });

  it('a wrap factory that changes the table fails its own load with EBUSY, and nothing changes', () => {
    const t = x86Table();
    t.load({ name: 'fs', handlers: { read: () => 1 } });
    let inner: unknown;
    expect(() =>
      t.load({
        name: 'w',
        wraps: {
          read: (below) => {
            try {
              t.load({ name: 'sneaky', handlers: { write: () => 9 } });
            } catch (e) {
              inner = e;
              throw e;
            }
            return below;
          },
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'EBUSY', message: 'this thread is already changing the table (a wrap factory, or a call served while it waits for the lock, may not change it too)' }));
    expect(inner).toMatchObject({ code: 'EBUSY' });
    expect([t.call(0), t.call(1)]).toEqual([1, -38]);
    t.verify();
  });
});
