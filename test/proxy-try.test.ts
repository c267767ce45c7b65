// tryCall never waits for a busy home: the call is withdrawn, unrun.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('tryCall', () => {
  it('withdraws the call when the home does not take it', async () => {
    const t = createTable({ abi });
    let runs = 0;
    t.load({ name: 'home', handlers: { getpid: () => (++runs, 99) } });
    const w = startRole(t, 'tryCaller');
    await new Promise((r) => w.worker.once('online', r));
    const first = w.next<{ first: unknown }>('first');
    // Keep this (home) thread busy while the worker tries once.
    const end = performance.now() + 1500;
    while (performance.now() < end);
    expect((await first).first).toBe('undefined');
    expect(runs).toBe(0);
    w.send('again');
    expect(await w.result()).toEqual({ second: 99 });
    expect(runs).toBe(1);
    t.verify();
  });
});
