// Any call number, any registers, any guest memory: the formatter prints
// one line (no newline, one `name(`, a result after the column padding) and
// never throws, on every decoded ABI and on WASI.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abi as riscv } from '../src/abi/linux-riscv64.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';
import { abi as x86 } from '../src/abi/linux-x86_64.js';
import { createFormatter } from '../src/trace/format.js';

const word = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }),
  fc.constantFrom(0, 1, 0x1000, 0x1ff8, -100, 2 ** 53 - 1, -(2 ** 53) + 1),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

describe('formatter fuzz', () => {
  for (const abi of [x86, riscv, wasi]) {
    it(`${abi.id}: every call number and register set gives one well-formed line`, () => {
      const nrs = [...new Set(Object.values(abi.names))];
      fc.assert(fc.property(
        fc.oneof(fc.constantFrom(...nrs), fc.integer({ min: 0, max: 5000 })),
        fc.array(word, { minLength: 0, maxLength: 6 }),
        fc.uint8Array({ minLength: 0, maxLength: 0x2000 }),
        fc.oneof(word, fc.constant(undefined)),
        (nr, args, mem, result) => {
          const f = createFormatter({ abi, read: (a, n) => (a + n <= mem.length ? mem.subarray(a, a + n) : null), strSize: 16 });
          const p = f.enter(nr, args);
          const line = f.exit(p, result);
          expect(line).not.toContain('\n');
          expect(line.startsWith(`${p.name}(`)).toBe(true);
          expect(line).toMatch(/\) += (\?|-?\d|0x)/);
        },
      ), { numRuns: 2000 });
    });
  }
});
