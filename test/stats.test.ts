// stats(): calls, errors and ENOSYS hits per number while that number's count
// switch is on; out-of-range numbers while the count switch of '*' is on.
// With every switch off nothing is counted, missing calls included.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { x86Table } from './helpers/systab.js';

describe('stats', () => {
  it('a fresh table has nothing to report', () => {
    expect(x86Table().stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
  });

  it('counts ENOSYS hits per number while its count switch is on, most frequent first, ties by number', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => 1 } });
    const calls = (): void => {
      for (let i = 0; i < 3; i++) t.call(2);
      for (let i = 0; i < 5; i++) t.call(400);
      t.call(0);
      t.call(3);
      t.call(1);
      t.call64(2);
      t.call(5); // fstat: missing, its switch stays off
    };
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
    t.hooks(['read', 'open', 'close', 400], { count: true });
    calls();
    const s = t.stats();
    expect(s.missing).toEqual([
      { nr: 400, name: undefined, count: 5 },
      { nr: 2, name: 'open', count: 4 },
      { nr: 0, name: 'read', count: 1 },
      { nr: 3, name: 'close', count: 1 },
    ]);
    expect(s.calls).toEqual([
      { nr: 0, name: 'read', calls: 0, errors: 0, enosys: 1 },
      { nr: 2, name: 'open', calls: 0, errors: 0, enosys: 4 },
      { nr: 3, name: 'close', calls: 0, errors: 0, enosys: 1 },
      { nr: 400, name: undefined, calls: 0, errors: 0, enosys: 5 },
    ]);
    expect(s.outOfRange).toBe(0);
  });

  it("counts out-of-range numbers apart, while the count switch of '*' is on", () => {
    const t = x86Table();
    const calls = (): void => {
      t.call(-1);
      t.call(472);
      t.call(1e9);
      t.call64(5000);
    };
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
    t.hooks('*', { count: true });
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 4 });
    t.hooks('*', { count: false });
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 4 });
    t.verify();
  });

  it('reserved stubs count as ENOSYS hits while counting is on', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    t.call(41);
    expect(t.stats().missing).toEqual([]);
    t.hooks(['socket'], { count: true });
    t.call(41);
    t.call(41);
    expect(t.stats().missing).toEqual([{ nr: 41, name: 'socket', count: 2 }]);
    t.hooks(['socket'], { count: false });
    t.call(41);
    expect(t.stats().missing).toEqual([{ nr: 41, name: 'socket', count: 2 }]);
    t.verify();
  });

  it('counts calls and errors only while counting is on', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: (fd) => (fd < 0 ? -9 : 1), read: () => { throw new Error('x'); } } });
    t.call(1, 1);
    t.call(2); // open: missing, not counted either
    expect(t.stats().calls).toEqual([]);
    t.hooks(['write', 'read', 'open'], { count: true });
    t.call(1, 1);
    t.call(1, 1);
    t.call(1, -1); // -9 is an errno: an error
    expect(() => t.call(0)).toThrow('x'); // a throw is an error too
    t.call(2); // open: missing, counted as ENOSYS (not as a call)
    t.hooks(['write', 'read', 'open'], { count: false });
    t.call(1, -1);
    expect(() => t.call(0)).toThrow('x');
    t.call(2);
    expect(t.stats().calls).toEqual([
      { nr: 0, name: 'read', calls: 1, errors: 1, enosys: 0 },
      { nr: 1, name: 'write', calls: 3, errors: 1, enosys: 0 },
      { nr: 2, name: 'open', calls: 0, errors: 0, enosys: 1 },
    ]);
  });

  it("'*' counts every number; results from -4095 to -1 are errors, -4096 and below are not", () => {
    const t = x86Table();
    let r = 0;
    t.load({ name: 'io', handlers: { mmap: () => r } });
    t.hooks('*', { count: true });
    for (r of [0, 5, -1, -4095, -4096, -(2 ** 40)]) t.call(9);
    expect(t.stats().calls).toEqual([{ nr: 9, name: 'mmap', calls: 6, errors: 2, enosys: 0 }]);
  });

  it('WASI: any nonzero result is an error', () => {
    const t = createTable({ abi: wasi });
    let r = 0;
    t.load({ name: 'fd', handlers: { fd_write: () => r } });
    t.hooks(['fd_write', 'fd_read'], { count: true });
    for (r of [0, 8, 52, 0]) t.call(wasi.names.fd_write!);
    t.call(wasi.names.fd_read!); // missing: its nosys (52) is an ENOSYS hit, not an error
    expect(t.stats().calls).toEqual([
      { nr: wasi.names.fd_read!, name: 'fd_read', calls: 0, errors: 0, enosys: 1 },
      { nr: wasi.names.fd_write!, name: 'fd_write', calls: 4, errors: 2, enosys: 0 },
    ].sort((a, b) => a.nr - b.nr));
  });

  it('counters survive load, replace and unload of the number', async () => {
    const t = x86Table();
    t.hooks(['write'], { count: true });
    const a = t.load({ name: 'a', handlers: { write: () => 1 } });
    t.call(1);
    const a2 = t.load({ name: 'a', handlers: { write: () => 2 }, replace: true });
    t.call(1);
    await a2.drained;
    await a2.unload();
    t.call(1);
    expect(a.loaded).toBe(false);
    expect(t.stats().calls).toEqual([{ nr: 1, name: 'write', calls: 2, errors: 0, enosys: 1 }]);
  });

  it('a hooked call answered by the enter hook is counted', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => 1 } });
    t.onEnter(() => -1);
    t.hooks(['write'], { count: true, enter: true });
    expect(t.call(1)).toBe(-1);
    expect(t.stats().calls[0]!.calls).toBe(1);
  });
});
