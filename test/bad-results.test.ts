// Results and arguments a number cannot carry are typed errors, the same on
// every path: traps of setMissing answer like handlers, call64() answers
// exact integers only, bigint handlers check what call() passes them.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const SOCKET = abi.names.socket!;
const LSEEK = abi.names.lseek!;
const READ = abi.names.read!;

function code(f: () => unknown): { code?: string; message: string } | 'no throw' {
  try {
    f();
    return 'no throw';
  } catch (e) {
    expect(e).toBeInstanceOf(SystabError);
    return { code: (e as SystabError).code, message: (e as Error).message };
  }
}

describe('odd results and arguments', () => {
  it.each([['a string', 'x', '"x"'], ['an object', {}, 'object'], ['a promise', Promise.resolve(1), 'object'], ['a bigint', 2n, '2n'], ['undefined', undefined, 'undefined']])(
    'a missing-call trap returning %s is EBADRESULT from call() and call64()',
    (_what, value, shown) => {
      const t = createTable({ abi, shared: false });
      t.setMissing(['socket'], () => value as number);
      const want = { code: 'EBADRESULT', message: `missing-call trap for socket (41) returned ${shown}; traps return a number` };
      expect(code(() => t.call(SOCKET))).toEqual(want);
      expect(code(() => t.call64(SOCKET))).toEqual(want);
      t.setMissing('*', () => value as number);
      expect(code(() => t.call(99999))).toEqual({ ...want, message: `missing-call trap for 99999 returned ${shown}; traps return a number` });
      t.verify();
    },
  );

  it('a trap answering 1.5 is a number for call() and EBADRESULT for call64()', () => {
    const t = createTable({ abi, shared: false });
    t.setMissing(['socket'], () => 1.5);
    expect(t.call(SOCKET)).toBe(1.5);
    expect(code(() => t.call64(SOCKET))).toEqual({ code: 'EBADRESULT', message: 'handler for socket (41) returned 1.5; handlers return a number' });
    expect(t.call64(99999)).toBe(-38n);
  });

  it('call64() through a wrap that answers a promise is EBADRESULT', async () => {
    const t = createTable({ abi, shared: false });
    t.load({ name: 'fs', handlers: { read: () => 1 } });
    t.load({ name: 'w', wraps: { read: (below) => async () => below(0, 0, 0, 0, 0, 0) } });
    expect(code(() => t.call64(READ))).toEqual({ code: 'EBADRESULT', message: 'handler for read (0) returned object; handlers return a number' });
    await new Promise((r) => setTimeout(r, 1));
    t.verify();
  });

  it.each([['a string', 'x', '"x"'], ['1.5', 1.5, '1.5'], ['a symbol', Symbol('s'), 'Symbol(s)'], ['an object', {}, 'object']])('a bigint handler called with %s is EBADARG', (_w, arg, shown) => {
    const t = createTable({ abi, shared: false });
    t.load({ name: 'seek', handlers: { lseek: { bigint: true, fn: (fd, off) => off + fd } } });
    expect(code(() => t.call(LSEEK, 1, arg as number))).toEqual({ code: 'EBADARG', message: `argument 1 of lseek (8) must be an integer number or a bigint (got ${shown})` });
    expect(t.call(LSEEK, 1, 2)).toBe(3);
    t.verify();
  });

  it('tryCall() checks its arguments', () => {
    const t = createTable({ abi, shared: false });
    expect(code(() => t.tryCall(READ, 5 as never))).toEqual({ code: 'EBADSPEC', message: 'tryCall() takes its arguments as an array (got 5)' });
    for (const [s, shown] of [[-1, '-1'], [NaN, 'NaN'], [-Infinity, '-Infinity'], ['1', '"1"']] as const) {
      expect(code(() => t.tryCall(READ, [], s as number))).toEqual({ code: 'EBADSPEC', message: `tryCall() spinMicros must be a number of microseconds >= 0 (got ${shown})` });
    }
    // A handler run here answering undefined is EBADRESULT, not "not taken".
    t.load({ name: 'u', handlers: { write: () => undefined as unknown as number } });
    expect(code(() => t.tryCall(1, []))).toEqual({ code: 'EBADRESULT', message: 'handler for write (1) returned undefined; handlers return a number' });
    expect(t.tryCall(READ, [], 0)).toBe(-38);
  });
});
