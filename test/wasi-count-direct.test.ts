// With only the count switch on, an adapted implementation is called by the
// import itself (no frame, no table call), counted exactly as the table counts
// it: each call once, an error for a nonzero errno, a thrown value or an
// onThrow answer other than 0; any other switch goes through the table again.
import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiArgs, wasiImports, type WasiThrowPolicy } from 'systab/wasi';

function setup(shared: boolean, onThrow?: WasiThrowPolicy) {
  const t = createTable({ abi, shared });
  t.hooks('*', { count: true });
  const frames: unknown[] = [];
  const got: unknown[][] = [];
  const answers: unknown[] = [0, 8, 0.5, undefined, '3', 'x', 2n];
  let k = 0;
  loadWasi(t, 'impl', {
    fd_seek: (...a: unknown[]) => (got.push(a), frames.push(wasiArgs()), 0),
    fd_sync: () => (frames.push(wasiArgs()), answers[k++ % answers.length]),
    sock_accept: () => {
      throw 'sockets not supported';
    },
    fd_datasync: () => {
      throw new TypeError('bug');
    },
  }, onThrow === undefined ? {} : { onThrow });
  const fns = wasiImports(t).imports.wasi_snapshot_preview1;
  const counts = () => Object.fromEntries(t.stats().calls.map((c) => [c.name, [c.calls, c.errors, c.enosys]]));
  return { t, fns, frames, got, counts };
}

it('the guest\'s exact values reach the implementation, called by the import after its first call (no frame), each call counted once', () => {
  for (const shared of [false, true]) {
    const { t, fns, frames, got, counts } = setup(shared);
    const max = (1n << 63n) - 1n;
    expect([fns.fd_seek!(3, max, 1, 64), fns.fd_seek!(3, -1n, 2, 64), fns.fd_seek!(4, 2n ** 60n + 5n, 0, 8)]).toEqual([0, 0, 0]);
    expect(got).toEqual([[3, max, 1, 64], [3, -1n, 2, 64], [4, 2n ** 60n + 5n, 0, 8]]);
    expect(frames).toEqual([[3, max, 1, 64], undefined, undefined]); // only the first went through the table
    expect(counts()).toEqual({ fd_seek: [3, 0, 0] });
    t.verify();
    t.close();
  }
});

it('errors counted as the table counts them: a nonzero answer (as the adapter converts it), a thrown string answered 52, an Error passed through', () => {
  const { t, fns, frames, counts } = setup(false);
  // 0, 8, 0.5, undefined, '3', 'x', 2n: the adapter answers 0, 8, 0.5, 0, 3, 0, 2; the import returns the value as it came.
  const r = Array.from({ length: 7 }, () => fns.fd_sync!(3));
  expect(r).toEqual([0, 8, 0.5, undefined, '3', 'x', 2n].map((v, i) => (i === 0 ? 0 : v)));
  expect(frames.slice(1)).toEqual(Array(6).fill(undefined));
  expect(counts().fd_sync).toEqual([7, 4, 0]);
  expect([fns.sock_accept!(3, 0, 0), fns.sock_accept!(3, 0, 0)]).toEqual([52, 52]);
  expect(() => fns.fd_datasync!(3)).toThrow(TypeError);
  expect(() => fns.fd_datasync!(3)).toThrow('bug');
  expect(counts()).toEqual({ fd_sync: [7, 4, 0], fd_datasync: [2, 2, 0], sock_accept: [2, 2, 0] });
  t.verify();
});

it('an onThrow answering 0 is no error, one answering an errno is, one rethrowing (undefined) is', () => {
  let answer: number | undefined = 0;
  const { t, fns, counts } = setup(false, () => answer);
  expect([fns.sock_accept!(3, 0, 0), fns.sock_accept!(3, 0, 0)]).toEqual([0, 0]);
  answer = 58;
  expect(fns.sock_accept!(3, 0, 0)).toBe(58);
  answer = undefined;
  expect(() => fns.sock_accept!(3, 0, 0)).toThrow('sockets not supported');
  expect(counts()).toEqual({ sock_accept: [4, 2, 0] });
  t.verify();
});

it('another switch, a wrap or the count switch off takes effect at the very next call', async () => {
  const { t, fns, frames, counts } = setup(false);
  fns.fd_seek!(3, 1n, 0, 0);
  fns.fd_seek!(3, 2n, 0, 0);
  const entered: number[] = [];
  t.onEnter((n) => void entered.push(n));
  t.hooks(['fd_seek'], { enter: true });
  fns.fd_seek!(3, 3n, 0, 0);
  fns.fd_seek!(3, 4n, 0, 0);
  expect(entered).toEqual([abi.names.fd_seek, abi.names.fd_seek]);
  expect(frames.slice(2)).toEqual([[3, 3n, 0, 0], [3, 4n, 0, 0]]);
  t.hooks(['fd_seek'], { enter: false });
  const m = t.load({ name: 'w', wraps: { fd_seek: (below) => (a0, a1, a2, a3, a4, a5) => (below(a0, a1, a2, a3, a4, a5) as number) + 1 } });
  expect(fns.fd_seek!(3, 5n, 0, 0)).toBe(1);
  await m.unload();
  fns.fd_seek!(3, 6n, 0, 0);
  fns.fd_seek!(3, 7n, 0, 0);
  t.hooks(['fd_seek'], { count: false });
  fns.fd_seek!(3, 8n, 0, 0);
  fns.fd_seek!(3, 9n, 0, 0);
  expect(counts()).toEqual({ fd_seek: [7, 1, 0] }); // the wrap's 1 an error; nothing counted with the switch off
  t.verify();
});
