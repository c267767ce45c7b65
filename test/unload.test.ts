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

  it('while an unload waits for its grace period other changes go on; its own calls and module name are EBUSY', async () => {
    const t = x86Table({ async: true });
    const m = t.load({ name: 'a', handlers: { read: () => 1 } });
    let release!: () => void;
    const slow = t.load({ name: 's', handlers: { getpid: () => new Promise<number>((r) => (release = () => r(5))) } });
    const call = t.call(39) as unknown as Promise<number>; // an async call in flight holds s's unload back
    const p = slow.unload({ timeout: 5000 });
    // No lock is held across the grace period: this thread (or any) may change the table meanwhile.
    const b = t.load({ name: 'b', handlers: { write: () => 2 } });
    expect(t.call(1)).toBe(2);
    expect(t.call(39)).toBe(-38); // s's getpid is out of the table already
    expectSystabError(
      () => t.load({ name: 'c', handlers: { getpid: () => 3 } }),
      'EBUSY',
      'call getpid (39) is being unloaded from module "s" (its unload waits for a grace period); await that unload first',
    );
    expectSystabError(
      () => t.load({ name: 's', handlers: { getuid: () => 3 } }),
      'EBUSY',
      'module "s" is being unloaded (its unload waits for a grace period); await that unload first',
    );
    expect(slow.loaded).toBe(false);
    t.verify();
    release();
    expect(await call).toBe(5);
    await p;
    t.load({ name: 'c', handlers: { getpid: () => 3 } });
    expect(t.call(39)).toBe(3);
    await m.unload();
    await b.unload();
    t.verify();
  });

  it('many unloads and changes of one thread at once all end (the lock is never held across an await)', async () => {
    const t = x86Table();
    const mods = ['read', 'write', 'open', 'close', 'getpid', 'getuid'].map((c, i) => t.load({ name: `m${i}`, handlers: { [c]: () => i } }));
    const unloads = mods.map((m) => m.unload());
    const extra: Promise<void>[] = [];
    // Changes made from the microtasks in between find the lock free.
    for (let i = 0; i < 6; i++) extra.push(Promise.resolve().then(() => void t.load({ name: `n${i}`, handlers: { [200 + i]: () => 1 } })));
    await Promise.all([...unloads, ...extra]);
    for (let i = 0; i < 6; i++) expect(t.call(200 + i)).toBe(1);
    t.verify();
  });

  it('an unload that times out puts back each handler exactly where it was, wraps included', async () => {
    const t = x86Table({ async: true });
    const fs = t.load({ name: 'fs', handlers: { read: () => 1 } });
    const w = t.load({ name: 'w', wraps: { read: (below) => (...a: number[]) => (below(...(a as [number, number, number, number, number, number])) as number) * 10 } });
    let release!: () => void;
    const m = t.load({ name: 'm', handlers: { write: () => new Promise<number>((r) => (release = () => r(7))) }, wraps: { read: (below) => (...a: number[]) => (below(...(a as [number, number, number, number, number, number])) as number) + 5 } });
    expect(t.call(0)).toBe(15);
    const pending = t.call(1) as unknown as Promise<number>;
    await expect(m.unload({ timeout: 30 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(m.loaded).toBe(true);
    expect(t.call(0)).toBe(15); // m's wrap is on top of w's again
    release();
    expect(await pending).toBe(7);
    await m.unload();
    expect(t.call(0)).toBe(10);
    await w.unload();
    await fs.unload();
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
