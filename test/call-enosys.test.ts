// Every number nobody implements, and every number out of range, returns the
// ABI's ENOSYS in the ABI's convention, with or without arguments.
import { describe, expect, it } from 'vitest';
import { createTable, type Abi } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as mipso32 } from 'systab/abi/linux-mipso32';
import { abi as alpha } from 'systab/abi/linux-alpha';
import { abi as parisc } from 'systab/abi/linux-parisc';
import { abi as sparc64 } from 'systab/abi/linux-sparc64';
import { abi as arm } from 'systab/abi/linux-arm';
import { abi as wasi } from 'systab/abi/wasi-preview1';

const cases: [Abi, number][] = [
  [x86_64, -38],
  [mipso32, -89],
  [alpha, -78],
  [parisc, -251],
  [sparc64, -90],
  [arm, -38],
  [wasi, 52],
];

describe('call: missing and out-of-range numbers return ENOSYS', () => {
  it.each(cases.map(([abi, e]) => [abi.id, e, abi] as const))('%s answers %d', (_id, enosys, abi) => {
    const t = createTable({ abi });
    const first = abi.base;
    const last = abi.base + abi.count - 1;
    const missing = [first, first + 1, last];
    for (const nr of missing) {
      expect(t.call(nr)).toBe(enosys);
      expect(t.call(nr, 1, 2, 3, 4, 5, 6)).toBe(enosys);
    }
    const outside = [-1, first - 1, last + 1, last + 1000, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + first, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const nr of outside) {
      expect(t.call(nr), `nr ${nr}`).toBe(enosys);
      t.verify();
    }
    expect(t.call64(last + 1)).toBe(BigInt(enosys));
    expect(t.call64(first)).toBe(BigInt(enosys));
    t.verify();
  });

  it('a loaded handler leaves its neighbours missing', () => {
    const t = createTable({ abi: x86_64 });
    t.load({ name: 'io', handlers: { write: () => 7 } });
    expect(t.call(1)).toBe(7);
    expect(t.call(0)).toBe(-38);
    expect(t.call(2)).toBe(-38);
    expect(t.call(471)).toBe(-38);
    expect(t.call(472)).toBe(-38);
    t.verify();
  });

  it('numbers in an extra range answer ENOSYS, and so do the gaps around it', () => {
    const t = createTable({ abi: arm });
    expect(t.call(0xf0002)).toBe(-38); // cacheflush, in the extra range
    expect(t.call(0xf0000)).toBe(-38); // just below the extra range
    expect(t.call(0xf0007)).toBe(-38); // just above it
    t.load({ name: 'cache', handlers: { cacheflush: () => 0 } });
    expect(t.call(0xf0002)).toBe(0);
    expect(t.call(0xf0003)).toBe(-38);
    t.verify();
  });

  it('base-offset ABIs: numbers below the base are out of range', () => {
    const t = createTable({ abi: mipso32 });
    t.load({ name: 'io', handlers: { write: () => 3 } });
    expect(t.call(mipso32.names.write!)).toBe(3);
    expect(t.call(mipso32.names.write! - 4000)).toBe(-89);
    expect(t.call(3999)).toBe(-89);
    expect(t.call(0)).toBe(-89);
    t.verify();
  });
});
