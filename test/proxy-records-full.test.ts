// One thread may have more calls carried at once than it has call records:
// the extra ones wait for a free record (within callTimeout) and never
// answer an errno the handler did not give (EAGAIN was one).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startFault } from './helpers/fault.js';

describe('more carried calls than call records', () => {
  it.each([16, 4, 1])('50 concurrent callAsync calls with %d records per thread all get the handler’s answer', async (records) => {
    const t = createTable({ abi, callRecords: records });
    t.load({ name: 'home', handlers: { getpid: (i) => 1000 + i } });
    const w = startFault(t, 'manyAsync', { n: 50 });
    const { all } = await w.result<{ all: number[] }>();
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    t.verify();
  });

  it('callRecords is checked', () => {
    for (const bad of [0, 257, 1.5, '4', null]) {
      expect(() => createTable({ abi, callRecords: bad as number })).toThrow(expect.objectContaining({ code: 'EBADSPEC', message: `callRecords must be an integer from 1 to 256 (got ${bad === null ? 'null' : typeof bad === 'string' ? '"4"' : bad})` }));
    }
  });
});
