import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { runBoth, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture malloc', () => {
  it('malloc of a 64 MiB block (mmap) and many small ones (brk): same as qemu', async () => {
    const { emu, qemu } = await runBoth('malloc', [], abi.names);
    expect(emu.stderr.includes('rv64:')).toBe(false);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});
