// call64(): exact 64-bit arguments and results for handlers declared with
// bigint: true; number handlers get numbers, and unsafe values are EBADARG.
import { describe, expect, it } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';
import { wasmHandlers } from './helpers/wasm.js';

const LSEEK = 8;
const values = [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x7fff_ffff_ffff_fff0n, 0x1234_5678_9abc_def0n];

function echoTable() {
  const t = x86Table();
  let got: bigint[] = [];
  t.load({ name: 'echo', handlers: { lseek: { fn: (...a: bigint[]) => ((got = a), a[0]!), bigint: true } } });
  return { t, args: () => got };
}

describe('call64', () => {
  it.each(values)('round-trips %s exactly through a bigint handler', (v) => {
    const { t, args } = echoTable();
    expect(t.call64(LSEEK, v)).toBe(v);
    expect(args()).toEqual([v, 0n, 0n, 0n, 0n, 0n]);
    t.verify();
  });

  it('passes all six arguments exactly', () => {
    const { t, args } = echoTable();
    t.call64(LSEEK, values[3]!, values[4]!, values[5]!, values[6]!, -1n, 7);
    expect(args()).toEqual([values[3], values[4], values[5], values[6], -1n, 7n]);
  });

  it('wraps arguments and results to signed 64 bits', () => {
    const t = x86Table();
    let got: bigint[] = [];
    t.load({ name: 'w', handlers: { lseek: { fn: (...a: bigint[]) => ((got = a), 2n ** 64n + 5n), bigint: true }, read: { fn: () => 2n ** 63n, bigint: true } } });
    expect(t.call64(LSEEK, 2n ** 64n - 1n)).toBe(5n);
    expect(got[0]).toBe(-1n);
    expect(t.call64(0)).toBe(-(2n ** 63n));
  });

  it('a bigint handler may return a safe integer number', () => {
    const t = x86Table();
    t.load({ name: 'w', handlers: { lseek: { fn: () => -22, bigint: true } } });
    expect(t.call64(LSEEK, 2n ** 60n)).toBe(-22n);
  });

  it('number handlers get numbers and their result as a bigint', () => {
    const t = x86Table();
    let got: unknown[] = [];
    t.load({ name: 'n', handlers: { write: (...a: number[]) => ((got = a), a[0]! + a[1]!) } });
    expect(t.call64(1, 5n, 2 ** 53 - 1)).toBe(2n ** 53n + 4n);
    expect(got).toEqual([5, 2 ** 53 - 1, 0, 0, 0, 0]);
    expect(typeof got[0]).toBe('number');
  });

  it('unsafe bigints to a number handler are EBADARG', () => {
    const t = x86Table();
    let ran = false;
    t.load({ name: 'n', handlers: { write: () => ((ran = true), 0) } });
    expectSystabError(() => t.call64(1, 2n ** 53n + 1n), 'EBADARG', "argument 0 (9007199254740993n) of write (1) does not fit the handler's numbers exactly; declare the handler with bigint: true");
    expectSystabError(() => t.call64(1, 0n, 0n, -(2n ** 53n)), 'EBADARG', "argument 2 (-9007199254740992n) of write (1) does not fit the handler's numbers exactly; declare the handler with bigint: true");
    expect(ran).toBe(false);
    t.verify();
  });

  it('arguments that are neither bigints nor safe integers are EBADARG', () => {
    const t = x86Table();
    const call64 = t.call64 as (nr: number, ...a: unknown[]) => bigint;
    expectSystabError(() => call64.call(t, 1, 1.5), 'EBADARG', 'call64() argument 0 must be a bigint or a safe integer (got 1.5)');
    expectSystabError(() => call64.call(t, 1, 0n, 2 ** 53), 'EBADARG', 'call64() argument 1 must be a bigint or a safe integer (got 9007199254740992)');
    expectSystabError(() => call64.call(t, 1, 0n, 0n, '1'), 'EBADARG', 'call64() argument 2 must be a bigint or a safe integer (got "1")');
    t.verify();
  });

  it('a bigint handler called with numbers: exact results within 2^53, EBADRESULT beyond', () => {
    const t = x86Table();
    t.load({ name: 'b', handlers: { lseek: { fn: (a0: bigint) => a0 * 2n, bigint: true } } });
    expect(t.call(LSEEK, 21)).toBe(42);
    expectSystabError(() => t.call(LSEEK, 2 ** 53 - 1), 'EBADRESULT', 'handler for lseek (8) returned 18014398509481982n, which a number cannot hold exactly; use call64()');
    expect(t.call64(LSEEK, 2n ** 53n - 1n)).toBe(2n ** 54n - 2n);
    t.verify();
  });

  it('missing and out-of-range numbers answer ENOSYS as a bigint', () => {
    const t = x86Table();
    expect(t.call64(LSEEK, 2n ** 63n - 1n)).toBe(-38n);
    expect(t.call64(5000, 2n ** 63n - 1n)).toBe(-38n);
    expect(t.call64(-1)).toBe(-38n);
  });

  it('stays exact while the number is counted or hooked', () => {
    const { t, args } = echoTable();
    t.hooks(['lseek'], { count: true });
    expect(t.call64(LSEEK, 2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    t.hooks(['lseek'], { count: false, exit: true });
    t.onExit(() => {});
    expect(t.call64(LSEEK, 2n ** 53n + 1n)).toBe(2n ** 53n + 1n);
    expect(args()[0]).toBe(2n ** 53n + 1n);
  });

  it('a WebAssembly handler is exact: it takes and returns i64', () => {
    const t = x86Table();
    t.load({ name: 'w', handlers: { lseek: { wasm: wasmHandlers().add } } });
    expect(t.call64(LSEEK, 2n ** 60n + 1n, 2n ** 60n)).toBe(2n ** 61n + 1n);
    expect(t.call64(LSEEK, 2n ** 63n - 1n, 1n)).toBe(-(2n ** 63n)); // i64.add wraps
  });
});
