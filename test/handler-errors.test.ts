// A handler that throws: the error reaches the caller unchanged and the table
// keeps working. A handler that returns a non-number: EBADRESULT.
import { describe, expect, it } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';

describe('handler errors', () => {
  it('a thrown error reaches the caller unchanged, and the table keeps working', async () => {
    const t = x86Table();
    const boom = new RangeError('boom');
    let n = 0;
    const m = t.load({ name: 'a', handlers: { write: () => { n++; throw boom; }, read: () => 1 } });
    let caught: unknown;
    try {
      t.call(1, 1, 2, 3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    t.verify();
    expect(() => t.call(1)).toThrow(boom);
    expect(n).toBe(2);
    expect(t.call(0)).toBe(1);
    t.load({ name: 'b', handlers: { close: () => 3 } });
    expect(t.call(3)).toBe(3);
    // No call is left "in progress": the unload's grace period ends at once.
    await m.unload({ timeout: 1000 });
    expect(t.call(1)).toBe(-38);
    t.verify();
  });

  it('non-Error throws pass through too', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: () => { throw 'plain string'; } } });
    expect(() => t.call(1)).toThrow('plain string');
    t.verify();
  });

  it('errors pass through the hooked path and the call64 path', () => {
    const t = x86Table();
    const boom = new Error('boom');
    t.load({ name: 'a', handlers: { write: () => { throw boom; }, lseek: { fn: () => { throw boom; }, bigint: true } } });
    t.hooks(['write'], { count: true, exit: true });
    expect(() => t.call(1)).toThrow(boom);
    expect(() => t.call64(1)).toThrow(boom);
    expect(() => t.call64(8)).toThrow(boom);
    t.verify();
  });

  it('a wrap that throws passes the error through; so does the handler below it', () => {
    const t = x86Table();
    const boom = new Error('below');
    t.load({ name: 'a', handlers: { write: () => { throw boom; } } });
    t.load({ name: 'w', wraps: { write: (below) => (...a) => below(...a) } });
    expect(() => t.call(1)).toThrow(boom);
    t.verify();
  });

  it.each([
    ['x', '"x"'],
    ['', '""'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{}, 'object'],
    [[1], 'array'],
    [true, 'true'],
    [2n ** 60n, '1152921504606846976n'],
    [() => 1, 'function'],
  ] as const)('returning %s is EBADRESULT', (value, shown) => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: (() => value) as never } });
    expectSystabError(() => t.call(1), 'EBADRESULT', `handler for write (1) returned ${shown}; handlers return a number${typeof value === 'bigint' ? ' (bigint: true handlers may return a bigint)' : ''}`);
    t.verify();
    t.hooks(['write'], { count: true });
    expectSystabError(() => t.call(1), 'EBADRESULT', `handler for write (1) returned ${shown}; handlers return a number${typeof value === 'bigint' ? ' (bigint: true handlers may return a bigint)' : ''}`);
    t.verify();
    expect(t.call(0)).toBe(-38);
  });

  it('EBADRESULT names the call by number when the ABI has no name for it', () => {
    const t = x86Table();
    const free = 400; // a hole in x86_64's numbering (337-423 are unassigned)
    t.load({ name: 'a', handlers: { [free]: (() => 'x') as never } });
    expectSystabError(() => t.call(free), 'EBADRESULT', `handler for ${free} returned "x"; handlers return a number`);
  });

  it('a bigint result of a number handler is EBADRESULT (bigint: true handlers may return one)', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: (() => 5n) as never, read: { bigint: true, fn: () => 5n } } });
    expectSystabError(() => t.call(1), 'EBADRESULT', 'handler for write (1) returned 5n; handlers return a number (bigint: true handlers may return a bigint)');
    expect(t.call(0)).toBe(5);
    t.verify();
  });
});
