// Calls that cross back and forth between threads do not deadlock: a thread
// waiting for a carried call serves the calls carried to it meanwhile.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('mutual carried calls', () => {
  it('worker -> main -> worker -> answer, and main -> worker -> main -> worker', async () => {
    const t = createTable({ abi });
    // write runs here and calls getgid, whose home is the worker.
    t.load({ name: 'main', handlers: { write: (a, b, c) => a + b + c + t.call(abi.names.getgid!) } });
    const w = startRole(t, 'mutual');
    await w.next('loaded');
    // main -> worker (getuid) -> main (write) -> worker (getgid): main blocks
    // in the first call and serves write while it waits.
    expect(t.call(abi.names.getuid!)).toBe(10 + 20 + 30 + 500 + 1);
    // worker -> itself through main: the worker blocks in write and serves getgid.
    w.send('go');
    expect(await w.result()).toEqual({ self: { value: 10 + 20 + 30 + 500 + 1 } });
    t.verify();
  });
});
