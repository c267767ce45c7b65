import { describe, it } from 'vitest';
import { expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture compute', () => {
  it('integer, multiply/divide, floating-point and string work computes what qemu computes', async () => {
    await expectSameAsQemu('compute', ['1']);
  }, TIMEOUT);
});
