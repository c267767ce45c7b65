// The rv64 fixture tests' shared run and check: each fixture runs once in the
// emulator and once under qemu-riscv64 per argument list (the tests of one
// file share that run), and the emulator must match qemu's stdout, exit code
// and sequence of call names, without a complaint of its own on stderr.
import { expect } from 'vitest';
import { abi } from '../../src/abi/linux-riscv64.js';
import { runBoth, type Compared } from '../../examples/rv64/test/harness.js';

export { TIMEOUT } from '../../examples/rv64/test/harness.js';

const runs = new Map<string, Promise<Compared>>();

/** The fixture's two runs (made once per fixture and arguments). */
export function both(fixture: string, args: string[] = []): Promise<Compared> {
  const key = JSON.stringify([fixture, args]);
  let r = runs.get(key);
  if (r === undefined) runs.set(key, (r = runBoth(fixture, args, abi.names)));
  return r;
}

/** Runs the fixture both ways and expects the emulator to do what qemu does. */
export async function expectSameAsQemu(fixture: string, args: string[] = []): Promise<Compared> {
  const c = await both(fixture, args);
  expect(c.emu.stderr.includes('rv64:')).toBe(false);
  expect(c.emu.stdout).toBe(c.qemu.stdout);
  expect(c.emu.status).toBe(c.qemu.status);
  expect(c.emu.calls).toEqual(c.qemu.calls);
  return c;
}
