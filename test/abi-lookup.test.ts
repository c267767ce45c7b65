// abiNumber / abiName: both directions, and undefined for anything else.
import { describe, expect, it } from 'vitest';
import { abiName, abiNumber } from '../src/abi/lookup.js';
import type { Abi } from '../src/abi/types.js';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as arm } from '../src/abi/linux-arm.js';
import { abi as alpha } from '../src/abi/linux-alpha.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';

describe('abi lookup', () => {
  it('maps names to numbers', () => {
    expect(abiNumber(x86_64, 'openat')).toBe(257);
    expect(abiNumber(arm, 'set_tls')).toBe(0x0f0005);
    expect(abiNumber(wasi, 'fd_write')).toBe(wasi.names.fd_write);
  });

  it('maps numbers to names, in the main range and in extra ranges', () => {
    expect(abiName(x86_64, 257)).toBe('openat');
    expect(abiName(x86_64, 0)).toBe('read');
    expect(abiName(arm, 0x0f0005)).toBe('set_tls');
    expect(abiName(arm, 0x0f0001)).toBe('breakpoint');
    expect(abiName(wasi, 0)).toBe('args_get');
  });

  it('answers an alias number with the first name in the record', () => {
    expect(abiName(alpha, 20)).toBe('getpid');
    expect(abiNumber(alpha, 'getxpid')).toBe(20);
  });

  it('returns undefined for names the ABI lacks', () => {
    // Untyped: with x86_64's own type these names do not compile (test/types-call-names.test.ts).
    const untyped: Abi = x86_64;
    expect(abiNumber(untyped, 'no_such_call')).toBe(undefined);
    expect(abiNumber(untyped, 'set_tls')).toBe(undefined);
    expect(abiNumber(untyped, 'toString')).toBe(undefined);
    expect(abiNumber(untyped, '__proto__')).toBe(undefined);
    expect(abiNumber(untyped, '')).toBe(undefined);
  });

  it('returns undefined for unassigned and out-of-range numbers', () => {
    expect(abiName(arm, 7)).toBe(undefined); // a hole in the main range
    expect(abiName(x86_64, 472)).toBe(undefined);
    expect(abiName(x86_64, -1)).toBe(undefined);
    expect(abiName(arm, 0x0f0000)).toBe(undefined);
    expect(abiName(arm, 0x0f0007)).toBe(undefined);
    expect(abiName(x86_64, 2 ** 40)).toBe(undefined);
  });

  it('returns undefined for bad input', () => {
    const bad: unknown[] = [1, null, undefined, {}, [], Symbol('x'), 1n, true];
    for (const name of bad) expect(abiNumber(x86_64, name as string)).toBe(undefined);
    const badNr: unknown[] = [1.5, NaN, Infinity, -Infinity, '1', 1n, null, undefined, {}, [1], true];
    for (const nr of badNr) expect(abiName(x86_64, nr as number)).toBe(undefined);
  });
});
