import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { runBoth, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture enosys', () => {
  it('calls nobody implements return ENOSYS through systab and the program copes: same as qemu', async () => {
    const { emu, qemu } = await runBoth('enosys', [], abi.names);
    expect(emu.stderr.includes('rv64:')).toBe(false);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});

it('enosys: the unimplemented calls answer -1 with errno ENOSYS', async () => {
  const { emu } = await runBoth('enosys', [], abi.names);
  expect(emu.stdout).toBe('io_uring_setup: -1 errno=ENOSYS\nsyscall 1999: -1 errno=ENOSYS\n');
  expect(emu.status).toBe(38);
  expect(emu.calls).toContain('io_uring_setup');
}, TIMEOUT);
