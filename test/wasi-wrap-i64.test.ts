// A wrap changes an i64 argument exactly (wasiWraps), checked against the shim
// called directly with the changed value; a plain wrap that cannot is told so.
import { expect, it } from 'vitest';
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports, wasiWraps } from 'systab/wasi';

const OFFSET = (1n << 60n) + 5n;

/** A shim whose fd 3 is a file, bound to a fresh memory; fd_seek(3, off, SET, 0) writes the new offset at 0. */
function seekShim() {
  const w = new WASI([], [], [new OpenFile(new File([])), new ConsoleStdout(() => {}), new ConsoleStdout(() => {}), new OpenFile(new File([]))], { debug: false });
  const memory = new WebAssembly.Memory({ initial: 1 });
  (w as unknown as { inst: unknown }).inst = { exports: { memory } };
  return { w, at: () => new BigInt64Array(memory.buffer, 0, 1)[0] };
}

function seekThroughSystab(setup: (t: Table) => void) {
  const s = seekShim();
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim', s.w.wasiImport);
  setup(t);
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  const r = fns.fd_seek!(3, OFFSET, 0, 0);
  return { r, at: s.at(), t };
}

function seekDirect(offset: bigint) {
  const s = seekShim();
  const r = (s.w.wasiImport.fd_seek as (...a: unknown[]) => number)(3, offset, 0, 0);
  return { r, at: s.at() };
}

it('wasiWraps: adding 1 to fd_seek\'s offset 2^60+5 reaches the shim as 2^60+6 exactly, as the shim called with 2^60+6 answers', () => {
  for (const [delta, also] of [[1n, false], [1000n, false], [1n, true]] as const) {
    const sys = seekThroughSystab((t) => {
      if (also) t.hooks('*', { count: true, exit: true }); // the counted and hooked way too
      t.load({ name: 'plus', wraps: wasiWraps({ fd_seek: (below) => (fd, offset, whence, out) => below(fd, (offset as bigint) + delta, whence, out) }) });
    });
    const direct = seekDirect(OFFSET + delta);
    expect(sys.r).toBe(0);
    expect(sys.r).toBe(direct.r);
    expect(sys.at).toBe(OFFSET + delta);
    expect(sys.at).toBe(direct.at);
    sys.t.verify();
  }
});

it('wasiWraps: the wrap sees every argument exactly, the 7th-9th of path_open included, and may change them', () => {
  const t = createTable({ abi, shared: false });
  const seen: unknown[][] = [];
  loadWasi(t, 'probe', { path_open: (...a: unknown[]) => (seen.push(a), 0) });
  const got: unknown[][] = [];
  t.load({ name: 'w', wraps: wasiWraps({ path_open: (below) => (...a) => (got.push(a), below(...a.slice(0, 6), (a[6] as bigint) | 1n, 7, a[8]!)) }) });
  const big = (1n << 62n) + 3n;
  expect(wasiImports(t).imports.wasi_snapshot_preview1.path_open!(3, 1, 100, 5, 9, big, 0x10n, 4, 200)).toBe(0);
  expect(got).toEqual([[3, 1, 100, 5, 9, big, 0x10n, 4, 200]]);
  expect(seen).toEqual([[3, 1, 100, 5, 9, big, 0x11n, 7, 200]]);
  t.verify();
});

it('a plain wrap passing an i64 a number cannot hold exactly is EBADARG, the table intact; one passing a bigint is exact', async () => {
  const s = seekShim();
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim', s.w.wasiImport);
  const plus = t.load({ name: 'plus', wraps: { fd_seek: (below) => (fd, offset, ...rest) => below(fd, offset + 1000, ...(rest as [number, number, number, number])) } });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  let err: unknown;
  try {
    fns.fd_seek!(3, OFFSET, 0, 0);
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ name: 'SystabError', code: 'EBADARG' });
  expect((err as Error).message).toBe(`argument 1 of fd_seek is an i64 and ${Number(OFFSET) + 1000} is not an exact integer; a wrap changes an i64 argument exactly with wasiWraps() (or passes a bigint)`);
  t.verify();
  await plus.unload();
  t.load({ name: 'big', wraps: { fd_seek: (below) => (fd, _offset, ...rest) => below(fd, (OFFSET + 2n) as never, ...(rest as [number, number, number, number])) } });
  expect(fns.fd_seek!(3, OFFSET, 0, 0)).toBe(0);
  expect(s.at()).toBe(OFFSET + 2n);
  t.verify();
});
