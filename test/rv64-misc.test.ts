import { describe, expect, it } from 'vitest';
import { both, expectSameAsQemu, TIMEOUT } from './helpers/rv64.js';

describe('rv64 fixture misc', () => {
  it('sleeps, poll/select, sigaltstack, affinity, process groups, kill 0, rusage, prctl, umask: same as qemu', async () => {
    await expectSameAsQemu('misc');
  }, TIMEOUT);
});

it('misc: nanosleep, clock_nanosleep and select really wait (a lower bound, measured by the guest)', async () => {
  const { emu } = await both('misc');
  expect(emu.stdout).toContain('nanosleep 0.2 s: slept\n');
  expect(emu.stdout).toContain('clock_nanosleep 0.2 s: slept\n');
  expect(emu.stdout).toContain('select timeout 0.1 s: slept\n');
  expect(emu.stdout).toContain('name rv64-misc-name-\n');
}, TIMEOUT);
