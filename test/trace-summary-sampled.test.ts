// The summary (strace -c) at close to counting's cost: a summarised number
// keeps its count switch on, so its calls and errors are the table's own
// counters on every path (the JS hot path, the core's dispatch for
// WebAssembly guests, the WASI import's counted way, a thread that never
// attached the trace), exact; its time is what each tracing thread timed: a
// slot's first 16 calls there and every call of a slow one whole, then about
// one in 64 at random, their mean standing for the calls not timed. Checked
// against the calls made and the wall time a known handler takes.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable, type Trace } from 'systab/trace';
import { loadWasi, wasiImports } from 'systab/wasi';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { SUM_EXACT, SUM_SAMPLED, SUM_WORDS, type TraceState } from '../src/trace/control.js';
import { wasmCaller } from './helpers/wasm.js';

const GETPID = 39;
const CLOSE = 3;
const GETPPID = 110;
const GETUID = 102;
const spin = (us: number): number => {
  const end = performance.now() + us / 1000;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
};
const rows = (tr: Trace) => Object.fromEntries(tr.summaryRows().rows.map((r) => [r.name, [r.calls, r.errors]]));
/** Calls of `slot` this thread timed whole and as samples (its stripe of the trace state). */
const timings = (tr: Trace, slot: number): { whole: number; sampled: number } => {
  const s = (tr as unknown as { s: TraceState }).s;
  const at = s.at.sum + s.v.me * s.at.sumStripe + slot * SUM_WORDS;
  return { whole: s.words[at + SUM_EXACT]!, sampled: s.words[at + SUM_SAMPLED]! };
};
const timed = (tr: Trace, slot: number): number => timings(tr, slot).whole + timings(tr, slot).sampled;

describe('the sampled summary', () => {
  it('counts every call exactly, from JS and from a WebAssembly guest, errors and missing calls included', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, getppid: () => 1, read: () => { throw new Error('boom'); } } });
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
    // Sampled, not all timed: the first 16 of each whole, then about one in 64 of the counted calls (JS and WebAssembly each
    // keep a countdown); a sample this loaded machine stretched past 5 us times the next 256 whole.
    expect(timings(tr, GETPID).whole).toBeGreaterThanOrEqual(16);
    expect(timings(tr, GETPID).sampled).toBeGreaterThan(5);
    expect(timed(tr, GETPID)).toBeLessThan(4500 / 2);
    // The core's dispatch samples on its own countdown: a number only WebAssembly calls is timed too.
    for (let i = 0; i < 3000; i++) run(GETPPID);
    expect(rows(tr).getppid).toEqual([3000, 0]);
    expect(timings(tr, GETPPID).sampled).toBeGreaterThan(10);
    expect(timed(tr, GETPPID)).toBeLessThan(3000 / 2);
    t.verify();
    tr.close();
    t.close();
  });

  it('times a slow number whole and samples cheap ones that alternate (no call pattern aliases the countdown), within the wall time', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => (spin(40), 1), getppid: () => 2, getuid: () => 3 } });
    const tr = traceTable(t);
    tr.summary(['getpid', 'getppid', 'getuid']);
    const N = 3000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      t.call(GETPID);
      t.call(GETPPID);
      t.call(GETUID);
    }
    const wall = (performance.now() - t0) / 1000;
    const { rows: r } = tr.summaryRows();
    const slow = r.find((x) => x.name === 'getpid')!;
    const cheap = r.filter((x) => x.name !== 'getpid');
    expect([slow.calls, ...cheap.map((x) => x.calls)]).toEqual([N, N, N]);
    // getpid spins 40 us a call: after its first sample it is timed whole (the ~64 calls before take the whole calls' mean).
    expect(timings(tr, GETPID).whole).toBeGreaterThan(N - 200);
    expect(slow.seconds).toBeGreaterThan(0.8 * N * 40e-6);
    expect(slow.seconds).toBeLessThan(1.1 * wall);
    // The two cheap ones alternate: both are sampled past their first 16 (a countdown of a fixed even period would time one only).
    expect(timings(tr, GETPPID).sampled).toBeGreaterThan(10);
    expect(timings(tr, GETUID).sampled).toBeGreaterThan(10);
    for (const x of cheap) expect(x.seconds).toBeLessThan(slow.seconds / 5);
    expect(slow.percent).toBeGreaterThan(80);
    tr.close();
    t.close();
  });

  it('a one-off stretched sample (the OS, a GC) counts once: a cheap number is not scaled up 64 times for it', () => {
    const t = createTable({ abi });
    let k = 0;
    t.load({ name: 'm', handlers: { getppid: () => (++k === 5000 ? spin(30_000) : 0, 2) } });
    const tr = traceTable(t);
    tr.summary(['getppid']);
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      // Call 5000 (the slow one) is a sample: its countdown ends there.
      if (i === 4999) (t as unknown as { hotTimer: { down: number } }).hotTimer.down = 1;
      t.call(GETPPID);
    }
    const wall = (performance.now() - t0) / 1000;
    const row = tr.summaryRows().rows[0]!;
    expect(row.calls).toBe(10_000);
    expect(row.seconds).toBeGreaterThanOrEqual(0.03);
    // Scaled as a sample it would add ~2 s (30 ms for each of the ~64 calls it stands for).
    expect(row.seconds).toBeLessThan(1.1 * wall);
    tr.close();
    t.close();
  });

  it('a number with a few slow calls among many: its samples of them count for the calls they stand for', () => {
    const t = createTable({ abi });
    let k = 0;
    t.load({ name: 'm', handlers: { getppid: () => (++k % 50 === 0 ? spin(1000) : 0, 2) } });
    const tr = traceTable(t);
    tr.summary(['getppid']);
    const t0 = performance.now();
    for (let i = 0; i < 40_000; i++) t.call(GETPPID);
    const wall = (performance.now() - t0) / 1000;
    const row = tr.summaryRows().rows[0]!;
    expect(row.calls).toBe(40_000);
    // 800 calls of 1 ms: 0.8 s of the loop (the chance that no sample lands on one of them is e^-12.5).
    expect(row.seconds).toBeGreaterThan(0.7 * 800 * 1e-3);
    expect(row.seconds).toBeLessThan(1.1 * wall);
    tr.close();
    t.close();
  });

  it('an async table: a promise\'s call is timed until it settles (whole or sampled), and counted once', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'm', handlers: { getpid: () => new Promise<number>((ok) => setTimeout(() => ok(7), 2)) } });
    const tr = traceTable(t);
    tr.summary(['getpid']);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(await t.call(GETPID)).toBe(7);
    const wall = (performance.now() - t0) / 1000;
    const row = tr.summaryRows().rows[0]!;
    expect(row.calls).toBe(20);
    // Each waits at least 2 ms; the 16 timed whole and the slow rule time them to their settling, not to the promise's making.
    expect(row.seconds).toBeGreaterThan(0.8 * 20 * 2e-3);
    expect(row.seconds).toBeLessThan(1.1 * wall);
    t.verify();
    tr.close();
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
    expect(timings(tr, fdWrite).whole).toBeGreaterThanOrEqual(16);
    expect(timings(tr, fdWrite).sampled).toBeGreaterThan(5);
    expect(timed(tr, fdWrite)).toBeLessThan(2000 / 2);
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
