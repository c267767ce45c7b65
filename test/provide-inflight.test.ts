// Code a thread provides for a module serves every version of it: an async
// call it is running holds the version that answered it, so that version's
// unload (or a replace's drained) waits for the call to settle.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { flagged, startFault, within } from './helpers/fault.js';

describe('provided async code under replace and unload', () => {
  it('no call runs in provided code after its module’s unload resolved', async () => {
    const MODS = 8;
    const t = createTable({ abi, maxHandlers: 256, async: true });
    const w = startFault(t, 'providedCaller', { mods: MODS });
    await new Promise((r) => setTimeout(r, 100));
    let changes = 0;
    for (let k = 0; k < MODS; k++) {
      // Main holds code too (the home): async, so its own calls would count as well.
      let m = t.load({ name: `p${k}`, handlers: { getuid: async () => k } });
      for (let v = 0; v < 10; v++) {
        const next = t.load({ name: `p${k}`, handlers: { getuid: async () => k }, replace: true });
        await within(next.drained, 5000, `drained of p${k} v${v}`);
        m = next;
        changes++;
        await new Promise((r) => setTimeout(r, 2));
      }
      await within(m.unload({ timeout: 5000 }), 6000, `unload of p${k}`);
      Atomics.store(w.flags, 2 + k, 1); // retired: provided code for p<k> must never run again
      changes++;
    }
    Atomics.store(w.flags, 0, 1);
    const r = await w.result<{ calls: number }>();
    expect(Atomics.load(w.flags, 1)).toBe(0);
    expect(r.calls).toBeGreaterThan(100);
    expect(changes).toBe(MODS * 11);
    t.verify();
  }, 60_000);
});
