import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { runBoth, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture fileio', () => {
  it('file I/O on the in-memory file system (create, write, stat, reopen, read, lseek, unlink): same as qemu', async () => {
    const { emu, qemu } = await runBoth('fileio', [], abi.names);
    expect(emu.stderr.includes('rv64:')).toBe(false);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});

it('fileio: the program reads back what it wrote, and perror reaches stderr', async () => {
  const { emu, qemu } = await runBoth('fileio', [], abi.names);
  expect(emu.stdout).toBe('size 18\n1: line one\n2: line two\nend 18 word one\n');
  expect(emu.stderr).toBe('open missing: No such file or directory\n');
  expect(emu.stderr).toBe(qemu.stderr);
  expect(emu.status).toBe(2);
}, TIMEOUT);
