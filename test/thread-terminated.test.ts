// Threads terminated at the worst moments: an idle attached worker (grace
// periods must not wait for it), and a worker holding the writer lock while
// its unload waits for a grace period (no lock outlives its holder). The
// thread that created the worker sees it end and evicts it; nobody calls evict().
import { describe, expect, it } from 'vitest';
import { attach, createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { spinUntil, startFault, within } from './helpers/fault.js';

describe('terminated threads', () => {
  it('an attached worker terminated while idle holds no unload back', async () => {
    const t = createTable({ abi });
    const w = startFault(t, 'attached');
    await w.next('attached');
    await w.worker.terminate();
    await new Promise((r) => setTimeout(r, 20));
    const m = t.load({ name: 'm', handlers: { getuid: () => 1 } });
    await within(m.unload({ timeout: 3000 }), 4000, 'unload after a terminate');
    t.verify();
  });

  it('a worker terminated while its unload waits for a grace period leaves no lock behind', async () => {
    const t = createTable({ abi, lockTimeout: 20_000 });
    const stuck = startFault(t, 'inCall', { ms: 1500 }); // holds every grace period back for 1.5 s
    spinUntil(stuck.flags, 0);
    const u = startFault(t, 'unloadStuck');
    await u.next('loaded');
    u.worker.postMessage('go');
    await u.next('unloading'); // its unload waits for `stuck` (holding no lock), its stub holding getuid
    await new Promise((r) => setTimeout(r, 50));
    await u.worker.terminate();
    await new Promise((r) => setTimeout(r, 20));
    // A change elsewhere must neither block forever nor get EBUSY.
    const t0 = performance.now();
    const m = t.load({ name: 'after', handlers: { getgid: () => 5 } });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(t.call(abi.names.getgid!)).toBe(5);
    // The dead writer's module: its handler is out of the table, and the unload it began was finished
    // by the eviction: its stub is gone (getuid loads again) and so is the module (its name loads again).
    expect(t.call(abi.names.getuid!)).toBe(-38);
    const reuse = t.load({ name: 'w', handlers: { getuid: () => 6 } });
    expect(t.call(abi.names.getuid!)).toBe(6);
    await stuck.result();
    await reuse.unload();
    await m.unload();
    t.verify();
    // A new thread reusing the dead one's record may change the table.
    const again = startFault(t, 'unloadStuck');
    await again.next('loaded');
    again.worker.postMessage('go');
    expect(await within(again.result(), 5000, 'the new thread’s unload')).toEqual({ unloaded: true });
    t.verify();
  }, 30_000);

  it('no writer waits on another thread’s grace period: a change goes on while a worker’s unload waits', async () => {
    const t = createTable({ abi, lockTimeout: 100 });
    const stuck = startFault(t, 'inCall', { ms: 1500 });
    spinUntil(stuck.flags, 0);
    const u = startFault(t, 'unloadStuck');
    await u.next('loaded');
    u.worker.postMessage('go');
    await u.next('unloading');
    const t0 = performance.now();
    const m = t.load({ name: 'x', handlers: { getgid: () => 5 } });
    expect(performance.now() - t0).toBeLessThan(100);
    expect(t.call(abi.names.getgid!)).toBe(5);
    expect(await within(u.result(), 5000, 'the worker’s unload')).toEqual({ unloaded: true });
    await stuck.result();
    await m.unload();
    t.verify();
  }, 20_000);

  it('a writer terminated inside its change (a wrap factory, its record allocated) leaves no damage: the next writer repairs it', async () => {
    const t = createTable({ abi });
    t.load({ name: 'base', handlers: { read: () => 7 } });
    const w = startFault(t, 'slowFactory', { ms: 60_000 }); // its wrap factory runs under the writer lock
    spinUntil(w.flags, 0);
    await w.worker.terminate(); // its exit is seen: record and lock freed, the half-made load flagged
    expect(t.call(abi.names.read!)).toBe(7); // the wrap was never linked
    // A thread attaching now, and verify(), see a change awaiting repair, not damage: they repair it.
    const v = attach(t.describe());
    v.close();
    t.verify();
    t.load({ name: 'next', handlers: { getgid: () => 5 } });
    expect(t.call(abi.names.getgid!)).toBe(5);
    await new Promise((r) => setTimeout(r, 50)); // the orphan's grace period
    t.verify();
    t.load({ name: 'slowwrap', wraps: { read: (below) => () => Number(below(0, 0, 0, 0, 0, 0)) + 1 } }); // its name is free again
    expect(t.call(abi.names.read!)).toBe(8);
    t.verify();
  }, 20_000);

  it('a writer lock held past lockTimeout is ETIMEDOUT, and nothing changes', async () => {
    const t = createTable({ abi, lockTimeout: 100 });
    const w = startFault(t, 'slowFactory', { ms: 1500 }); // its wrap factory runs under the writer lock
    spinUntil(w.flags, 0);
    const t0 = performance.now();
    expect(() => t.load({ name: 'x', handlers: { getgid: () => 5 } })).toThrow(expect.objectContaining({ code: 'ETIMEDOUT' }));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(t.call(abi.names.getgid!)).toBe(-38);
    await w.result();
    t.load({ name: 'x', handlers: { getgid: () => 5 } });
    expect(t.call(abi.names.getgid!)).toBe(5);
    t.verify();
  }, 20_000);

  it('a thread that closes while its unload waits leaves it to the next writer, which finishes it', async () => {
    const t = createTable({ abi });
    const stuck = startFault(t, 'inCall', { ms: 300 });
    spinUntil(stuck.flags, 0);
    const w = startFault(t, 'closeMidUnload');
    // Its unload could not end on a closed view: it rejects, and leaves its stub and records as orphans.
    expect(await within(w.result(), 5000, 'the closing worker')).toEqual({ unload: 'EBUSY' });
    expect(t.call(abi.names.getuid!)).toBe(-38);
    await stuck.result();
    // The next change here adopts them: the call is free to load again, and so is the name.
    const m = t.load({ name: 'w', handlers: { getuid: () => 2 } });
    expect(t.call(abi.names.getuid!)).toBe(2);
    await m.unload();
    t.verify();
  }, 20_000);

  it('a call abandoned at a home that is then terminated holds neither its record nor its handler', async () => {
    const t = createTable({ abi, callRecords: 1 });
    t.load({ name: 'main', handlers: { getpid: () => 42 } });
    const home = startFault(t, 'slowHome');
    const { token } = await home.next<{ token: string }>('loaded');
    const caller = startFault(t, 'abandonThenCall');
    expect(await caller.next('abandoned')).toEqual({ abandoned: -110 }); // ETIMEDOUT; the home still runs it
    await home.worker.terminate();
    await new Promise((r) => setTimeout(r, 20));
    // The home's module: nothing of it runs any more, so its unload need not wait (its one record was abandoned there).
    await within(t.module(token).unload({ timeout: 2000 }), 3000, 'unload of the dead home’s module');
    Atomics.store(caller.flags, 0, 1);
    // The caller's only record is free again: its carried calls work.
    expect(await caller.result()).toEqual({ after: [42, 42, 42, 42, 42], verified: { value: undefined } });
    t.verify();
  }, 20_000);

  it('a change waiting for a lock held by a worker this thread is terminating fails fast, not after lockTimeout', async () => {
    const t = createTable({ abi, lockTimeout: 5000 });
    const w = startFault(t, 'slowFactory', { ms: 60_000 }); // holds the writer lock
    await new Promise((r) => setImmediate(r)); // Node announces a new Worker ('worker' event) a turn later
    spinUntil(w.flags, 0);
    const ended = w.worker.terminate(); // asked; its end reaches this thread's event loop only
    const t0 = performance.now();
    expect(() => t.load({ name: 'x', handlers: { getgid: () => 5 } })).toThrow(expect.objectContaining({ code: 'ETIMEDOUT', message: expect.stringContaining('whose terminate() this thread asked for') }));
    expect(performance.now() - t0).toBeLessThan(2500); // not the 5 s lockTimeout
    await ended;
    await new Promise((r) => setTimeout(r, 20));
    t.load({ name: 'x', handlers: { getgid: () => 5 } });
    expect(t.call(abi.names.getgid!)).toBe(5);
    t.verify();
  }, 20_000);

  it('an unload whose last step meets a lock held by a worker being terminated finishes once its end is seen', async () => {
    const t = createTable({ abi, lockTimeout: 5000 });
    const m = t.load({ name: 'u', handlers: { getuid: () => 1 } });
    const stuck = startFault(t, 'inCall', { ms: 300 }); // holds the unload's grace period back a little
    spinUntil(stuck.flags, 0);
    const unloaded = m.unload({ timeout: 5000 });
    const w = startFault(t, 'slowFactory', { ms: 60_000 }); // takes the writer lock meanwhile
    await new Promise((r) => setImmediate(r)); // Node announces a new Worker ('worker' event) a turn later
    spinUntil(w.flags, 0);
    const t0 = performance.now();
    await w.worker.terminate(); // the unload's last step meets its lock; this thread's event loop must go on to see the end
    await within(unloaded, 4000, 'the unload');
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(t.call(abi.names.getuid!)).toBe(-38);
    await stuck.result();
    t.verify();
  }, 20_000);
});
