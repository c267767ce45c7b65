// A call number that is not an integer number is a typed error (EBADNR),
// never a silent ENOSYS, and never a corrupted table.
import { describe, expect, it } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';

const bad: [unknown, string][] = [
  [1.5, '1.5'],
  [-0.5, '-0.5'],
  [NaN, 'NaN'],
  [Infinity, 'Infinity'],
  [-Infinity, '-Infinity'],
  ['1', '"1"'],
  ['write', '"write"'],
  [1n, '1n'],
  [2n ** 64n, '18446744073709551616n'],
  [undefined, 'undefined'],
  [null, 'null'],
  [true, 'true'],
  [{}, 'object'],
  [[1], 'array'],
];

describe('call: non-integer numbers', () => {
  it.each(bad)('call(%s) throws EBADNR', (nr, shown) => {
    const t = x86Table();
    const call = t.call as (nr: unknown, ...a: number[]) => number;
    expectSystabError(() => call.call(t, nr), 'EBADNR', `call number must be an integer number (got ${shown})`);
    t.verify();
    expect(t.call(1)).toBe(-38);
  });

  it.each(bad)('call(%s) throws EBADNR with a handler on every neighbour', (nr, shown) => {
    const t = x86Table();
    t.load({ name: 'all', handlers: { read: () => 10, write: () => 11, open: () => 12 } });
    const call = t.call as (nr: unknown, ...a: number[]) => number;
    expectSystabError(() => call.call(t, nr, 1, 2), 'EBADNR', `call number must be an integer number (got ${shown})`);
    t.verify();
    expect(t.call(1)).toBe(11);
  });

  it.each(bad)('call64(%s) throws EBADNR', (nr, shown) => {
    const t = x86Table();
    t.load({ name: 'all', handlers: { write: { fn: () => 11n, bigint: true } } });
    const call64 = t.call64 as (nr: unknown) => bigint;
    expectSystabError(() => call64.call(t, nr), 'EBADNR', `call number must be an integer number (got ${shown})`);
    t.verify();
  });

  it('bad numbers are not counted as missing or out of range', () => {
    const t = x86Table();
    const call = t.call as (nr: unknown) => number;
    for (const [nr] of bad) expect(() => call.call(t, nr)).toThrow();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
  });
});
