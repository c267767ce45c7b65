// verify() from a worker while the main thread changes the table as fast as
// it can: it checks one state of the table (it holds the writer lock), so it
// reports no damage that is not there.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { flagged, startFault } from './helpers/fault.js';

describe('verify() under concurrent change', () => {
  it('finds nothing while loads, wraps, replaces, unloads, reservations and switches churn', async () => {
    const t = createTable({ abi });
    const w = startFault(t, 'verifier');
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 400; i++) {
      const m = t.load({ name: 'a', handlers: { read: () => 1, write: () => 2 } });
      const wr = t.load({ name: 'w', wraps: { read: (b) => b } });
      t.hooks(['read', 'write'], { count: i % 2 === 0, enter: i % 3 === 0 });
      t.setMissing(['socket'], i % 2 ? 'throw' : 'enosys');
      t.reserve('net', ['socket', 'connect']);
      t.load({ name: 'a', handlers: { read: () => 3 }, replace: true });
      t.release('net');
      await wr.unload();
      await t.module(m.token.replace(/^(\d+)\.(-?\d+)/, (_, id, gen) => `${id}.${Number(gen) + 1}`)).unload();
    }
    Atomics.store(w.flags, 0, 1);
    const r = await w.result<{ runs: number; failed: number; failures: string[] }>();
    expect(r.failures).toEqual([]);
    expect(r.runs).toBeGreaterThan(50);
    t.verify();
  }, 30_000);
});
