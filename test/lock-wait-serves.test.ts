// A thread waiting for the writer lock serves calls carried to it, so that
// they do not wait for the lock too. Those calls run handlers (and may call
// the table): a grace period must wait for them like any other call, or an
// unload elsewhere resolves while a handler it took out still runs here.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { spinUntil, startFault, within } from './helpers/fault.js';

describe('calls served while waiting for the writer lock', () => {
  it('hold grace periods back: an unload elsewhere waits for a handler they reached', async () => {
    const t = createTable({ abi, lockTimeout: 10_000 });
    let ranAfterUnload = false;
    let e: ReturnType<typeof startFault> | undefined;
    // Reached from the served call; another thread unloads it meanwhile.
    const y = t.load({
      name: 'y',
      handlers: {
        getgid: () => {
          Atomics.store(e!.flags, 0, 1);
          const end = performance.now() + 800;
          while (Atomics.load(e!.flags, 1) === 0 && performance.now() < end);
          if (Atomics.load(e!.flags, 1) !== 0) ranAfterUnload = true;
          return 3;
        },
      },
    });
    t.load({ name: 'x', handlers: { getppid: () => t.call(abi.names.getgid!) } });
    e = startFault(t, 'unloadOnFlag', { token: y.token });
    const caller = startFault(t, 'oneCallAsync', { call: 'getppid' }) // waits quiescent: only this thread's serve holds the handler;
    const answer = caller.result();
    const holder = startFault(t, 'slowFactory', { ms: 300 }); // holds the writer lock for 300 ms
    spinUntil(holder.flags, 0);
    spinUntil(caller.flags, 0);
    // Waits for the lock, serving the carried getppid meanwhile (which runs getgid here).
    t.load({ name: 'z', handlers: { getuid: () => 1 } });
    expect(ranAfterUnload).toBe(false);
    expect(await within(answer, 5000, 'the carried call')).toEqual({ value: 3 });
    expect(await within(e.result(), 10_000, 'the unload')).toEqual({ done: true });
    await holder.result();
    t.verify();
  }, 20_000);
});
