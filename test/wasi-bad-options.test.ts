// Bad input to wasiWraps() and wasiImports(): typed errors with exact
// messages, and the table as it was.
import { expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports, wasiWraps } from 'systab/wasi';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof SystabError ? `${e.code}: ${e.message}` : `not a SystabError: ${String(e)}`;
  }
  return undefined;
};

it('wasiWraps() refuses a non-object, an unknown name and a non-function factory', () => {
  expect(code(() => wasiWraps(null as never))).toBe('EBADSPEC: wasiWraps() takes an object of wrap factories by WASI function name (got null)');
  expect(code(() => wasiWraps({ fd_seekX: () => () => 0 }))).toBe('ENONAME: unknown call "fd_seekX" for wasi-preview1');
  expect(code(() => wasiWraps({ fd_seek: 5 as never }))).toBe('EBADHANDLER: wrap for "fd_seek" is not a function (got 5)');
});

it('a wasiWraps() factory returning a non-function fails the load; a below given bad values is EBADARG; the table stays intact', () => {
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'impl', { fd_seek: () => 0 });
  expect(code(() => t.load({ name: 'w', wraps: wasiWraps({ fd_seek: () => 7 as never }) }))).toBe('EBADHANDLER: wasiWraps() factory for fd_seek returned 7, not a function');
  t.verify();
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  expect(fns.fd_seek!(3, 1n, 0, 0)).toBe(0); // the failed load left the slot as it was
  t.load({ name: 'bad', wraps: wasiWraps({ fd_seek: (below) => (fd, offset, whence, out) => below(fd, offset, whence, 1.5 as never) + below(fd, 0.5 as never, whence, out) }) });
  expect(code(() => fns.fd_seek!(3, 1n, 0, 0))).toBe('EBADARG: argument 3 of fd_seek is an i32 and 1.5 is not a 32-bit integer');
  t.verify();
});

it('wasiImports() refuses options of the wrong kind', () => {
  const t = createTable({ abi, shared: false });
  expect(code(() => wasiImports(t, { memory: 5 as never }))).toBe("EBADSPEC: wasiImports() option memory must be a function returning the guest's memory (got 5)");
  expect(code(() => wasiImports(t, { exitCode: 'x' as never }))).toBe('EBADSPEC: wasiImports() option exitCode must be a function (got "x")');
  expect(code(() => wasiImports(t, null as never))).toBe('EBADSPEC: wasiImports() options must be an object');
  t.verify();
});
