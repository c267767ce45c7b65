import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { runBoth, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture hello', () => {
  it('hello world with printf: same stdout, exit code and call names as qemu', async () => {
    const { emu, qemu } = await runBoth('hello', [], abi.names);
    expect(emu.stderr.includes('rv64:')).toBe(false);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});

it('hello prints what the program says', async () => {
  const { emu } = await runBoth('hello', [], abi.names);
  expect(emu.stdout).toBe('hello, world\n2 + 3 = 5, systab, deadbeefcafe\n');
  expect(emu.status).toBe(0);
  expect(emu.calls.at(-2)).toBe('write');
  expect(emu.calls.at(-1)).toBe('exit_group');
}, TIMEOUT);
