// A thread that asks for a worker's terminate() and then blocks in a call
// carried to it cannot see the worker's exit (Node delivers it through the
// event loop). From the moment terminate() is asked, systab posts no call to
// that worker: the call answers ENOSYS at once instead of waiting out its
// callTimeout, and a call the worker never took is withdrawn.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('terminate() asked by the thread that then calls', () => {
  it('answers ENOSYS at once for calls carried to the worker being terminated', async () => {
    const t = createTable({ abi, callTimeout: 5000 });
    const home = startRole(t, 'server');
    await home.next('loaded');
    expect(t.call(abi.names.getppid!, 21)).toBe(42); // carried to it while it lives
    const done = home.worker.terminate();
    const t0 = performance.now();
    expect(t.call(abi.names.getppid!, 21)).toBe(-38); // blocked here, the exit not seen yet
    expect(performance.now() - t0).toBeLessThan(1000);
    await done;
    expect(t.call(abi.names.getppid!, 21)).toBe(-38);
    t.verify();
  });
});
