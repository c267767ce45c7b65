// replace: true hot-swaps a loaded module of the same name: a new handle, the
// old one goes stale; only the module's own or free slots may be taken.
import { describe, expect, it } from 'vitest';
import type { Handler } from 'systab';
import { expectSystabError, expectSystabRejection, x86Table } from './helpers/systab.js';

const plus = (k: number) => (below: Handler): Handler => (...a) => (below(...a) as number) + k;
const stale = (name: string) => `module "${name}" is not loaded (unloaded already, or replaced by a newer load)`;

describe('replace', () => {
  it('swaps the handlers in, gives a new handle, and the old one goes stale', async () => {
    const t = x86Table();
    const v1 = t.load({ name: 'a', handlers: { read: () => 1, write: () => 2 } });
    const v2 = t.load({ name: 'a', handlers: { write: () => 20, close: () => 30 }, replace: true });
    expect(v2).not.toBe(v1);
    expect(v1.loaded).toBe(false);
    expect(v2.loaded).toBe(true);
    expect(t.call(1)).toBe(20);
    expect(t.call(3)).toBe(30);
    expect(t.call(0)).toBe(-38); // only in the old version: removed
    await v2.drained;
    t.verify();
    await expectSystabRejection(v1.unload(), 'ENOTLOADED', stale('a'));
    t.verify();
    expect(t.call(1)).toBe(20);
    await v2.unload();
    expect([t.call(0), t.call(1), t.call(3)]).toEqual([-38, -38, -38]);
    t.verify();
  });

  it('without replace, the second load is EEXIST', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { read: () => 1 } });
    expectSystabError(() => t.load({ name: 'a', handlers: { read: () => 2 } }), 'EEXIST', 'module "a" is already loaded');
    expect(t.call(0)).toBe(1);
  });

  it('replace over another module\'s slot is ENOTOWNER and changes nothing', () => {
    const t = x86Table();
    const a = t.load({ name: 'a', handlers: { read: () => 1 } });
    t.load({ name: 'b', handlers: { write: () => 2 } });
    expectSystabError(
      () => t.load({ name: 'a', handlers: { read: () => 10, write: () => 20 }, replace: true }),
      'ENOTOWNER',
      'call write (1) belongs to module "b"; replace takes only "a"\'s own or free slots',
    );
    t.verify();
    expect(a.loaded).toBe(true);
    expect([t.call(0), t.call(1)]).toEqual([1, 2]);
  });

  it('replace with nothing loaded under that name is a plain load', () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1 }, replace: true });
    expect(m.loaded).toBe(true);
    expect(t.call(0)).toBe(1);
    t.verify();
  });

  it('a replace over a free slot takes it', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { read: () => 1 } });
    t.load({ name: 'a', handlers: { read: () => 2, open: () => 3 }, replace: true });
    expect([t.call(0), t.call(2)]).toEqual([2, 3]);
    t.verify();
  });

  it('the new version takes the old one\'s place under another module\'s wrap', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: () => 1 } });
    t.load({ name: 'w', wraps: { write: plus(100) } });
    t.load({ name: 'a', handlers: { write: () => 2 }, replace: true });
    expect(t.call(1)).toBe(102);
    t.verify();
  });

  it('a wrap module is hot-swapped in place, over the same handler', () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 1 } });
    t.load({ name: 'w', wraps: { write: plus(10) } });
    t.load({ name: 'top', wraps: { write: (b) => (...a) => (b(...a) as number) * 2 } });
    expect(t.call(1)).toBe(22);
    t.load({ name: 'w', wraps: { write: plus(20) }, replace: true });
    expect(t.call(1)).toBe(42);
    t.verify();
  });

  it('drained resolves, and unloading the new version restores what was below', async () => {
    const t = x86Table();
    t.load({ name: 'base', handlers: { write: () => 1 } });
    t.load({ name: 'w', wraps: { write: plus(10) } });
    const w2 = t.load({ name: 'w', wraps: { write: plus(20) }, replace: true });
    await expect(w2.drained).resolves.toBeUndefined();
    await w2.unload();
    expect(t.call(1)).toBe(1);
    t.verify();
  });

  it('replacing repeatedly keeps the table consistent', async () => {
    const t = x86Table({ maxHandlers: 8 });
    let m = t.load({ name: 'a', handlers: { read: () => 0 } });
    for (let i = 1; i < 50; i++) {
      m = t.load({ name: 'a', handlers: { read: () => i, write: () => -i }, replace: true });
      await m.drained;
      expect([t.call(0), t.call(1)]).toEqual([i, -i]);
      t.verify();
    }
    await m.unload();
    t.verify();
  });
});
