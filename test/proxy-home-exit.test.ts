// When a handler's home thread ends, calls waiting on it fail cleanly with
// ENOSYS, the handler's code being gone, and the table stays intact. A Node
// worker that is terminated is seen by the thread that created it, which
// evicts it without being asked.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('home thread exit', () => {
  it('fails waiting calls with ENOSYS once the home is terminated, with no evict() call', async () => {
    const t = createTable({ abi });
    const home = startRole(t, 'home');
    await home.next('loaded');
    const waiter = startRole(t, 'waiter', { callTimeout: 30_000 });
    await waiter.next('calling');
    await new Promise((r) => setTimeout(r, 100)); // the call is running at home now
    const id = home.worker.threadId;
    const t0 = performance.now();
    await home.worker.terminate();
    expect(await waiter.result()).toEqual({ getpid: { value: -38 } });
    // Well before the waiter's 30 s callTimeout: the exit was seen, not waited out.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(t.evict(id)).toBe(false); // already evicted
    // Calls made afterwards fail at once as well.
    expect(t.call(abi.names.getpid!)).toBe(-38);
    t.verify();
  });
});
