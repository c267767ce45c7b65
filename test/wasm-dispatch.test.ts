// t.dispatch called from WebAssembly: a hand-written guest imports
// env.dispatch (i32, i64 x6) -> i64 and calls it without leaving WebAssembly.
import { describe, expect, it } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';
import { wasmCaller, wasmHandlers } from './helpers/wasm.js';

describe('dispatch from WebAssembly', () => {
  it('reaches JS handlers with the arguments, every time', () => {
    const t = x86Table();
    let got: unknown[] = [];
    t.load({ name: 'io', handlers: { write: (...a: number[]) => ((got = a), a[0]! + a[2]!) } });
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 3; i++) {
      expect(run(1, 40n, 0n, 2n)).toBe(42n);
      expect(got).toEqual([40, 0, 2, 0, 0, 0]);
    }
    expect(run(1, -50n, 0n, 8n)).toBe(-42n);
    t.verify();
  });

  it('reaches bigint handlers with exact 64-bit values, first call and later ones', () => {
    const t = x86Table();
    let got: unknown[] = [];
    t.load({ name: 'seek', handlers: { lseek: { fn: (...a: bigint[]) => ((got = a), a[0]! + a[1]!), bigint: true } } });
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 3; i++) {
      expect(run(8, 2n ** 62n, 2n ** 62n - 1n)).toBe(2n ** 63n - 1n);
      expect(got).toEqual([2n ** 62n, 2n ** 62n - 1n, 0n, 0n, 0n, 0n]);
    }
    expect(run(8, -1n, -(2n ** 63n) + 1n)).toBe(-(2n ** 63n));
    t.verify();
  });

  it('reaches WebAssembly handlers, exactly, on the first call and later ones', () => {
    const t = x86Table();
    const w = wasmHandlers();
    t.load({ name: 'wasm', handlers: { read: { wasm: w.add }, write: { wasm: w.mul } } });
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 3; i++) {
      expect(run(0, 2n ** 60n + 1n, 1n)).toBe(2n ** 60n + 2n);
      expect(run(1, 6n, 7n)).toBe(42n);
    }
    expect(t.call(0, 40, 2)).toBe(42); // the JS path agrees
    t.verify();
  });

  it("missing and out-of-range numbers answer ENOSYS, counted only while '*' counts", () => {
    const t = x86Table();
    const run = wasmCaller(t.dispatch);
    t.load({ name: 'io', handlers: { write: () => 1 } });
    t.reserve('net', ['socket']);
    const calls = (): void => {
      expect(run(0)).toBe(-38n);
      expect(run(2, 1n, 2n)).toBe(-38n);
      expect(run(472)).toBe(-38n);
      expect(run(-1)).toBe(-38n);
      expect(run(0x7fffffff)).toBe(-38n);
      expect(run(41)).toBe(-38n);
      expect(run(1)).toBe(1n);
    };
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
    t.hooks('*', { count: true });
    calls();
    expect(t.stats().outOfRange).toBe(3);
    expect(t.stats().missing).toEqual([
      { nr: 0, name: 'read', count: 1 },
      { nr: 2, name: 'open', count: 1 },
      { nr: 41, name: 'socket', count: 1 },
    ]);
    t.hooks('*', { count: false });
    calls();
    expect(t.stats().outOfRange).toBe(3);
    expect(t.stats().missing.map((m) => m.count)).toEqual([1, 1, 1]);
    t.verify();
  });

  it('a WASI table answers its positive nosys', async () => {
    const { abi } = await import('systab/abi/wasi-preview1');
    const { createTable } = await import('systab');
    const t = createTable({ abi });
    const run = wasmCaller(t.dispatch);
    expect(run(0)).toBe(52n);
    expect(run(1000)).toBe(52n);
  });

  it('counts calls from the WebAssembly path while counting is on', () => {
    const t = x86Table();
    const w = wasmHandlers();
    t.load({ name: 'io', handlers: { write: () => 1, read: { wasm: w.add }, lseek: { fn: () => 0n, bigint: true } } });
    const run = wasmCaller(t.dispatch);
    run(1);
    run(2); // open: missing, its switch still off
    t.hooks(['write', 'read', 'lseek', 'open'], { count: true });
    for (let i = 0; i < 3; i++) {
      run(1);
      run(0);
      run(8);
      run(2);
    }
    t.hooks('*', { count: false });
    run(1);
    run(2);
    const byNr = Object.fromEntries(t.stats().calls.map((c) => [c.nr, c]));
    expect(byNr[1]).toEqual({ nr: 1, name: 'write', calls: 3, errors: 0, enosys: 0 });
    expect(byNr[0]).toEqual({ nr: 0, name: 'read', calls: 3, errors: 0, enosys: 0 });
    expect(byNr[8]).toEqual({ nr: 8, name: 'lseek', calls: 3, errors: 0, enosys: 0 });
    expect(byNr[2]).toEqual({ nr: 2, name: 'open', calls: 0, errors: 0, enosys: 3 }); // not before the switch, nor after
    t.verify();
  });

  it('the first call of a handler from WebAssembly is counted once', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => 1 } });
    t.hooks(['write'], { count: true });
    const run = wasmCaller(t.dispatch);
    run(1);
    expect(t.stats().calls).toEqual([{ nr: 1, name: 'write', calls: 1, errors: 0, enosys: 0 }]);
  });

  it('bigint handlers stay exact from WebAssembly while counted', () => {
    const t = x86Table();
    t.load({ name: 'seek', handlers: { lseek: { fn: (a0: bigint) => a0, bigint: true } } });
    t.hooks(['lseek'], { count: true });
    const run = wasmCaller(t.dispatch);
    expect(run(8, 2n ** 62n + 1n)).toBe(2n ** 62n + 1n);
    expect(run(8, 2n ** 62n + 1n)).toBe(2n ** 62n + 1n);
  });

  it('enter and exit hooks run for calls from WebAssembly', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: (a0) => a0 } });
    const log: unknown[] = [];
    t.onEnter((nr, args) => (log.push(['enter', nr, args[0]]), args[0] === 9 ? -1 : undefined));
    t.onExit((nr, _args, r) => void log.push(['exit', nr, r]));
    t.hooks(['write'], { enter: true, exit: true });
    const run = wasmCaller(t.dispatch);
    expect(run(1, 5n)).toBe(5n);
    expect(run(1, 9n)).toBe(-1n);
    expect(log).toEqual([['enter', 1, 5], ['exit', 1, 5], ['enter', 1, 9], ['exit', 1, -1]]);
    t.hooks(['write'], { enter: false, exit: false });
    expect(run(1, 6n)).toBe(6n);
    expect(log).toHaveLength(4);
  });

  it('sees loads, wraps and unloads made after the guest was instantiated', async () => {
    const t = x86Table();
    const run = wasmCaller(t.dispatch);
    expect(run(1)).toBe(-38n);
    const a = t.load({ name: 'a', handlers: { write: () => 1 } });
    expect(run(1)).toBe(1n);
    const w = t.load({ name: 'w', wraps: { write: (b) => (...x) => (b(...x) as number) + 100 } });
    expect(run(1)).toBe(101n);
    await a.unload();
    expect(run(1)).toBe(-38n + 100n);
    await w.unload();
    expect(run(1)).toBe(-38n);
    const b = t.load({ name: 'b', handlers: { write: () => 2 } });
    expect(run(1)).toBe(2n);
    t.load({ name: 'b', handlers: { write: () => 3 }, replace: true });
    expect(run(1)).toBe(3n);
    expect(b.loaded).toBe(false);
    t.verify();
  });

  it('errors from handlers and policies reach the WebAssembly caller\'s caller', () => {
    const t = x86Table();
    const boom = new Error('boom');
    t.load({ name: 'io', handlers: { write: () => { throw boom; }, read: (() => 'x') as never } });
    t.setMissing(['open'], 'throw');
    const run = wasmCaller(t.dispatch);
    expect(() => run(1)).toThrow(boom);
    expectSystabError(() => run(0), 'EBADRESULT', 'handler for read (0) returned "x"; handlers return a number');
    expectSystabError(() => run(0), 'EBADRESULT', 'handler for read (0) returned "x"; handlers return a number');
    expectSystabError(() => run(2), 'ENOSYS', 'linux-x86_64 call open (2) is not implemented');
    t.verify();
    t.setMissing(['open'], () => 77);
    expect(run(2)).toBe(77n);
  });

  it('answers a handler that gives WebAssembly no number (a promise, a string) with EBADRESULT', () => {
    const t = x86Table();
    t.load({ name: 'odd', handlers: { write: (() => Promise.resolve(1)) as never, read: (() => 'x') as never } });
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 2; i++) {
      expectSystabError(() => run(1), 'EBADRESULT', 'handler for write (1) returned object; handlers return a number');
      t.verify();
      expectSystabError(() => run(0), 'EBADRESULT', 'handler for read (0) returned "x"; handlers return a number');
      t.verify();
    }
  });
});
