// unload(): async; restores what was below; a second unload (or a stale
// handle) is ENOTLOADED; bad options are EBADSPEC.
import { describe, expect, it } from 'vitest';
import { expectSystabError, expectSystabRejection, x86Table } from './helpers/systab.js';

const stale = (name: string) => `module "${name}" is not loaded (unloaded already, or replaced by a newer load)`;

describe('unload', () => {
  it('is async, takes every handler out and frees the name', async () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1, write: () => 2 } });
    const p = m.unload();
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBeUndefined();
    expect(m.loaded).toBe(false);
    expect([t.call(0), t.call(1)]).toEqual([-38, -38]);
    t.verify();
    const again = t.load({ name: 'a', handlers: { read: () => 3 } });
    expect(t.call(0)).toBe(3);
    expect(again.loaded).toBe(true);
    expect(m.loaded).toBe(false);
  });

  it('calls made while the unload waits already miss the module', async () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1 } });
    const p = m.unload();
    expect(t.call(0)).toBe(-38);
    await p;
  });

  it('unloading twice is ENOTLOADED', async () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1 } });
    await m.unload();
    await expectSystabRejection(m.unload(), 'ENOTLOADED', stale('a'));
    t.verify();
  });

  it('an old handle cannot unload a newer load of the same name', async () => {
    const t = x86Table();
    const m1 = t.load({ name: 'a', handlers: { read: () => 1 } });
    await m1.unload();
    const m2 = t.load({ name: 'a', handlers: { read: () => 2 } });
    await expectSystabRejection(m1.unload(), 'ENOTLOADED', stale('a'));
    expect(m2.loaded).toBe(true);
    expect(t.call(0)).toBe(2);
    t.verify();
  });

  it('an old handle cannot unload another module that reused its record', async () => {
    const t = x86Table({ maxModules: 2 });
    const m1 = t.load({ name: 'a', handlers: { read: () => 1 } });
    await m1.unload();
    const b = t.load({ name: 'b', handlers: { read: () => 2 } });
    await expectSystabRejection(m1.unload(), 'ENOTLOADED', stale('a'));
    expect(b.loaded).toBe(true);
    expect(t.call(0)).toBe(2);
    t.verify();
  });

  it('bad options are EBADSPEC and leave the module loaded', async () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1 } });
    const unload = m.unload as (o: unknown) => Promise<void>;
    await expectSystabRejection(unload.call(m, null), 'EBADSPEC', 'unload() takes { timeout?, force? } (got null)');
    await expectSystabRejection(unload.call(m, 5), 'EBADSPEC', 'unload() takes { timeout?, force? } (got 5)');
    await expectSystabRejection(unload.call(m, { timeout: -1 }), 'EBADSPEC', 'unload() timeout must be a number of milliseconds >= 0 (got -1)');
    await expectSystabRejection(unload.call(m, { timeout: NaN }), 'EBADSPEC', 'unload() timeout must be a number of milliseconds >= 0 (got NaN)');
    await expectSystabRejection(unload.call(m, { timeout: '10' }), 'EBADSPEC', 'unload() timeout must be a number of milliseconds >= 0 (got "10")');
    await expectSystabRejection(unload.call(m, { force: 'yes' }), 'EBADSPEC', 'unload() force must be true or false (got "yes")');
    t.verify();
    expect(m.loaded).toBe(true);
    expect(t.call(0)).toBe(1);
    await m.unload({ timeout: 100, force: false });
    expect(t.call(0)).toBe(-38);
  });

  it('a change while this thread\'s unload is still pending is EBUSY; after it, the table is free', async () => {
    const t = x86Table();
    const m = t.load({ name: 'a', handlers: { read: () => 1 } });
    const p = m.unload();
    expectSystabError(
      () => t.load({ name: 'b', handlers: { write: () => 2 } }),
      'EBUSY',
      'this thread is already changing the table (an unload waiting for its grace period?); await it first',
    );
    await p;
    t.load({ name: 'b', handlers: { write: () => 2 } });
    expect(t.call(1)).toBe(2);
    t.verify();
  });

  it('a handler may start the unload of its own module', async () => {
    const t = x86Table();
    let p: Promise<void> | undefined;
    const m = t.load({ name: 'a', handlers: { exit: () => { p = m.unload(); return 0; } } });
    expect(t.call(60)).toBe(0);
    await p;
    expect(m.loaded).toBe(false);
    expect(t.call(60)).toBe(-38);
    t.verify();
  });

  it('unloading many modules in turn restores an empty table', async () => {
    const t = x86Table();
    const mods = Array.from({ length: 20 }, (_, i) => t.load({ name: `m${i}`, handlers: { [i]: () => i + 100 } }));
    for (let i = 0; i < 20; i++) expect(t.call(i)).toBe(i + 100);
    for (const m of mods) await m.unload();
    for (let i = 0; i < 20; i++) expect(t.call(i)).toBe(-38);
    t.verify();
  });
});
