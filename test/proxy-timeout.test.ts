// A carried call that its home does not answer in time answers ETIMEDOUT,
// and leaves nothing half-done: an unanswered call never runs later, a call
// already running finishes at home and the caller's record comes back.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('carried call timeouts', () => {
  it('withdraw a call the home never took: it does not run afterwards', async () => {
    const t = createTable({ abi });
    let writes = 0;
    t.load({ name: 'home', handlers: { write: () => ++writes, getpid: () => 7 } });
    const w = startRole(t, 'slowCaller', { callTimeout: 100 });
    await new Promise((r) => w.worker.once('online', r));
    busy(1500); // the home thread is busy: it takes nothing
    expect(await w.next('wrote')).toEqual({ wrote: { value: -110 } });
    expect(writes).toBe(0);
    w.send('go');
    expect(await w.result()).toEqual({ after: { value: 7 } });
    expect(writes).toBe(0);
    t.verify();
  });

  it('give up on a call the home is running; it completes there', async () => {
    const t = createTable({ abi });
    let finished = 0;
    t.load({ name: 'home', handlers: { write: () => (busy(300), ++finished), getpid: () => 7 } });
    const w = startRole(t, 'slowCaller', { callTimeout: 100 });
    expect(await w.next('wrote')).toEqual({ wrote: { value: -110 } });
    expect(finished).toBe(1);
    w.send('go');
    expect(await w.result()).toEqual({ after: { value: 7 } });
    t.verify();
  });
});
