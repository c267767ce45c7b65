// Every wrong input to the formatter is a SystabError that says what was
// wrong and what was meant.
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { createFormatter, type FormatterOptions } from '../src/trace/format.js';
import { createInterleaver } from '../src/trace/interleave.js';

const bad = (o: unknown) => () => createFormatter(o as FormatterOptions);

describe('formatter bad input', () => {
  it('options', () => {
    expect(bad(undefined)).toThrow(/^createFormatter\(\): takes an options object \{ abi, read\?, strSize\?, hex\?, column\?, nargs\? \} \(got undefined\)$/);
    expect(bad({})).toThrow("createFormatter(): abi must be an ABI object, e.g. abi from 'systab/abi/linux-x86_64' (got undefined)");
    expect(bad({ abi: 'linux-x86_64' })).toThrow('(got "linux-x86_64")');
    expect(bad({ abi, strsize: 8 })).toThrow('createFormatter(): unknown option "strsize" (options: abi, read, strSize, hex, column, nargs)');
    expect(bad({ abi, strSize: -1 })).toThrow('createFormatter(): strSize must be an integer from 0 to 1073741823 (got -1)');
    expect(bad({ abi, column: 1.5 })).toThrow('createFormatter(): column must be an integer from 0 to 1073741823 (got 1.5)');
    expect(bad({ abi, hex: true })).toThrow("createFormatter(): hex must be 0, 'non-ascii' (-x), 'all' (-xx) or 'non-ascii-chars' (got true)");
    expect(bad({ abi, read: {} })).toThrow('createFormatter(): read must be a function (addr, len) => Uint8Array | null (got object)');
    expect(bad({ abi, nargs: 3 })).toThrow('createFormatter(): nargs must be a function (name) => number | undefined (got 3)');
    try { bad({})(); } catch (e) { expect((e as { code: string }).code).toBe('EBADSPEC'); }
  });

  it('calls', () => {
    const f = createFormatter({ abi });
    expect(() => f.enter(-1, [])).toThrow('enter(): the call number must be a non-negative integer (got -1)');
    expect(() => f.enter(1, ['3' as unknown as number])).toThrow("enter(): args must be an array of numbers or BigInts, the call's registers (got array)");
    const p = f.enter(abi.names.close, [3]);
    f.exit(p, 0);
    expect(() => f.exit(p, 0)).toThrow("exit(): takes what this formatter's enter() returned (got object)");
    expect(() => createFormatter({ abi }).exit(f.enter(3, [1]), 0)).toThrow(/^exit\(\): takes/);
  });

  it('a reader that throws or returns junk: the address prints', () => {
    const f = createFormatter({ abi, read: () => { throw new Error('boom'); } });
    expect(f.line(abi.names.write, [1, 0x1000, 2], 2)).toBe('write(1, 0x1000, 2)                     = 2');
    const g = createFormatter({ abi, read: () => 'ab' as unknown as Uint8Array });
    expect(g.line(abi.names.write, [1, 0x1000, 2], 2)).toBe('write(1, 0x1000, 2)                     = 2');
  });

  it('interleaver', () => {
    const f = createFormatter({ abi });
    const il = createInterleaver({ write: () => {} });
    expect(() => il.exit(3, { rest: ')', ret: '= 0' })).toThrow('exit(): thread 3 has no call in progress; enter(3, pending) first');
    expect(() => il.enter(-1, f.enter(abi.names.getpid, []))).toThrow('enter(): a thread id is a non-negative integer (got -1)');
    il.enter(3, f.enter(abi.names.getpid, []));
    expect(() => il.enter(3, f.enter(abi.names.getpid, []))).toThrow('enter(): thread 3 already has a call in progress (getpid); exit() it first');
  });
});
