// Each thread answers calls from its own cache of its slots' functions; every
// change rings every thread's doorbell, so a change made in another thread is
// seen at this thread's very next call, fast path included.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

const GETPID = abi.names.getpid!;
const GETPPID = abi.names.getppid!;
const ENOSYS = abi.enosys; // -38, returned as is

/** Calls `nr` often enough that the call site runs hot, and checks every answer. */
function hot(t: ReturnType<typeof createTable>, nr: number, want: number, times = 2000): void {
  let wrong = 0;
  for (let i = 0; i < times; i++) if (t.call(nr, i) !== want) wrong++;
  expect(wrong).toBe(0);
}

describe('changes made in another thread', () => {
  it('reach this thread at its next call: hooks, policy, unload, load', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'a', handlers: { getpid: () => 1 } });
    t.provide({ name: 'b', handlers: { getppid: () => 9 } });
    const w = startRole(t, 'changer');
    await w.next('ready');
    const change = async (msg: Record<string, unknown>): Promise<void> => {
      w.send(msg);
      expect(await w.next('done')).toEqual({ done: msg.op });
    };
    const counted = (): number => t.stats().calls.find((c) => c.nr === GETPID)?.calls ?? 0;

    hot(t, GETPID, 1);
    expect(counted()).toBe(0);

    await change({ op: 'hooks', calls: ['getpid'], switches: { count: true } });
    hot(t, GETPID, 1, 10);
    expect(counted()).toBe(10);

    await change({ op: 'hooks', calls: ['getpid'], switches: { count: false } });
    hot(t, GETPID, 1, 10);
    expect(counted()).toBe(10);

    await change({ op: 'unload', token: m.token });
    expect(m.loaded).toBe(false);
    hot(t, GETPID, ENOSYS, 10);

    await change({ op: 'missing', calls: ['getpid'], policy: 'throw' });
    expect(() => t.call(GETPID)).toThrow(SystabError);
    await change({ op: 'missing', calls: ['getpid'], policy: 'enosys' });
    hot(t, GETPID, ENOSYS, 10);

    // Loaded there, provided here: this thread runs its own code for it.
    hot(t, GETPPID, ENOSYS, 10);
    await change({ op: 'load', name: 'b', call: 'getppid', value: 99 });
    hot(t, GETPPID, 9);

    w.send({ op: 'end' });
    expect(await w.result()).toEqual({ ended: true });
    t.verify();
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
