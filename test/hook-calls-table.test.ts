// User code that runs inside a call before its handler (an enter hook, a
// wrap factory made on first use) may call the table. Such a nested call
// must not be a quiescent point: the handler the outer call already holds
// could otherwise be unloaded and freed by another thread before it runs.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { flagged, startFault, within } from './helpers/fault.js';

const uid = abi.names.getuid!;
const pid = abi.names.getpid!;

describe('user code inside a call that calls the table', () => {
  it('an enter hook calling the table holds its call’s handler: an unload elsewhere waits for the call', async () => {
    const t = createTable({ abi });
    t.load({ name: 'other', handlers: { getpid: () => 5 } });
    let ranAfterUnload = false;
    const m = t.load({
      name: 'held',
      handlers: {
        getuid: () => {
          if (Atomics.load(w.flags, 1) !== 0) ranAfterUnload = true;
          return 1;
        },
      },
    });
    const w = startFault(t, 'unloadOnFlag', { token: m.token });
    let nested = 0;
    t.hooks(['getuid'], { enter: true });
    t.onEnter((nr) => {
      if (nr !== uid || nested > 0) return;
      Atomics.store(w.flags, 0, 1); // the other thread unloads "held" now
      const end = performance.now() + 1000;
      // Calls from the hook: the unload rings this thread, so these take the slow path (a poll).
      while (Atomics.load(w.flags, 1) === 0 && performance.now() < end) nested += t.call(pid) === 5 ? 1 : 0;
    });
    expect(t.call(uid)).toBe(1);
    expect(nested).toBeGreaterThan(0);
    expect(ranAfterUnload).toBe(false);
    expect(await within(w.result(), 10_000, 'the unload')).toEqual({ done: true });
    expect(t.call(uid)).toBe(-38);
    t.verify();
  }, 20_000);

  it('a wrap factory calling the table, made at a call’s first use (provided code), holds that call’s handler too', async () => {
    const t = createTable({ abi });
    t.load({ name: 'other', handlers: { getpid: () => 5 } });
    const m = t.load({ name: 'heldwrap', wraps: { getuid: (below) => (...a: number[]) => Number(below(...(a as [number, number, number, number, number, number]))) + 1 } });
    const w = startFault(t, 'providedWrapFactory');
    await flagged(w.flags, 0); // its factory runs: unload now, while it calls the table
    const unloaded = m.unload({ timeout: 10_000 }).then(() => Atomics.store(w.flags, 1, 1));
    const r = await within(w.result<{ answer: number; nested: number; ranAfterUnload: boolean }>(), 10_000, 'the worker');
    await unloaded;
    expect(r.nested).toBeGreaterThan(0);
    expect(r.ranAfterUnload).toBe(false);
    t.verify();
  }, 20_000);
});
