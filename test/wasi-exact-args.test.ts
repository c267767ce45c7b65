import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiArgs, wasiImports } from 'systab/wasi';

it('i64 arguments past 2^53 and the 7th to 9th arguments reach an adapted implementation exactly', () => {
  const t = createTable({ abi, shared: false });
  t.hooks('*', { count: true }); // the slow path too: hooks see six numbers, the implementation the exact values
  const seen: unknown[][] = [];
  loadWasi(t, 'probe', {
    fd_seek: (...a: unknown[]) => (seen.push(a), 0),
    path_open: (...a: unknown[]) => (seen.push(a), 0),
    fd_filestat_set_times: (...a: unknown[]) => (seen.push(a), 0),
  });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  const big = (1n << 60n) + 1n;
  expect(fns.fd_seek!(3, -(1n << 62n) - 3n, 1, 64)).toBe(0);
  expect(fns.path_open!(3, 1, 100, 5, 9, big, 0x1fffffffn, 4, 200)).toBe(0);
  expect(fns.fd_filestat_set_times!(4, 1_700_000_000_123_456_789n, -1n, 15)).toBe(0);
  expect(seen).toEqual([
    [3, -(1n << 62n) - 3n, 1, 64],
    [3, 1, 100, 5, 9, big, 0x1fffffffn, 4, 200],
    [4, 1_700_000_000_123_456_789n, -1n, 15],
  ]);
  expect(t.stats().calls.map((c) => [c.name, c.calls])).toEqual([['fd_filestat_set_times', 1], ['fd_seek', 1], ['path_open', 1]]);
});

it('a wrap that changes an argument is honoured; the rest stay exact', () => {
  const t = createTable({ abi, shared: false });
  const seen: unknown[][] = [];
  loadWasi(t, 'probe', { fd_pread: (...a: unknown[]) => (seen.push(a), 0) });
  t.load({ name: 'redirect', wraps: { fd_pread: (below) => (fd, ...rest) => below(fd === 3 ? 7 : fd, ...(rest as [number, number, number, number, number])) } });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  fns.fd_pread!(3, 16, 2, (1n << 55n) + 1n, 32);
  expect(seen).toEqual([[7, 16, 2, (1n << 55n) + 1n, 32]]);
});

it('a handler written for systab reads exact arguments with wasiArgs(nr)', () => {
  const t = createTable({ abi, shared: false });
  let got: readonly (number | bigint)[] | undefined;
  t.load({ name: 'clock', handlers: { clock_time_get: () => ((got = wasiArgs(abi.names.clock_time_get)), 0) } });
  wasiImports(t).imports.wasi_snapshot_preview1.clock_time_get!(1, (1n << 63n) - 1n, 8);
  expect(got).toEqual([1, (1n << 63n) - 1n, 8]);
  expect(wasiArgs()).toBeUndefined(); // no call in progress
});

it('an implementation returning undefined (the shim\'s sched_yield) answers 0, as WebAssembly would convert it', () => {
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim-like', { sched_yield() {}, random_get() {} });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  expect(fns.sched_yield!()).toBe(0);
  expect(fns.random_get!(0, 0)).toBe(0);
});

it('a trace prints the guest\'s own arguments: all nine of path_open, i64 exact', async () => {
  const { traceTable } = await import('systab/trace');
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'probe', { path_open: () => 44 });
  const out: string[] = [];
  const mem = new Uint8Array(256);
  mem.set(new TextEncoder().encode('a.txt'), 100);
  traceTable(t, { sink: (l) => out.push(l), format: { read: (a, n) => mem.slice(a, a + n) } }).select('*');
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  expect(fns.path_open!(3, 1, 100, 5, 9, (1n << 60n) + 1n, 0x1fffffffn, 4, 200)).toBe(44);
  expect(out).toEqual([expect.stringMatching(/^path_open\(3, symlink_follow, "a\.txt", creat\|trunc, 0x1000000000000001, 0x1fffffff, nonblock, 0xc8\) += 44 noent\n$/)]);
});
