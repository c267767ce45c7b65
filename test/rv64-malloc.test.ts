import { describe, it } from 'vitest';
import { expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture malloc', () => {
  it('malloc of a 64 MiB block (mmap) and many small ones (brk): same as qemu', async () => {
    await expectSameAsQemu('malloc');
  }, TIMEOUT);
});
