// A thread that attaches while a grace period is under way holds nothing from
// before it: the grace period must not wait for it. A worker attaches and
// closes again and again, calling between, while the main thread replaces a
// module and awaits each replace's drained.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startFault, within } from './helpers/fault.js';

describe('attach during a grace period', () => {
  it('never holds a replace’s drained back', async () => {
    const t = createTable({ abi, maxWorkers: 8 });
    t.load({ name: 'p', handlers: { getpid: () => 0 } });
    const w = startFault(t, 'churnAttach');
    let changes = 0;
    const end = performance.now() + 3000;
    while (performance.now() < end) {
      const v = t.load({ name: 'p', handlers: { getpid: () => changes }, replace: true });
      await within(v.drained, 2000, `drained of change ${changes}`);
      changes++;
    }
    Atomics.store(w.flags, 0, 1);
    const { cycles } = await w.result<{ cycles: number }>();
    expect(cycles).toBeGreaterThan(50); // attaches happened throughout the changes
    expect(changes).toBeGreaterThan(100);
    t.verify();
  }, 30_000);

  it('never makes an unload time out', async () => {
    const t = createTable({ abi, maxWorkers: 8 });
    const w = startFault(t, 'churnAttach');
    let n = 0;
    const end = performance.now() + 2000;
    while (performance.now() < end) {
      const m = t.load({ name: 'q', handlers: { getuid: () => 1 } });
      await m.unload({ timeout: 1500 }); // ETIMEDOUT would name the attaching worker
      n++;
    }
    Atomics.store(w.flags, 0, 1);
    await w.result();
    expect(n).toBeGreaterThan(50);
    t.verify();
  }, 30_000);
});
