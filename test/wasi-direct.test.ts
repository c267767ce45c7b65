// The direct way (an import calling a plain slot's implementation itself)
// keeps every table behaviour: switches, wraps, replace, unload and
// reservations take effect at the next call, and i64 values stay exact.
import { expect, it } from 'vitest';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiArgs, wasiImports } from 'systab/wasi';

const nr = abi.names;

function setup(shared: boolean) {
  const t = createTable({ abi, shared });
  const got: unknown[][] = [];
  const frames: unknown[] = [];
  const impl = {
    fd_seek: (...a: unknown[]) => (got.push(a), frames.push(wasiArgs()), 0),
    fd_sync: (fd: number) => fd + 1,
    fd_advise: () => 0,
  };
  const m = loadWasi(t, 'impl', impl);
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  return { t, m, fns, got, frames };
}

it('a plain slot: after its first call through the table, the import calls the implementation itself with the guest\'s values (no frame)', () => {
  for (const shared of [false, true]) {
    const { t, fns, got, frames } = setup(shared);
    const max = (1n << 63n) - 1n;
    const min = -(1n << 63n);
    expect(fns.fd_seek!(3, max, 1, 64)).toBe(0);
    expect(fns.fd_seek!(3, min, 2, 64)).toBe(0);
    expect(fns.fd_seek!(3, 5n, 0, 64)).toBe(0);
    expect(got).toEqual([[3, max, 1, 64], [3, min, 2, 64], [3, 5n, 0, 64]]);
    expect(frames[0]).toEqual([3, max, 1, 64]); // the first went through the table
    expect(frames.slice(1)).toEqual([undefined, undefined]);
    t.hooks(['fd_seek'], { count: true }); // a switch: through the table again, counted
    fns.fd_seek!(3, 6n, 0, 64);
    expect(frames.at(-1)).toEqual([3, 6n, 0, 64]);
    expect(t.stats().calls.map((c) => [c.name, c.calls])).toEqual([['fd_seek', 1]]);
    t.hooks(['fd_seek'], { count: false });
    fns.fd_seek!(3, 7n, 0, 64);
    fns.fd_seek!(3, 8n, 0, 64);
    expect(frames.at(-1)).toBeUndefined();
    expect(t.stats().calls.map((c) => [c.name, c.calls])).toEqual([['fd_seek', 1]]);
    t.verify();
    t.close();
  }
});

it('hooks, a wrap, a replace, an unload and a reservation each take effect at the very next call', async () => {
  for (const shared of [false, true]) {
    const { t, m, fns } = setup(shared);
    const sync = () => fns.fd_sync!(4);
    expect([sync(), sync()]).toEqual([5, 5]);
    const entered: number[] = [];
    t.onEnter((n) => void entered.push(n));
    t.hooks(['fd_sync'], { enter: true });
    expect(sync()).toBe(5);
    expect(entered).toEqual([nr.fd_sync]);
    t.hooks(['fd_sync'], { enter: false });
    expect([sync(), sync()]).toEqual([5, 5]);
    expect(entered).toHaveLength(1);
    const w = t.load({ name: 'w', wraps: { fd_sync: (below) => (...a) => (below(...a) as number) * 10 } });
    expect(sync()).toBe(50);
    await w.unload();
    expect([sync(), sync()]).toEqual([5, 5]);
    const v2 = loadWasi(t, 'impl', { fd_sync: (fd: number) => fd + 100 }, { replace: true });
    expect(sync()).toBe(104);
    await v2.drained;
    expect(sync()).toBe(104);
    const gone = v2.unload();
    expect(sync()).toBe(52); // at once, before the unload resolves
    await gone;
    expect(m.loaded).toBe(false);
    t.reserve('later', ['fd_sync']);
    expect([sync(), sync()]).toEqual([52, 52]);
    loadWasi(t, 'later', { fd_sync: (fd: number) => fd + 1000 });
    expect([sync(), sync()]).toEqual([1004, 1004]);
    t.verify();
    t.close();
  }
}, 10_000);

it('an implementation that unloads another module while called the direct way: the next call answers 52', async () => {
  const t = createTable({ abi, shared: false });
  const advise = loadWasi(t, 'advise', { fd_advise: () => 0 });
  let unloaded: Promise<void> | undefined;
  loadWasi(t, 'sync', { fd_sync: () => ((unloaded ??= advise.unload()), 0) });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  expect([fns.fd_advise!(1, 0n, 0n, 0), fns.fd_advise!(1, 0n, 0n, 0)]).toEqual([0, 0]);
  expect([fns.fd_sync!(1), fns.fd_sync!(1)]).toEqual([0, 0]); // the second, the direct way, unloads nothing more
  expect(fns.fd_advise!(1, 0n, 0n, 0)).toBe(52);
  await unloaded;
  expect(fns.fd_advise!(1, 0n, 0n, 0)).toBe(52);
  t.verify();
});

it('a table-like object that is not a systab Table is called through call() every time', () => {
  const calls: unknown[][] = [];
  const fake = { abi, call: (...a: number[]) => (calls.push(a), 0) };
  const fns = wasiImports(fake).imports.wasi_snapshot_preview1;
  fns.fd_sync!(3);
  fns.fd_sync!(4);
  expect(calls).toEqual([[nr.fd_sync, 3, 0, 0, 0, 0, 0], [nr.fd_sync, 4, 0, 0, 0, 0, 0]]);
});

it('a function nobody has answers 52 without the table while nothing changes, and a load, a count switch or a policy takes effect at the next call', async () => {
  const t = createTable({ abi, shared: false });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  const advise = () => fns.fd_advise!(1, 0n, 0n, 0);
  expect([advise(), advise(), advise()]).toEqual([52, 52, 52]);
  t.hooks(['fd_advise'], { count: true });
  expect([advise(), advise()]).toEqual([52, 52]);
  expect(t.stats().missing).toEqual([{ nr: nr.fd_advise, name: 'fd_advise', count: 2 }]);
  t.hooks(['fd_advise'], { count: false });
  t.setMissing(['fd_advise'], () => 7);
  expect(advise()).toBe(7);
  t.setMissing(['fd_advise'], 'enosys');
  expect([advise(), advise()]).toEqual([52, 52]);
  const m = loadWasi(t, 'advise', { fd_advise: () => 0 });
  expect([advise(), advise()]).toEqual([0, 0]);
  await m.unload();
  expect([advise(), advise()]).toEqual([52, 52]);
  expect(t.stats().missing).toEqual([{ nr: nr.fd_advise, name: 'fd_advise', count: 2 }]);
  t.verify();
});
