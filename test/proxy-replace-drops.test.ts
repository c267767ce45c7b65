// A call carried to its home and taken there before a replace that drops its
// number runs the old handler (its code stays until the record is freed); a
// call that reaches the home after the change gets the new state's answer.
// Never ENOCODE.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { flagged, spinUntil, startFault, within } from './helpers/fault.js';

describe('carried calls across a replace that drops their number', () => {
  it('a call posted before the replace runs the old handler', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 1, getuid: () => 7 } });
    const w = startFault(t, 'oneCall', { call: 'getuid' });
    // Keep this thread busy until the worker has posted its call, so it is
    // still waiting here when the replace takes getuid away.
    spinUntil(w.flags, 0);
    const end = performance.now() + 50;
    while (performance.now() < end);
    const v2 = t.load({ name: 'm', handlers: { getpid: () => 2 }, replace: true });
    expect(await within(w.result(), 5000, 'the carried call')).toEqual({ value: 7 });
    await v2.drained;
    expect(t.call(abi.names.getuid!)).toBe(-38);
    t.verify();
  });

  it('calls carried flat out across 300 replaces answer only what some version answered', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 0, getuid: () => 101 } });
    const w = startFault(t, 'callLoop', { call: 'getuid' });
    await flagged(w.flags, 1);
    // Odd versions have getuid (answering 100 + version), even ones drop it.
    for (let v = 2; v <= 301; v++) {
      const handlers: Record<string, () => number> = v % 2 ? { getpid: () => v, getuid: () => 100 + v } : { getpid: () => v };
      const m = t.load({ name: 'm', handlers, replace: true });
      await within(m.drained, 5000, `drained of version ${v}`);
    }
    Atomics.store(w.flags, 0, 1);
    const r = await w.result<{ calls: number; values: number[]; codes: Record<string, number> }>();
    expect(r.codes).toEqual({});
    for (const v of r.values) expect(v === -38 || (v > 100 && v % 2 === 1 && v <= 401)).toBe(true);
    expect(r.values).toContain(-38);
    expect(r.calls).toBeGreaterThan(300);
    t.verify();
  }, 30_000);
});
