import { describe, expect, it } from 'vitest';
import { both, expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture enosys', () => {
  it('calls nobody implements return ENOSYS through systab and the program copes: same as qemu', async () => {
    await expectSameAsQemu('enosys');
  }, TIMEOUT);
});

it('enosys: the unimplemented calls answer -1 with errno ENOSYS', async () => {
  const { emu } = await both('enosys');
  expect(emu.stdout).toBe('io_uring_setup: -1 errno=ENOSYS\nsyscall 1999: -1 errno=ENOSYS\n');
  expect(emu.status).toBe(38);
  expect(emu.calls).toContain('io_uring_setup');
}, TIMEOUT);
