import { describe, expect, it } from 'vitest';
import { both, expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture hello', () => {
  it('hello world with printf: same stdout, exit code and call names as qemu', async () => {
    await expectSameAsQemu('hello');
  }, TIMEOUT);
});

it('hello prints what the program says', async () => {
  const { emu } = await both('hello');
  expect(emu.stdout).toBe('hello, world\n2 + 3 = 5, systab, deadbeefcafe\n');
  expect(emu.status).toBe(0);
  expect(emu.calls.at(-2)).toBe('write');
  expect(emu.calls.at(-1)).toBe('exit_group');
}, TIMEOUT);
