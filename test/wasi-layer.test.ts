// Layering implementations: a second loadWasi over functions another module
// has is EEXIST unless it says { over: true }; then it answers in their place
// until it unloads, and the one below answers again.
import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports } from 'systab/wasi';
import { fixture, runDirect, shim, TIMEOUT } from '../examples/wasi/harness.js';

const nr = abi.names;

it('a second loadWasi over a taken function is EEXIST with an exact message, and the table keeps the first', () => {
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'files', { fd_close: () => 1, fd_sync: () => 2 });
  expect(() => loadWasi(t, 'sockets', { fd_close: () => 3, sock_accept: () => 4 })).toThrow('call fd_close (8) is taken by module "files"; loadWasi(table, name, impl, { over: true }) layers over it');
  expect(t.call(nr.fd_close!, 0)).toBe(1);
  expect(t.call(nr.sock_accept!, 0)).toBe(52); // all or nothing: sock_accept was not loaded either
  t.verify();
});

it('{ over: true }: the upper answers for what it has, the lower for the rest; unloading the upper brings the lower back', async () => {
  for (const counting of [false, true]) {
    const t = createTable({ abi, shared: false });
    if (counting) t.hooks('*', { count: true });
    const fns = wasiImports(t).imports.wasi_snapshot_preview1;
    loadWasi(t, 'files', { fd_close: () => 1, fd_sync: () => 2 });
    const upper = loadWasi(t, 'mine', { fd_close: () => 3, sock_accept: () => 4 }, { over: true });
    expect([fns.fd_close!(0), fns.fd_sync!(0), fns.sock_accept!(0, 0, 0)]).toEqual([3, 2, 4]);
    await upper.unload();
    expect([fns.fd_close!(0), fns.fd_sync!(0), fns.sock_accept!(0, 0, 0)]).toEqual([1, 2, 52]);
    if (counting) expect(t.stats().calls.map((c) => [c.name, c.calls, c.enosys])).toEqual([['fd_close', 2, 0], ['fd_sync', 2, 0], ['sock_accept', 1, 1]]);
    t.verify();
  }
});

it('{ over: true, only }: a second shim takes fd_write over the first; host.start() binds both; output goes to the second', () => {
  const mod = fixture('hello');
  const direct = runDirect(mod, {});
  const first = shim({});
  const second = shim({});
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'first', first.wasi.wasiImport, { wasi: first.wasi });
  loadWasi(t, 'second', second.wasi.wasiImport, { wasi: second.wasi, over: true, only: ['fd_write'] });
  const host = wasiImports(t);
  expect(host.start(new WebAssembly.Instance(mod, host.imports as never))).toBe(direct.code);
  expect(second.stdout()).toBe(direct.stdout);
  expect(second.stderr()).toBe(direct.stderr);
  expect(first.stdout()).toBe('');
  t.verify();
}, TIMEOUT);

it('bad layering options are typed errors and load nothing', () => {
  const t = createTable({ abi, shared: false });
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { over: 1 as never })).toThrow('wasiModule() option over must be true or false (got 1)');
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { only: ['fd_closeX'] })).toThrow('unknown call "fd_closeX" for wasi-preview1');
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { only: 'fd_close' as never })).toThrow('wasiModule() option only must be an array of WASI function names (got "fd_close")');
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { only: ['fd_sync'] })).toThrow('wasiModule(): "fd_sync" is in only, but the implementation has no function fd_sync');
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { wasi: {} as never })).toThrow('wasiModule() option wasi must be the WASI object impl came from, with a start(instance) method (got object)');
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, { onThrow: 'ignore' as never })).toThrow("wasiModule() option onThrow must be 'errno', 'rethrow' or a function (got \"ignore\")");
  expect(() => loadWasi(t, 'm', { fd_close: () => 0 }, null as never)).toThrow('wasiModule() options must be an object (got null)');
  expect(t.call(nr.fd_close!, 0)).toBe(52);
  t.verify();
});
