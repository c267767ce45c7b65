// Each thread answers calls from its own cache of its slots' functions; every
// change rings every thread's doorbell, so a change made in another thread is
// seen at this thread's very next call, fast path included.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';
import { cacheSteps, GETPID, hot } from './helpers/cache.js';

const ENOSYS = abi.enosys;
const READ = abi.names.read!; // missing in these tables

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

  it("the count switch of '*' reaches another thread's warm out-of-range calls at their next call, both ways", async () => {
    const t = createTable({ abi });
    const w = startRole(t, 'changer');
    await w.next('ready');
    const stats = () => ({ outOfRange: t.stats().outOfRange, read: t.stats().missing.find((m) => m.nr === READ)?.count ?? 0 });
    // The worker calls numbers beyond the table (and one missing in it) `times` times each.
    const workerCalls = async (times: number): Promise<void> => {
      w.send({ op: 'calls', nrs: [abi.count, abi.count + 1, -1, READ], times, want: ENOSYS });
      expect(await w.next('done')).toEqual({ done: 'calls', wrong: 0 });
    };

    // Flipped here, seen by the worker.
    await workerCalls(2000); // its hot path answers them, uncounted
    expect(stats()).toEqual({ outOfRange: 0, read: 0 });
    t.hooks('*', { count: true });
    await workerCalls(1);
    expect(stats()).toEqual({ outOfRange: 3, read: 1 });
    await workerCalls(10);
    expect(stats()).toEqual({ outOfRange: 33, read: 11 });
    t.hooks('*', { count: false });
    await workerCalls(100);
    expect(stats()).toEqual({ outOfRange: 33, read: 11 });

    // Flipped there, seen here.
    hot(t, abi.count, ENOSYS);
    expect(stats().outOfRange).toBe(33);
    w.send({ op: 'hooks', calls: '*', switches: { count: true } });
    expect(await w.next('done')).toEqual({ done: 'hooks' });
    hot(t, abi.count, ENOSYS, 10);
    expect(stats().outOfRange).toBe(43);
    w.send({ op: 'hooks', calls: '*', switches: { count: false } });
    expect(await w.next('done')).toEqual({ done: 'hooks' });
    hot(t, abi.count, ENOSYS, 10);
    expect(stats()).toEqual({ outOfRange: 43, read: 11 });

    w.send({ op: 'end' });
    expect(await w.result()).toEqual({ ended: true });
    t.verify();
  });
});
