// Threads dying at the worst moment under systab/trace: a worker terminated
// while it flips switches, while its traced calls write summary stripes and
// event rings, while it holds a call carried to it; and injections read while
// another thread rewrites them. Afterwards this thread's calls, summary,
// exports and new injections must work, and be exact where claimed.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { traceTable } from 'systab/trace';
import type { TraceState } from '../src/trace/control.js';
import type { Trace } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { listen } from './helpers/workers.js';

/** The trace's shared state (internal: stripped from the public types). */
const stateOf = (tr: Trace): TraceState => (tr as unknown as { s: TraceState }).s;

const GETPID = 39, GETPPID = 110;
const lines = { enter: (nr: number) => nr, exit: (p: unknown, r: number | undefined) => `${String(p)} = ${r}` };

function start(t: ReturnType<typeof createTable>, tr: ReturnType<typeof traceTable>, role: string, extra: Record<string, unknown> = {}) {
  const worker = new Worker(new URL('./workers/trace-adv-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc: tr.describe(), role, ...extra } });
  return { worker, ...listen(worker, role) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a worker terminated mid-change', () => {
  it('terminated (5 times, at random moments) in a loop of inject()/select()/summary(): afterwards every answer here is exact', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => 1 } });
    const tr = traceTable(t, { events: { capacity: 64 } });
    for (let round = 0; round < 5; round++) {
      const w = start(t, tr, 'switch');
      await w.next('ready');
      // Calls here while it flips: an answer is the handler's or a whole injection (-1..-30), never anything else.
      const end = performance.now() + 20 + Math.random() * 30;
      while (performance.now() < end) {
        const r = t.call(GETPID);
        expect(r === 4242 || (r >= -30 && r <= -1), `answer ${r}`).toBe(true);
      }
      await w.worker.terminate();
    }
    await sleep(20);
    t.verify();
    // Set everything here, anew: exact from now on.
    tr.clearInjections();
    tr.select(['getpid']);
    tr.summary(['getpid']);
    tr.resetSummary();
    tr.inject('getpid:error=EPERM:when=2+2');
    const got = Array.from({ length: 6 }, () => t.call(GETPID));
    expect(got).toEqual([4242, -1, 4242, -1, 4242, -1]);
    expect(t.call(GETPPID)).toBe(1);
    const s = tr.summaryRows();
    expect(s.rows.map((r) => [r.name, r.calls, r.errors])).toEqual([['getpid', 6, 3]]);
    const ev = tr.events().calls.filter((c) => c.tid === (t as unknown as { v: { me: number } }).v.me);
    expect(ev.slice(-6).map((c) => c.result)).toEqual(got);
    expect(() => JSON.parse(tr.exportPerfetto())).not.toThrow();
    t.verify();
  });

  it('writers that die between claiming an entry and releasing it (simulated: 256 of them) do not leave inject() EFULL for good', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t);
    // What each dead writer leaves: an entry claimed by a worker record that is free now (its thread gone), half written (odd), no slot pointing at it.
    const e = stateOf(tr).entries;
    for (let i = 0; i < 256; i++) {
      Atomics.store(e, i * 12, 16); // claimed by worker record 15 (free)
      Atomics.store(e, i * 12 + 1, 7);
      Atomics.store(e, i * 12 + 2, 1);
    }
    tr.clearInjections();
    let thrown: unknown;
    try {
      tr.inject('getpid:error=EPERM');
    } catch (e) {
      thrown = e;
    }
    expect(thrown, String(thrown)).toBeUndefined();
    expect(t.call(GETPID)).toBe(-1);
  });
});

describe('injections read while another thread rewrites them', () => {
  it('a number injected throughout (only ever re-pointed from one injection to another) never answers as if uninjected', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => 1 } });
    const tr = traceTable(t);
    tr.inject('all:error=5');
    // A worker re-points every call between error=5 and error=6, never clearing: each inject() writes ~360 control words.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { attach } = await import('systab');
        const { attachTrace } = await import('systab/trace');
        const t = attach(workerData.desc);
        const tr = attachTrace(t, workerData.traceDesc);
        parentPort.postMessage({ ready: true });
        const end = performance.now() + 1500;
        for (let k = 0; performance.now() < end; k++) tr.inject('all:error=' + (5 + (k & 1)));
        tr.close(); t.close();
        parentPort.postMessage({ done: true });
      })();`;
    const w = new Worker(code, { eval: true, workerData: { desc: t.describe(), traceDesc: tr.describe() } });
    const l = listen(w, 'injector');
    await l.next('ready');
    let done = false;
    void l.next('done').then(() => (done = true));
    const plain: number[] = [];
    let calls = 0;
    while (!done) {
      for (let i = 0; i < 5000; i++) {
        const r = t.call(GETPID);
        calls++;
        if (r !== -5 && r !== -6) plain.push(r);
      }
      await sleep(0);
    }
    await l.exited;
    expect(calls).toBeGreaterThan(1000);
    expect(plain.length, `${plain.length} of ${calls} calls answered ${plain[0]}, as if nothing was injected`).toBe(0);
  });
});

describe('traced calls of a worker terminated mid-call', () => {
  it('a caller terminated while its traced calls write its summary stripe and ring: the reads here stay whole, and a new caller\'s calls are all recorded', async () => {
    const t = createTable({ abi, maxWorkers: 2 });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t, { events: { capacity: 16 } });
    tr.select(['getpid']);
    tr.summary(['getpid']);
    for (let round = 0; round < 6; round++) {
      const w = start(t, tr, 'caller');
      await w.next('ready');
      await sleep(Math.random() * 5);
      await w.worker.terminate();
      await sleep(30);
      const rows = tr.summaryRows().rows;
      expect(rows[0]!.calls).toBeGreaterThan(0);
      expect(rows[0]!.errors).toBe(0);
      const ev = tr.events();
      expect(ev.calls.every((c) => c.nr === GETPID && c.result === 4242)).toBe(true);
    }
    // maxWorkers 2: the one worker record is reused by each new caller. One that finishes its 100 calls:
    const w = start(t, tr, 'caller', { calls: 100 });
    await w.next('done');
    const last = tr.events().calls.filter((c) => c.tid !== (t as unknown as { v: { me: number } }).v.me);
    // Its 16 newest calls (the ring's capacity) are there.
    expect(last.length).toBeGreaterThanOrEqual(16);
    await w.worker.terminate();
    t.verify();
  });

  it('a home terminated while it holds a traced call carried to it: the call ends (ENOSYS or an error), its line and count are there, later calls work', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines: { enter: (nr) => nr, exit: (p, r, note) => `${String(p)} = ${note.threw !== undefined ? 'threw' : r}` } });
    const w = start(t, tr, 'home');
    await w.next('ready');
    tr.select(['getppid', 'getpid']);
    tr.summary(['getppid']);
    const p = t.callAsync(GETPPID);
    await sleep(50); // taken by the home, held in its handler
    await w.worker.terminate();
    let settled: unknown;
    await Promise.race([Promise.resolve(p).then((r) => (settled = r), (e) => (settled = e)), sleep(8000)]);
    expect(settled, 'the carried call never settled').not.toBeUndefined();
    expect(out.filter((l) => l.startsWith(`${GETPPID} =`)).length).toBe(1);
    expect(tr.summaryRows().rows.find((r) => r.nr === GETPPID)?.calls).toBe(1);
    expect(t.call(GETPID)).toBe(4242);
    tr.inject('getpid:error=EPERM');
    expect(t.call(GETPID)).toBe(-1);
    await sleep(20);
    t.verify();
    expect(settled instanceof SystabError || typeof settled === 'number').toBe(true);
  });
});

describe('unload and replace under traced, injected calls from another thread', () => {
  it('a worker calls a traced getpid (carried here) with when=2+2 injected while this thread replaces then unloads its module: every answer is one of the versions, ENOSYS, or the injection', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t);
    tr.select(['getpid']);
    tr.summary(['getpid']);
    tr.inject('getpid:error=EPERM:when=2+2');
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { attach } = await import('systab');
        const { attachTrace } = await import('systab/trace');
        const t = attach(workerData.desc);
        const tr = attachTrace(t, workerData.traceDesc, { sink: () => {}, lines: { enter: () => '', exit: () => '' } });
        const seen = {};
        parentPort.postMessage({ ready: true });
        const end = performance.now() + 1200;
        let n = 0;
        while (performance.now() < end) {
          const r = await t.callAsync(39);
          seen[r] = (seen[r] ?? 0) + 1;
          n++;
        }
        tr.close(); t.close();
        parentPort.postMessage({ seen, n });
      })();`;
    const w = new Worker(code, { eval: true, workerData: { desc: t.describe(), traceDesc: tr.describe() } });
    const l = listen(w, 'caller');
    await l.next('ready');
    await sleep(200);
    const v2 = t.load({ name: 'm', handlers: { getpid: () => 5353 }, replace: true });
    await v2.drained;
    await sleep(200);
    await v2.unload();
    expect(m.loaded).toBe(false);
    const { seen, n } = await l.next<{ seen: Record<string, number>; n: number }>('seen');
    expect(n).toBeGreaterThan(10);
    expect(Object.keys(seen).map(Number).filter((r) => ![4242, 5353, -38, -1].includes(r))).toEqual([]);
    // when=2+2 per thread: about half of the worker's calls are injected.
    expect(seen[-1] ?? 0).toBeGreaterThanOrEqual(Math.floor(n / 2) - 1);
    expect(t.call(GETPID)).toBe(-38);
    t.verify();
  });
});
