// The adversary's t.caller(): "inside a call another thread carried here
// (and the calls its handler makes), { worker, threadId } of the thread that
// made it". A home keeps per-caller state by it, so it must name the thread
// that made the call for as long as the call runs, whatever happens to that
// thread meanwhile, and nothing once the call is over.
import { afterEach, describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { evalWorker, type EvalWorker } from './helpers/adv.js';

const GETPID = 39;
const GETPPID = 110;

let workers: EvalWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.worker.terminate()));
  workers = [];
});

async function start(t: ReturnType<typeof createTable>) {
  const w = await evalWorker(t);
  workers.push(w);
  return w;
}

describe('t.caller() on a home whose caller is terminated mid-call', () => {
  // caller() reads the threadId from the caller's worker record when it is
  // asked (src/table.ts caller(): WR_ID of carriedFrom), not when the call
  // was taken. A caller terminated while its call runs is evicted, its record
  // freed, and the next thread to attach claims the same index: from then
  // on the home's caller() names that new thread, which made no call here.
  // Fixed: serve.ts runCarried() keeps the caller's threadId, read when the
  // call is taken, and caller() answers that.
  it('still names the thread that made the call after another thread took its worker record', { timeout: 20000 }, async () => {
    const t = createTable({ abi, callTimeout: 15000 });
    const gate = new Int32Array(new SharedArrayBuffer(8)); // [0] 1: the handler is running; [1] 1: go on
    const home = await start(t);
    await home.run(
      `const g = new Int32Array(arg);
       ctx.state.seen = [];
       ctx.t.load({ name: 'home', handlers: { getpid: () => {
         ctx.state.seen.push(ctx.t.caller());
         Atomics.store(g, 0, 1); Atomics.notify(g, 0);
         Atomics.wait(g, 1, 0, 10000);
         ctx.state.seen.push(ctx.t.caller());
         return 42;
       } } });`, // served from its event loop
      gate.buffer,
    );
    const a = await start(t);
    void a.run(`return ctx.t.call(${GETPID})`).catch(() => {});
    while (Atomics.load(gate, 0) === 0) await new Promise((r) => setTimeout(r, 2));
    await a.worker.terminate();
    await new Promise((r) => setTimeout(r, 50)); // this thread sees the exit and evicts a's record
    const b = await start(t); // takes a's record
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    // The home answers nobody (its caller is gone); read what its handler saw.
    await new Promise((r) => setTimeout(r, 100));
    const seen = await home.run<{ worker: number; threadId: number }[]>('return ctx.state.seen');
    expect(seen).toHaveLength(2);
    expect(seen[0]!.threadId).toBe(a.threadId);
    expect(seen[1], `b is thread ${b.threadId}`).toEqual(seen[0]);
  });
});

describe('t.caller() through nested carried calls', () => {
  it('a carried call served while a handler of another waits names its own caller, and the outer one is restored', { timeout: 20000 }, async () => {
    const t = createTable({ abi, callTimeout: 10000 });
    // h is home to getpid, whose handler makes a call carried to the main thread (getppid),
    // which, while h waits for it, carries a call back to h (getpid again, from main).
    const h = await start(t);
    await h.run(`
      ctx.state.seen = [];
      ctx.t.load({ name: 'h', handlers: { getpid: (depth) => {
        ctx.state.seen.push(['in', depth, ctx.t.caller()?.threadId ?? null]);
        if (depth === 0) ctx.t.call(${GETPPID});
        ctx.state.seen.push(['out', depth, ctx.t.caller()?.threadId ?? null]);
        return 42;
      } } });`);
    let inMain: number | undefined;
    t.load({ name: 'main', handlers: { getppid: () => ((inMain = t.caller()?.threadId), t.call(GETPID, 1)) } });
    const c = await start(t);
    const got = c.run(`return ctx.t.call(${GETPID}, 0)`);
    // The main thread serves getppid from its event loop; wait for c's answer.
    expect(await got).toBe(42);
    expect(inMain).toBe(h.threadId);
    const seen = await h.run('return ctx.state.seen');
    // main's threadId is 0.
    expect(seen).toEqual([['in', 0, c.threadId], ['in', 1, 0], ['out', 1, 0], ['out', 0, c.threadId]]);
    expect(t.caller()).toBeUndefined();
    t.verify();
  });
});
