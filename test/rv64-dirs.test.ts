import { describe, expect, it } from 'vitest';
import { both, expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture dirs', () => {
  it('directories, links, renameat2 flags, umask, metadata, devices on the in-memory tree: same as qemu on a real file system', async () => {
    await expectSameAsQemu('dirs');
  }, TIMEOUT);
});

it('dirs: the fixture reached its end and left nothing behind', async () => {
  const { emu } = await both('dirs');
  expect(emu.stdout).toContain('d: 8 entries: ..:4 .:4 f1:8 f2:8 fifo:1 hard:8 ln:10 sub:4 | resume after d_off: same');
  expect(emu.stdout).toContain('times 1000000000.123456789 1200000000.000000005');
  expect(emu.stdout).toMatch(/rmdir\("d"\) +.*= 0 ok\nrmdir\("d"\) +.*= -1 ENOENT\n$/);
  expect(emu.status).toBe(0);
}, TIMEOUT);
