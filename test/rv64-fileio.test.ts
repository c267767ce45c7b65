import { describe, expect, it } from 'vitest';
import { both, expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture fileio', () => {
  it('file I/O on the in-memory file system (create, write, stat, reopen, read, lseek, unlink): same as qemu', async () => {
    await expectSameAsQemu('fileio');
  }, TIMEOUT);
});

it('fileio: the program reads back what it wrote, and perror reaches stderr', async () => {
  const { emu, qemu } = await both('fileio');
  expect(emu.stdout).toBe('size 18\n1: line one\n2: line two\nend 18 word one\n');
  expect(emu.stderr).toBe('open missing: No such file or directory\n');
  expect(emu.stderr).toBe(qemu.stderr);
  expect(emu.status).toBe(2);
}, TIMEOUT);
