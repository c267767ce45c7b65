import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { runBoth, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture compute', () => {
  it('integer, multiply/divide, floating-point and string work computes what qemu computes', async () => {
    const { emu, qemu } = await runBoth('compute', ['1'], abi.names);
    expect(emu.stderr.includes('rv64:')).toBe(false);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});
