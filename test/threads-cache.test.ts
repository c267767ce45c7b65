// Each thread answers calls from its own cache of its slots' functions; every
// change rings every thread's doorbell, so a change made in another thread is
// seen at this thread's very next call, fast path included.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';
import { cacheSteps, GETPID, hot } from './helpers/cache.js';

describe('changes made in another thread', () => {
  it('reach this thread at its next call: hooks, policy, unload, load', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'a', handlers: { getpid: () => 1 } });
    t.provide({ name: 'b', handlers: { getppid: () => 9 } });
    const w = startRole(t, 'changer');
    await w.next('ready');
    await cacheSteps(t, m, async (msg) => {
      w.send(msg);
      expect(await w.next('done')).toEqual({ done: msg.op });
    });
    w.send({ op: 'end' });
    expect(await w.result()).toEqual({ ended: true });
  });

  it('a replace made in another thread switches this thread to the new handler', async () => {
    const t = createTable({ abi });
    const w = startRole(t, 'changer');
    await w.next('ready');
    // The worker is the module's home: calls made here are carried there.
    w.send({ op: 'load', name: 'r', call: 'getpid', value: 1 });
    expect(await w.next('done')).toEqual({ done: 'load' });
    hot(t, GETPID, 1, 200);
    w.send({ op: 'load', name: 'r', call: 'getpid', value: 2, replace: true });
    expect(await w.next('done')).toEqual({ done: 'load' });
    hot(t, GETPID, 2, 200);
    w.send({ op: 'end' });
    await w.result();
    t.verify();
  });
});
