// Per-thread seccomp filters (the kernel's per-thread filter chains) on real
// worker_threads: a thread's own chain filters it alone, over the table-wide
// set; other threads are neither filtered nor refused for it; a worker it
// starts inherits its chain; TSYNC makes the owner's chain every thread's or
// is refused naming the thread in the way; a thread that ends with its
// filter on gives its slots back. Nobody implements the numbers: an
// unfiltered call answers ENOSYS (-38), a filtered one its errno.
import { afterEach, describe, expect, it } from 'vitest';
import { createTable, attach } from 'systab';
import { SystabError } from 'systab';
import { filterTable, filterThread, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SeccompSyncError } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import { GETPID, GETPPID, GETTID, GETUID, program, reasons, startThread, type Thread } from './helpers/seccomp-thread.js';
import { C_LOCK, controlLayout } from '../src/seccomp/registry.js';

const PR_SECCOMP = 2, PR_THREAD = 4;
const ENOSYS = -38;
const allowAll = [{ code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }];
const threads: Thread[] = [];
afterEach(async () => {
  for (const w of threads.splice(0)) await w.close();
});
async function thread(t: ReturnType<typeof createTable>, join?: unknown): Promise<Thread> {
  const w = startThread(t, join);
  threads.push(w);
  await w.ready;
  return w;
}

describe('a thread filtered alone', () => {
  it('filterThread() on a worker holding no filters: it alone is filtered; another worker and the main thread make the same numbers unfiltered, never ESECCOMP', async () => {
    const t = createTable({ abi });
    const a = await thread(t);
    const b = await thread(t);
    await a.result({ filterThread: [program({ nr: GETPID, errno: 5 }), program({ nr: GETUID, arg: 1, errno: 6 })] });
    expect(await a.calls([[GETPID], [GETUID, 1], [GETUID, 0], [GETPPID]])).toEqual([-5, -6, ENOSYS, ENOSYS]);
    expect(await b.calls([[GETPID], [GETUID, 1], [GETUID, 0], [GETPPID]])).toEqual([ENOSYS, ENOSYS, ENOSYS, ENOSYS]);
    expect([t.call(GETPID), t.call(GETUID, 1)]).toEqual([ENOSYS, ENOSYS]);
    // Switched for the thread's chain alone (PR_THREAD), not for the table (no PR_SECCOMP: nobody is refused).
    expect([reasons(t, GETPID), reasons(t, GETUID), reasons(t, GETPPID)]).toEqual([PR_THREAD, PR_THREAD, 0]);
    await a.result({ leave: true });
    expect([reasons(t, GETPID), reasons(t, GETUID)]).toEqual([0, 0]);
    expect(await a.calls([[GETPID], [GETUID, 1]])).toEqual([ENOSYS, ENOSYS]);
    t.verify();
  });

  it('filterThread() beside another thread\'s filters is refused (join them instead); with them it stacks on the thread\'s own chain', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program({ nr: GETPPID, errno: 13 })]);
    const a = await thread(t);
    const r = await a.ask({ filterThread: [program({ nr: GETPID, errno: 5 })] });
    expect(r.error).toMatchObject({ code: 'EBUSY', message: expect.stringMatching(/another thread's filters are on this linux-x86_64 table \(call getppid \(110\) is switched for them\): join them with attachFilter/) });
    expect(reasons(t, GETPID)).toBe(0); // nothing half-installed
    await a.result({ join: f.describe() });
    await a.result({ filterThread: [program({ nr: GETPID, errno: 5 })] });
    expect(await a.calls([[GETPID], [GETPPID]])).toEqual([-5, -13]);
    expect([t.call(GETPID), t.call(GETPPID)]).toEqual([ENOSYS, -13]);
    t.verify();
  });
});

describe('own chains over the table-wide set', () => {
  it('joined threads: each obeys the table-wide set and its own chain; the lowest action wins, a tie goes to the thread\'s own (newer) filter', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program({ nr: GETPPID, errno: 13 })]);
    const a = await thread(t, f.describe());
    const b = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETPID, errno: 5 }), program({ nr: GETPPID, errno: 20 })] });
    expect(await a.calls([[GETPID], [GETPPID], [GETUID]])).toEqual([-5, -20, ENOSYS]);
    expect(await b.calls([[GETPID], [GETPPID], [GETUID]])).toEqual([ENOSYS, -13, ENOSYS]);
    expect([t.call(GETPID), t.call(GETPPID)]).toEqual([ENOSYS, -13]);
    expect(await a.result({ constant: GETPID })).toBe((SECCOMP_RET_ERRNO | 5) >>> 0); // proven over the whole chain
    expect(await a.result({ constant: GETPPID })).toBe((SECCOMP_RET_ERRNO | 20) >>> 0);
    expect([await b.result({ constant: GETPPID }), await b.result({ constant: GETPID })]).toEqual([(SECCOMP_RET_ERRNO | 13) >>> 0, SECCOMP_RET_ALLOW]); // the table-wide set's alone
    await a.result({ stack: [program({ nr: GETUID, arg: 1, errno: 9 })] });
    expect(await a.result({ constant: GETUID })).toBe(null); // argument-dependent
    expect(reasons(t, GETPPID)).toBe(PR_SECCOMP | PR_THREAD);
    // The table-wide set stacked later stays below the threads' own chains (a systab difference: there the owner's stack is every thread's).
    f.stack([program({ nr: GETPPID, errno: 30 }), program({ nr: GETTID, errno: 31 })]);
    expect(await a.calls([[GETPPID], [GETTID], [GETPID]])).toEqual([-20, -31, -5]);
    expect(await b.calls([[GETPPID], [GETTID], [GETPID]])).toEqual([-30, -31, ENOSYS]);
    // Own filters only restrict: an own ALLOW does not undo the table-wide ERRNO.
    await b.result({ stack: [allowAll] });
    expect(await b.calls([[GETPPID], [GETTID]])).toEqual([-30, -31]);
    t.verify();
  });

  it('closing one thread\'s chain leaves another\'s switches on the same number (a count per slot)', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    const a = await thread(t, f.describe());
    const b = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETPID, errno: 5 })] });
    await b.result({ stack: [program({ nr: GETPID, errno: 6 })] });
    await a.result({ leave: true });
    expect(reasons(t, GETPID)).toBe(PR_THREAD);
    expect(await b.calls([[GETPID]])).toEqual([-6]);
    expect(await a.calls([[GETPID]])).toEqual([ENOSYS]); // left, and the table-wide set allows everything: unfiltered
    await b.result({ leave: true });
    expect(reasons(t, GETPID)).toBe(0);
    t.verify();
  });

  it('the owner\'s own chain (filterThread(), stack({ thread: true })) filters the owner alone', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program({ nr: GETPPID, errno: 13 })]);
    const b = await thread(t, f.describe());
    expect(filterThread(t, [program({ nr: GETPID, errno: 5 })])).toBe(f); // stack(programs, { thread: true }) on this thread's filters
    expect([t.call(GETPID), t.call(GETPPID)]).toEqual([-5, -13]);
    expect(f.constantAction(GETPID)).toBe((SECCOMP_RET_ERRNO | 5) >>> 0);
    expect(await b.calls([[GETPID], [GETPPID]])).toEqual([ENOSYS, -13]);
    expect(() => f.stack([program({ nr: GETPID, errno: 5 })], { thread: 1 as never })).toThrow(expect.objectContaining({ code: 'EBADSPEC', message: 'stack() option thread must be true or false (got 1)' }));
    f.close();
    expect([reasons(t, GETPID), reasons(t, GETPPID)]).toEqual([0, 0]);
    expect(await b.calls([[GETPID], [GETPPID]])).toEqual([ENOSYS, ENOSYS]);
    t.verify();
  });
});

describe('what a thread\'s own chain sees', () => {
  it('numbers beyond the table and all 64 bits of an argument, as the table-wide set does; another thread is not filtered by them', () => {
    const t = createTable({ abi });
    const X32_GETPID = 0x40000000 | GETPID;
    const highHalf = [{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 0, jf: 3, k: GETUID }, { code: 0x20, jt: 0, jf: 0, k: 20 }, { code: 0x15, jt: 0, jf: 1, k: 1 }, { code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | 8 }, { code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }];
    const f = filterThread(t, [program({ nr: X32_GETPID, errno: 7 }), highHalf]);
    const other = attach(t.describe());
    expect([t.call(X32_GETPID), t.call(abi.count + 5)]).toEqual([-7, ENOSYS]);
    expect([t.call64(GETUID, 1n << 32n), t.call64(GETUID, 1n)]).toEqual([-8n, -38n]);
    expect([other.call(X32_GETPID), other.call64(GETUID, 1n << 32n)]).toEqual([ENOSYS, -38n]);
    other.close();
    f.close();
    t.verify();
  });
});

describe('a worker a filtered thread starts inherits its chain', () => {
  it('the child is filtered by its creator\'s chain at its start; filters either stacks later are its own', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program({ nr: GETPPID, errno: 13 })]);
    const a = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETPID, errno: 5 })] });
    await a.result({ spawn: true });
    const child = (m: object) => a.ask({ child: m });
    expect((await child({ calls: [[GETPID], [GETPPID], [GETUID, 1]] })).result).toEqual([-5, -13, ENOSYS]);
    expect(reasons(t, GETPID)).toBe(PR_THREAD);
    await child({ stack: [program({ nr: GETUID, arg: 1, errno: 6 })] });
    await a.result({ stack: [program({ nr: GETTID, errno: 7 })] });
    expect((await child({ calls: [[GETUID, 1], [GETTID]] })).result).toEqual([-6, ENOSYS]);
    expect(await a.calls([[GETUID, 1], [GETTID]])).toEqual([ENOSYS, -7]);
    // The creator leaves; the child's chain (the creator's filters among it) stays.
    await a.result({ leave: true });
    expect(reasons(t, GETPID)).toBe(PR_THREAD);
    expect(reasons(t, GETTID)).toBe(0);
    expect((await child({ calls: [[GETPID], [GETUID, 1]] })).result).toEqual([-5, -6]);
    t.verify();
  });
});

describe('TSYNC (stack({ tsync: true }) on the filters\' owner)', () => {
  it('every thread\'s chain an ancestor of the owner\'s: the owner\'s whole chain becomes every thread\'s (the table-wide set); own chains are let go', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    f.stack([program({ nr: GETPID, errno: 5 })], { thread: true });
    const a = await thread(t, f.describe()); // inherits the owner's chain: an ancestor of it
    const { chain, ...plain } = f.describe();
    expect(chain?.programs.length).toBe(1);
    const b = await thread(t, plain); // no chain: an ancestor too
    const unjoined = attach(t.describe());
    expect(await b.calls([[GETPID]])).toEqual([ENOSYS]);
    f.stack([program({ nr: GETUID, errno: 6 })], { tsync: true });
    for (const w of [a, b]) expect(await w.calls([[GETPID], [GETUID], [GETPPID]])).toEqual([-5, -6, ENOSYS]);
    expect([t.call(GETPID), t.call(GETUID), t.call(GETPPID)]).toEqual([-5, -6, ENOSYS]);
    expect(() => unjoined.call(GETPID)).toThrow(expect.objectContaining({ code: 'ESECCOMP' })); // synced by refusing: it has not joined
    expect([reasons(t, GETPID), reasons(t, GETUID)]).toEqual([PR_SECCOMP, PR_SECCOMP]); // the chains' counts let go
    expect(f.constantAction(GETPID)).toBe((SECCOMP_RET_ERRNO | 5) >>> 0);
    expect(await a.result({ describe: true })).not.toHaveProperty('chain');
    unjoined.close();
    t.verify();
  });

  it('a thread with own filters the owner\'s chain lacks: SeccompSyncError naming its thread id, nothing installed', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    const a = await thread(t, f.describe());
    const b = await thread(t, f.describe());
    await b.result({ stack: [program({ nr: GETPPID, errno: 7 })] });
    let err: unknown;
    try {
      f.stack([program({ nr: GETUID, errno: 6 })], { tsync: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeccompSyncError);
    expect(err).toBeInstanceOf(SystabError);
    expect(err).toMatchObject({ code: 'EBUSY', threadId: b.worker.threadId, message: expect.stringMatching(new RegExp(`^seccomp: TSYNC refused: thread ${b.worker.threadId} \\(worker record \\d+\\) has filters of its own`)) });
    expect(f.constantAction(GETUID)).toBe(SECCOMP_RET_ALLOW);
    expect(await a.calls([[GETUID], [GETPPID]])).toEqual([ENOSYS, ENOSYS]);
    expect(await b.calls([[GETUID], [GETPPID]])).toEqual([ENOSYS, -7]);
    expect([reasons(t, GETUID), reasons(t, GETPPID)]).toEqual([0, PR_THREAD]);
    // A joined thread cannot TSYNC: the table-wide set is the owner's to write.
    expect((await a.ask({ stack: [allowAll], options: { tsync: true } })).error).toMatchObject({ code: 'EBADSPEC', message: expect.stringMatching(/^stack\(\{ tsync: true \}\) is for the thread that made the filters/) });
    expect((await a.ask({ stack: [allowAll], options: {} })).error).toMatchObject({ code: 'EBADSPEC', message: expect.stringMatching(/pass \{ thread: true \}/) });
    // Once b leaves, the same TSYNC succeeds.
    await b.result({ leave: true });
    f.stack([program({ nr: GETUID, errno: 6 })], { tsync: true });
    expect(await a.calls([[GETUID]])).toEqual([-6]);
    t.verify();
  });
});

describe('a thread that ends with its own filter on', () => {
  it('terminated (its record evicted as Node reports the exit): reap() gives its slots back; another thread\'s switch on the same number stays', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    const a = await thread(t, f.describe());
    const b = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETPID, errno: 5 }), program({ nr: GETUID, errno: 6 })] });
    await b.result({ stack: [program({ nr: GETPID, errno: 8 })] });
    const id = a.worker.threadId;
    await a.worker.terminate();
    threads.splice(threads.indexOf(a), 1);
    expect(reasons(t, GETUID)).toBe(PR_THREAD); // not reaped yet
    t.evict(id); // the table saw the exit already (false), or frees it now
    expect(f.reap()).toBe(1);
    expect(f.reap()).toBe(0);
    expect([reasons(t, GETPID), reasons(t, GETUID)]).toEqual([PR_THREAD, 0]);
    expect(await b.calls([[GETPID], [GETUID]])).toEqual([-8, ENOSYS]);
    t.verify();
  });

  it('one that died holding the filters\' registry lock: the next change breaks the lock and counts the switches again from the live chains', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    const a = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETPID, errno: 5 })] });
    const c = new Int32Array(f.describe().control);
    const at = controlLayout(16, t.abi.count).counts; // the default 16 worker records; x86_64 has one range
    // A dead holder (worker record 15, never claimed here) left the lock held and a count half made.
    Atomics.store(c, C_LOCK, (7 << 11) | 16);
    Atomics.store(c, at + GETTID, 3);
    Atomics.store(c, at + GETPID, 0);
    f.stack([program({ nr: GETUID, errno: 6 })], { thread: true });
    expect(Atomics.load(c, C_LOCK)).toBe(0);
    expect([Atomics.load(c, at + GETPID), Atomics.load(c, at + GETTID), Atomics.load(c, at + GETUID)]).toEqual([1, 0, 1]);
    expect([reasons(t, GETPID), reasons(t, GETTID), reasons(t, GETUID)]).toEqual([PR_THREAD, 0, PR_THREAD]);
    expect(await a.calls([[GETPID], [GETUID]])).toEqual([-5, ENOSYS]);
    expect([t.call(GETPID), t.call(GETUID)]).toEqual([ENOSYS, -6]);
    t.verify();
  });

  it('its table closed with the filter on (the record given back): the next stack() or describe() reaps it', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    const a = await thread(t, f.describe());
    await a.result({ stack: [program({ nr: GETTID, errno: 5 })] });
    await a.result({ closeTable: true });
    expect(reasons(t, GETTID)).toBe(PR_THREAD);
    f.describe();
    expect(reasons(t, GETTID)).toBe(0);
    t.verify();
  });
});
