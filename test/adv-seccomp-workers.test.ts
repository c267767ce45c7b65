// The adversary's threads against a table's filters (README: "No thread of
// the table escapes them"; "the set stacked over is freed once no thread is
// reading it"). Real worker_threads, each running the code it is sent.
import { afterEach, describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { C_SET, controlLayout } from '../src/seccomp/registry.js';
import { evalWorker, ret, type EvalWorker } from './helpers/adv.js';

const GETPID = 39;
const OOR = 99999;
const DENY = ret(SECCOMP_RET_ERRNO | 1); // every number: -EPERM

let workers: EvalWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.worker.terminate()));
  workers = [];
});

async function table() {
  const t = createTable({ abi });
  t.load({ name: 'io', handlers: { getpid: () => 42 } });
  const w = await evalWorker(t);
  workers.push(w);
  await w.run('ctx.t.setMissing("*", () => 777)'); // what the worker's numbers beyond the table answer unfiltered
  return { t, w };
}

const code = async (p: Promise<unknown>) => p.then((r) => r, (e: { code?: string }) => e.code);

describe('a thread that never joined', () => {
  it('is refused a filtered number, and may make the numbers the filters allow whatever the arguments', async () => {
    const { t, w } = await table();
    filterTable(t, [[{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 0, jf: 1, k: GETPID }, ret(SECCOMP_RET_ERRNO | 1)[0]!, ret(SECCOMP_RET_ALLOW)[0]!]]);
    expect(await code(w.run(`return ctx.t.call(${GETPID})`))).toBe('ESECCOMP');
    expect(await w.run('return ctx.t.call(110)')).toBe(777); // getppid: ALLOW, nobody implements it (the worker's trap answers)
  });

  // An unjoined thread's numbers beyond the table take its hot path's
  // out-of-range answer (or its missing-call trap): the plug reasons that
  // mark filtered numbers are per slot, and a number beyond the table has
  // none, so nothing tells this thread that the table is filtered. The
  // owner's own call of the same number is -EPERM. A fix needs a table-wide
  // "filtered" word that the hot path's out-of-range mode reads (src/table.ts
  // setOorMode, the lead's) and the refusal in policy.ts oorFiltered().
  it('is refused a number beyond the table that the filters deny (its missing-call trap does not run)', async () => {
    const { t, w } = await table();
    filterTable(t, [DENY]);
    expect(t.call(OOR)).toBe(-1);
    expect(await code(w.run(`return ctx.t.call(${OOR})`))).toBe('ESECCOMP');
  });
});

describe('a thread joined to filters that were closed', () => {
  // AttachedFilter keeps reading the old filters' control word, which close()
  // set to 0, and answers ALLOW for set 0 (src/seccomp/table.ts). A table
  // filtered again by a new filterTable() has new control words the joined
  // thread never sees, so its policy.filter is still "joined" and it is not
  // refused as an unjoined thread would be: every number runs unfiltered.
  // Fixed (src/seccomp/table.ts plugEvaluate): set 0 (closed) makes the
  // attached plug act as unjoined, ESECCOMP where the slot's PLUG_SECCOMP
  // reason is set (another filter's).
  it('does not escape the next filters installed on the table', async () => {
    const { t, w } = await table();
    let f = filterTable(t, [DENY]);
    await w.run('ctx.state.f = ctx.seccomp.attachFilter(ctx.t, arg)', f.describe());
    expect(await w.run(`return ctx.t.call(${GETPID})`)).toBe(-1);
    f.close();
    f = filterTable(t, [DENY]);
    expect(t.call(GETPID)).toBe(-1);
    const r = await code(w.run(`return ctx.t.call(${GETPID})`));
    expect(r === -1 || r === 'ESECCOMP', `the worker's getpid answered ${String(r)}`).toBe(true);
  });
});

describe('a second thread that filters the same table', () => {
  // Each TableFilter sets the table's PLUG_SECCOMP reasons from its own
  // set alone (#switches(): on where its action is not ALLOW, *off*
  // elsewhere) and close() clears them on every slot. So a worker that
  // makes filters of its own on a table filtered by another thread (nothing
  // refuses it) turns the first filters' switches off for every number its
  // own program allows: the first owner's calls, and those of every thread
  // joined to it, take the hot path unfiltered. The kernel stacks a second
  // thread's filters on the first's. Fix (src/seccomp/table.ts): refuse
  // filterTable() on a table another filter has switched (EBUSY: "join it
  // with attachFilter(), or stack()"), or keep one reason bit per filter.
  // Holds since per-thread chains (a filter switches only the slots it filters, and close() clears only those).
  it("does not switch the first thread's filters off", async () => {
    const { t, w } = await table();
    const denyGetpid = [{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 0, jf: 1, k: GETPID }, ret(SECCOMP_RET_ERRNO | 1)[0]!, ret(SECCOMP_RET_ALLOW)[0]!];
    filterTable(t, [denyGetpid]);
    expect(t.call(GETPID)).toBe(-1);
    const r = await code(w.run(`ctx.state.g = ctx.seccomp.filterTable(ctx.t, [[{ code: 6, jt: 0, jf: 0, k: 0x7fff0000 }]]); return 1`));
    const after = t.call(GETPID);
    expect(r === 'EBUSY' || after === -1, `the worker's filterTable() answered ${String(r)}; the owner's getpid then ${String(after)}`).toBe(true);
    expect(after).toBe(-1);
  });
});

/** A program whose answer depends on args[0] (never cached) and that takes `n` instructions to get there. */
const slow = (n: number) => [
  { code: 0x20, jt: 0, jf: 0, k: 16 },
  ...Array.from({ length: n }, () => ({ code: 0x04, jt: 0, jf: 0, k: 1 })),
  { code: 0x15, jt: 0, jf: 1, k: 12345 },
  ret(SECCOMP_RET_ERRNO | 1)[0]!,
  ret(SECCOMP_RET_ALLOW)[0]!,
];
const freeBytes = (f: unknown) => (f as { engine: { arena: { freeBytes(): number } } }).engine.arena.freeBytes();

describe('a joined thread terminated while it evaluates', () => {
  // Its hazard word (the set it evaluates) is stored before the evaluation
  // and cleared in a finally that a terminated thread never runs; stack()
  // keeps every retired set some word names, and nothing clears the dead
  // thread's word (eviction does not know the filters' control buffer), so
  // the set stays allocated until another thread takes that worker record
  // *and* joins the filters. Fixed (src/seccomp/table.ts): #reclaim() skips
  // the words of worker records that are free. The dead thread's word is
  // written here as it would be left (catching a worker mid-evaluation by
  // terminate() was a matter of luck).
  it('the set it was reading is freed once its exit is seen', { timeout: 30000 }, async () => {
    const t = createTable({ abi });
    t.load({ name: 'io', handlers: { getpid: () => 42 } });
    const big = [slow(4000), slow(4000), slow(4000), slow(4000)];
    const f = filterTable(t, big);
    const control = new Int32Array(f.describe().control);
    const w = await evalWorker(t);
    await w.run('ctx.state.f = ctx.seccomp.attachFilter(ctx.t, arg)', f.describe());
    expect(await w.run(`return ctx.t.call(${GETPID}, 1)`)).toBe(42);
    const record = (await w.run('return ctx.t.v.me')) as number;
    const id = w.worker.threadId;
    await w.worker.terminate();
    t.evict(id);
    // What a thread terminated inside an evaluation leaves (its finally never ran): its reading word names the set.
    const v = (t as unknown as { v: { i32: Int32Array; map: { total: number } } }).v;
    const reading = controlLayout(v.i32[L.H_MAXW]!, v.map.total).reading;
    Atomics.store(control, reading + record, Atomics.load(control, C_SET));
    // The same installs on a table no thread reads: what the victim's arena should come back to.
    const u = createTable({ abi });
    const g = filterTable(u, big);
    for (const x of [f, g]) {
      x.stack([slow(10)]);
      x.stack([slow(10)]);
    }
    t.verify();
    expect(freeBytes(f)).toBe(freeBytes(g));
  });
});

describe('joins, leaves and stacks racing', () => {
  it('two workers joining and leaving in a loop while the owner stacks: every answer is a stacked errno or ESECCOMP, never older than one seen, and the sets are given back', { timeout: 30000 }, async () => {
    const t = createTable({ abi });
    t.load({ name: 'io', handlers: { getpid: () => 42 } });
    const errnoFor = (i: number) => [{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 0, jf: 1, k: GETPID }, ret(SECCOMP_RET_ERRNO | i)[0]!, ret(SECCOMP_RET_ALLOW)[0]!];
    const f = filterTable(t, [errnoFor(1)]);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const ws = [await evalWorker(t), await evalWorker(t)];
    workers.push(...ws);
    const loop = `
      const stop = new Int32Array(arg.stop);
      const seen = {}; let last = 0, backwards = 0, n = 0;
      while (Atomics.load(stop, 0) === 0) {
        const j = ctx.seccomp.attachFilter(ctx.t, arg.desc);
        for (let k = 0; k < 20; k++) {
          const r = ctx.t.call(${GETPID});
          if (-r < last) backwards++;
          last = Math.max(last, -r); n++;
        }
        j.close();
        let r; try { r = ctx.t.call(${GETPID}); } catch (e) { r = e.code; }
        seen[r] = (seen[r] ?? 0) + 1;
        await null;
      }
      ctx.t.verify();
      return { seen, last, backwards, n };`;
    const runs = ws.map((w) => w.run<{ seen: Record<string, number>; last: number; backwards: number; n: number }>(loop, { stop: stop.buffer, desc: f.describe() }));
    const free0 = freeBytes(f);
    for (let i = 2; i <= 150; i++) {
      f.stack([errnoFor(i)]);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    Atomics.store(stop, 0, 1);
    for (const r of await Promise.all(runs)) {
      expect(r.backwards).toBe(0);
      expect(Object.keys(r.seen)).toEqual(['ESECCOMP']); // left: refused, never let through
      expect(r.n).toBeGreaterThan(0);
    }
    expect(free0 - freeBytes(f)).toBeLessThan(150 * 1000); // not every set kept
    t.verify();
  });
});
