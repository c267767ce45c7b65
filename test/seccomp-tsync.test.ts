// A table's filters cover every thread of the table (what the kernel's TSYNC
// guarantees a process): a thread that has not joined them, attached before
// or after they were installed, or that left them, may make only the calls
// whose proven action is ALLOW; every other call of it is ESECCOMP, never
// unfiltered. Real worker_threads.
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { attach, createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';

const WRITE = 1, GETPID = 39, GETPPID = 110;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
/** write to fd 2: EPERM (argument-dependent); getppid: EACCES (constant); the rest allowed. */
const program = [ld(0), jeq(WRITE, 0, 3), ld(16), jeq(2, 0, 3), ret(SECCOMP_RET_ERRNO | 1), jeq(GETPPID, 0, 1), ret(SECCOMP_RET_ERRNO | 13), ret(SECCOMP_RET_ALLOW)];

const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) {
    w.postMessage({ close: true });
    await new Promise((r) => w.once('exit', r));
  }
});

function start(desc: unknown) {
  const w = new Worker(new URL('./workers/seccomp-join-worker.mjs', import.meta.url), { workerData: { desc } });
  workers.push(w);
  let wake: ((m: { result?: unknown }) => void) | undefined;
  w.on('message', (m) => wake?.(m));
  const next = () => new Promise<{ result?: unknown }>((r) => (wake = r));
  const ready = next();
  const ask = async (m: object) => {
    const p = next();
    w.postMessage(m);
    return (await p).result;
  };
  return { ready, ask, call: (nr: number, ...args: number[]) => ask({ nr, args }) };
}

describe('a table\'s filters and the threads that have not joined them', () => {
  it('a thread attached before the filters were installed is refused what they filter until it joins, and again after it leaves', async () => {
    const t = createTable({ abi });
    const w = start(t.describe());
    await w.ready;
    expect(await w.call(WRITE, 2, 0, 5)).toBe(5); // no filters yet
    const f = filterTable(t, [program]);
    expect(await w.call(WRITE, 1, 0, 5)).toBe('ESECCOMP'); // argument-dependent: not allowed whatever its arguments
    expect(await w.call(WRITE, 2, 0, 5)).toBe('ESECCOMP');
    expect(await w.call(GETPPID)).toBe('ESECCOMP'); // a constant ERRNO is filtered too
    expect(await w.call(GETPID)).toBe(7); // proven ALLOW: its hot path, no filter needed
    await w.ask({ join: f.describe() });
    expect(await w.call(WRITE, 1, 0, 5)).toBe(5);
    expect(await w.call(WRITE, 2, 0, 5)).toBe(-1);
    expect(await w.call(GETPPID)).toBe(-13);
    await w.ask({ leave: true });
    expect(await w.call(WRITE, 1, 0, 5)).toBe('ESECCOMP');
    f.close();
    expect(await w.call(WRITE, 2, 0, 5)).toBe(5); // the owner took the filters away: nothing is filtered
    expect(await w.call(GETPPID)).toBe(-38); // nobody implements getppid
    t.verify();
  });

  it('a thread attached after: the same; a stack() that filters a number the thread could make is seen at its next call', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program]);
    const w = start(t.describe());
    await w.ready;
    expect(await w.call(GETPID)).toBe(7);
    f.stack([[ld(0), jeq(GETPID, 0, 1), ret(SECCOMP_RET_ERRNO | 5), ret(SECCOMP_RET_ALLOW)]]);
    expect(await w.call(GETPID)).toBe('ESECCOMP');
    await w.ask({ join: f.describe() });
    expect(await w.call(GETPID)).toBe(-5);
    t.verify();
  });

  it('the same on this thread: a second attach() of the table, which joined nothing, is refused; the owner is not', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { write: (fd, b, n) => n } });
    filterTable(t, [program]);
    expect(t.call(WRITE, 2, 0, 5)).toBe(-1);
    const other = attach(t.describe());
    expect(() => other.call(WRITE, 1, 0, 5)).toThrow(expect.objectContaining({ code: 'ESECCOMP', message: expect.stringMatching(/attachFilter/) }));
    other.close();
    t.verify();
  });
});

describe('stacked-over sets are freed once no thread reads them', () => {
  it('200 stacks under a joined worker calling a filtered number: answers only move forward, the stacked-over sets\' memory given back', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { write: (fd, b, n) => n } });
    const f = filterTable(t, [program]);
    const stop = new SharedArrayBuffer(8);
    const w = new Worker(new URL('./workers/seccomp-reclaim-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), filterDesc: f.describe(), stop } });
    const done = new Promise<{ calls: number; last: number; backwards: number; errors: [unknown, number][] }>((r) => w.once('message', r));
    const exited = new Promise((r) => w.once('exit', r)); // listened for now: a worker that has already ended by the time its message is read emits 'exit' at once
    const s = new Int32Array(stop);
    while (Atomics.load(s, 1) === 0) await new Promise((r) => setTimeout(r, 1));
    // Each stack copies every program below it; each makes write's errno one higher (a tie of actions goes to the newest filter's data).
    const arena = (f as unknown as { engine: { arena: { freeBytes(): number } } }).engine.arena;
    const free0 = arena.freeBytes();
    let kept = 0; // bytes the sets would hold if none were freed
    for (let i = 2; i <= 200; i++) {
      f.stack([[ld(0), jeq(WRITE, 0, 1), ret(SECCOMP_RET_ERRNO | i), ret(SECCOMP_RET_ALLOW)]]);
      expect(t.call(WRITE, 2, 0, 5)).toBe(-i);
      kept += (f as unknown as { filters: { bytes: number } }).filters.bytes;
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    // In use now: the newest set and at most the few a reader still named; nothing like what they all took.
    const used = free0 - arena.freeBytes();
    expect(used).toBeLessThan(kept / 10);
    // The worker says (stop[1] = 1 + the highest errno it has seen) when it has seen the last set; under load it may not have yet.
    while (Atomics.load(s, 1) < 201) await new Promise((r) => setTimeout(r, 1));
    Atomics.store(s, 0, 1);
    const r = await done;
    await exited;
    expect(r.calls).toBeGreaterThan(100);
    expect({ backwards: r.backwards, errors: r.errors, last: r.last }).toEqual({ backwards: 0, errors: [], last: 200 });
    t.verify();
  }, 60_000);
});
