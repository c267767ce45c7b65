// The summary (strace -c) at close to counting's cost: a summarised number
// keeps its count switch on, so its calls and errors are the table's own
// counters on every path (the JS hot path, the core's dispatch for
// WebAssembly guests, the WASI import's counted way, a thread that never
// attached the trace), exact; its time is what each tracing thread timed: a
// slot's first 16 calls there, then about one in 64 at random, scaled to the
// calls. Checked against the calls made and the wall time a known handler takes.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable, type Trace } from 'systab/trace';
import { loadWasi, wasiImports } from 'systab/wasi';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { SUM_TIMED, SUM_WORDS, type TraceState } from '../src/trace/control.js';
import { wasmCaller } from './helpers/wasm.js';

const GETPID = 39;
const CLOSE = 3;
const GETPPID = 110;
const spin = (us: number): number => {
  const end = performance.now() + us / 1000;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
};
const rows = (tr: Trace) => Object.fromEntries(tr.summaryRows().rows.map((r) => [r.name, [r.calls, r.errors]]));
/** Calls this thread timed of `slot` (its stripe of the trace state). */
const timed = (tr: Trace, slot: number): number => {
  const s = (tr as unknown as { s: TraceState }).s;
  return s.words[s.at.sum + s.v.me * s.at.sumStripe + slot * SUM_WORDS + SUM_TIMED]!;
};

describe('the sampled summary', () => {
  it('counts every call exactly, from JS and from a WebAssembly guest, errors and missing calls included', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, read: () => { throw new Error('boom'); } } });
    const tr = traceTable(t);
    tr.summary(true);
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 3000; i++) {
      t.call(GETPID);
      if (i % 3 === 0) t.call(CLOSE, 5);
      if (i % 2 === 0) run(GETPID);
      if (i % 500 === 0) run(CLOSE);
    }
    for (let i = 0; i < 7; i++) t.call(101); // ptrace: nobody implements it
    for (let i = 0; i < 4; i++) expect(() => t.call(0)).toThrow('boom');
    expect(rows(tr)).toEqual({ getpid: [4500, 0], close: [1006, 1006], ptrace: [7, 7], read: [4, 4] });
    // Sampled, not all timed: the first 16 of each, then about one in 64 of the counted calls (JS and WebAssembly each keep a countdown).
    expect(timed(tr, GETPID)).toBeGreaterThan(16);
    expect(timed(tr, GETPID)).toBeLessThan(4500 / 8);
    t.verify();
    tr.close();
    t.close();
  });

  it('times a number that alternates with another (no call pattern aliases the countdown), scaled to its calls and within the wall time', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => (spin(40), 1), getppid: () => 2 } });
    const tr = traceTable(t);
    tr.summary(['getpid', 'getppid']);
    const N = 4000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      t.call(GETPID);
      t.call(GETPPID);
    }
    const wall = (performance.now() - t0) / 1000;
    const { rows: r } = tr.summaryRows();
    const slow = r.find((x) => x.name === 'getpid')!;
    const fast = r.find((x) => x.name === 'getppid')!;
    expect([slow.calls, fast.calls]).toEqual([N, N]);
    // Both were timed past their first 16 calls: a countdown of a fixed even period would only ever time one of two alternating calls.
    expect(timed(tr, GETPID)).toBeGreaterThan(16 + 10);
    expect(timed(tr, GETPPID)).toBeGreaterThan(16 + 10);
    // Each getpid spins at least 40 us; the estimate is at least most of that, and not more than the loop took.
    expect(slow.seconds).toBeGreaterThan(0.7 * N * 40e-6);
    expect(slow.seconds).toBeLessThan(1.2 * wall);
    expect(fast.seconds).toBeLessThan(slow.seconds / 5);
    expect(slow.percent).toBeGreaterThan(80);
    tr.close();
    t.close();
  });

  it('counts what a thread that never attached the trace calls (its times are not taken)', async () => {
    const t = createTable({ abi, maxWorkers: 4 });
    t.load({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, getppid: () => 1 } });
    const tr = traceTable(t);
    tr.summary(true);
    const w = new Worker(new URL('./workers/trace-summary-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc: tr.describe(), rounds: 300, noTrace: true } });
    await new Promise((ok, no) => (w.once('message', ok), w.once('error', no)));
    const done = new Promise((ok) => w.once('message', ok));
    w.postMessage({ go: true });
    await done;
    for (let i = 0; i < 5; i++) t.call(GETPID);
    expect(rows(tr)).toEqual({ getpid: [305, 0], close: [300, 300], getppid: [300, 0] });
    w.postMessage({ close: true });
    await new Promise((ok) => w.once('exit', ok));
    t.verify();
    tr.close();
    t.close();
  });

  it('WASI: the import\'s counted way counts and samples as the table does', () => {
    const t = createTable({ abi: wasi });
    let k = 0;
    loadWasi(t, 'impl', { fd_write: () => (k++ % 4 === 0 ? 8 : 0), sched_yield: () => 0 });
    const tr = traceTable(t);
    tr.summary(true);
    const fns = wasiImports(t).imports.wasi_snapshot_preview1;
    for (let i = 0; i < 2000; i++) {
      fns.fd_write!(1, 0, 0, 0);
      fns.sched_yield!();
    }
    expect(rows(tr)).toEqual({ fd_write: [2000, 500], sched_yield: [2000, 0] });
    const fdWrite = wasi.names.fd_write! - wasi.base;
    expect(timed(tr, fdWrite)).toBeGreaterThan(16);
    expect(timed(tr, fdWrite)).toBeLessThan(2000 / 4);
    t.verify();
    tr.close();
    t.close();
  });

  it('spans: off keeps what was counted, on again adds to it, calls in between are not counted; reset starts over', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 1 } });
    const tr = traceTable(t);
    t.hooks(['getpid'], { count: true }); // counted for stats() all along: the summary counts only its own spans
    for (let i = 0; i < 4; i++) t.call(GETPID);
    tr.summary(['getpid']);
    for (let i = 0; i < 10; i++) t.call(GETPID);
    tr.summary(false);
    for (let i = 0; i < 5; i++) t.call(GETPID);
    expect(rows(tr)).toEqual({ getpid: [10, 0] });
    tr.summary(['getpid']);
    for (let i = 0; i < 3; i++) t.call(GETPID);
    expect(rows(tr)).toEqual({ getpid: [13, 0] });
    tr.summary(['getpid']); // already on: the span goes on
    t.call(GETPID);
    expect(rows(tr)).toEqual({ getpid: [14, 0] });
    tr.resetSummary();
    expect(rows(tr)).toEqual({});
    t.call(GETPID);
    expect(rows(tr)).toEqual({ getpid: [1, 0] });
    expect(t.stats().calls.find((c) => c.nr === GETPID)!.calls).toBe(24);
    t.verify();
    tr.close();
  });
});
