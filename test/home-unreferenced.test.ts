// A worker that loads a module and keeps no reference to its table (a
// local of a function that returned) is still that module's home: its table
// must not be collected while it is, or calls carried there go unanswered.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startFault, within } from './helpers/fault.js';

describe('a home whose table nobody references', () => {
  it('still answers carried calls after garbage collection', async () => {
    const t = createTable({ abi, callTimeout: 2000 });
    const home = startFault(t, 'homeNoRef');
    await home.next('loaded');
    while (Atomics.load(home.flags, 1) < 5) await new Promise((r) => setTimeout(r, 5)); // several collections
    expect(await t.callAsync(abi.names.getppid!)).toBe(55);
    Atomics.store(home.flags, 0, 1);
    expect(await within(home.result(), 5000, 'the home')).toEqual({ done: true });
  }, 20_000);
});
