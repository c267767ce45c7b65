// A Node worker whose last work is awaiting callAsync stays alive until the
// answer arrives (a pending Atomics.waitAsync alone does not keep it alive).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startFault } from './helpers/fault.js';

describe('await callAsync() as a worker’s last work', () => {
  it('gets its answer before the worker exits', async () => {
    const t = createTable({ abi });
    t.load({ name: 'home', handlers: { getpid: (a) => a * 2 } });
    const w = startFault(t, 'lastAwait');
    // Busy for a while, so the answer comes late: the worker must wait for it.
    await new Promise((r) => setTimeout(r, 30));
    const end = performance.now() + 200;
    while (performance.now() < end);
    expect(await w.next('answer')).toEqual({ answer: 42 });
    expect(await w.exited).toBe(0);
    t.verify();
  });
});
