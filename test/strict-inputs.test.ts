// Issue 15, item 5: what the table once accepted silently now gets a typed
// error naming what was meant.
import { describe, expect, it } from 'vitest';
import { attach, createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { wasmHandlers } from './helpers/wasm.js';

function outcome(fn: () => unknown): unknown {
  try {
    return ['ok', fn()];
  } catch (e) {
    return e instanceof SystabError ? [e.code, e.message] : ['thrown', String(e)];
  }
}

const table = () => createTable({ abi });

describe('typed errors for what was once accepted silently', () => {
  it('a BigInt argument to a plain (number) handler through call() is EBADARG, on every path, and the handler does not run', () => {
    const t = table();
    let ran = 0;
    t.load({ name: 'io', handlers: { read: () => ++ran, write: () => ++ran } });
    const msg = (i: number, v: string, call = 'read (0)') => ['EBADARG', `argument ${i} of ${call} is ${v}: call() passes numbers (use call64(), or a handler with bigint: true)`];
    for (let k = 0; k < 3; k++) expect(outcome(() => t.call(0, 5n as never))).toEqual(msg(0, '5n')); // cold, then cached: the hot path too
    expect(outcome(() => t.call(0, 1, 2, 3, 4, 5, -1n as never))).toEqual(msg(5, '-1n'));
    expect(outcome(() => t.tryCall(0, [1, 2n as never]))).toEqual(msg(1, '2n'));
    t.hooks(['read'], { count: true });
    expect(outcome(() => t.call(0, 0, 7n as never))).toEqual(msg(1, '7n'));
    t.hooks(['read'], { count: false, enter: true, exit: true });
    expect(outcome(() => t.call(0, 0, 0, 8n as never))).toEqual(msg(2, '8n'));
    t.load({ name: 'w', wraps: { write: (below) => (...a) => below(...a) } });
    expect(outcome(() => t.call(1, 9n as never))).toEqual(msg(0, '9n', 'write (1)'));
    expect(ran).toBe(0);
    expect(t.call(0, 1)).toBe(1); // numbers still pass
    t.verify();
  });

  it('a BigInt argument through call() reaches a bigint: true handler; a missing call answers ENOSYS; a WebAssembly handler says its own', () => {
    const t = table();
    t.load({ name: 'seek', handlers: { lseek: { bigint: true, fn: (fd, off) => off + fd } } });
    expect(t.call(8, 1, 2n ** 40n as never)).toBe(2 ** 40 + 1);
    expect(t.call(2, 5n as never)).toBe(-38); // open: nobody implements it
    t.load({ name: 'wasm', handlers: { read: { wasm: wasmHandlers().add } } });
    expect(outcome(() => t.call(0, 5n as never))).toEqual(['EBADARG', 'argument 0 of read (0) must be an integer number for its WebAssembly handler (got 5n); call64() passes exact 64-bit values']);
    expect(t.call(0, 5, 6)).toBe(11);
    t.verify();
  });

  it('a plain handler returning a BigInt through call() is EBADRESULT', () => {
    const t = table();
    t.load({ name: 'p', handlers: { getpid: (() => 2n) as never } });
    expect(outcome(() => t.call(39))).toEqual(['EBADRESULT', 'handler for getpid (39) returned 2n; handlers return a number (bigint: true handlers may return a bigint)']);
    t.verify();
  });

  it('a handler entry with an unknown key ({ fn, bigInt }) is EBADSPEC naming the key meant', () => {
    const t = table();
    expect(outcome(() => t.load({ name: 'b', handlers: { lseek: { fn: () => 0, bigInt: true } as never } }))).toEqual(['EBADSPEC', 'handler for "lseek" in module "b" has no key "bigInt" (did you mean "bigint"?)']);
    expect(t.call(8)).toBe(-38); // nothing loaded
    t.verify();
  });

  it('a load spec with an unknown key is EBADSPEC naming the key meant', () => {
    const t = table();
    expect(outcome(() => t.load({ name: 'c', handler: { close: () => 0 } } as never))).toEqual(['EBADSPEC', 'load() spec of module "c" has no key "handler" (did you mean "handlers"?)']);
    t.verify();
  });

  it('hooks() with an unknown switch ({ counting: true }) is EBADSPEC naming the switch meant', () => {
    const t = table();
    expect(outcome(() => t.hooks('*', { counting: true } as never))).toEqual(['EBADSPEC', 'hooks() has no switch "counting" (did you mean "count"?)']);
    t.verify();
  });

  it('attach() with an unknown option is EBADSPEC naming the option meant, and takes no worker record', () => {
    const t = createTable({ abi, maxWorkers: 2 });
    expect(outcome(() => attach(t.describe(), { callTimeot: 5 } as never))).toEqual(['EBADSPEC', 'attach() has no option "callTimeot" (did you mean "callTimeout"?)']);
    attach(t.describe()).close(); // the one free record is still free
    t.verify();
  });

  it('createTable() with an unknown option is EBADSPEC naming the option meant', () => {
    expect(outcome(() => createTable({ abi, maxHandler: 10 } as never))).toEqual(['EBADSPEC', 'createTable() has no option "maxHandler" (did you mean "maxHandlers"?)']);
  });
});
