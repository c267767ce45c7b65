// systab/trace from inside its own calls, and beside the rest of the table:
// line makers and sinks that call the table or the trace, sinks that throw,
// close() mid-call, async handlers under a wrap, two trace states on one
// table, hooks, missing policies, call64(), WebAssembly dispatch, WASI.
import { describe, expect, it } from 'vitest';
import { attach, createTable, SystabError } from 'systab';
import { attachTrace, traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { wasiImports } from 'systab/wasi';
import { wasmCaller, wasmHandlers } from './helpers/wasm.js';

const READ = 0, WRITE = 1, OPEN = 2, GETPID = 39, GETPPID = 110;
const lines: LineMaker = {
  enter: (nr, args) => `${nr}(${args[0]})`,
  exit: (p, r, note) => `${p as string} = ${note.threw !== undefined ? 'threw' : r}${note.injected ? ' (INJECTED)' : ''}`,
};

function table(async = false) {
  const t = async ? createTable({ abi, async: true }) : createTable({ abi });
  t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => 1, read: (a) => a } });
  return t;
}

/** Collects unhandled rejections while `fn` runs and a few turns after. */
async function unhandled(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  try {
    await fn();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
  } finally {
    process.off('unhandledRejection', on);
  }
  return seen;
}

describe('line makers and sinks that call back', () => {
  it('a LineMaker whose enter() makes a traced call of the same number: both print, nested, with their own results', () => {
    const t = table();
    const out: string[] = [];
    let inner = 0;
    const lm: LineMaker = {
      enter: (nr, args) => {
        if (inner++ === 0) t.call(READ, 7);
        return `${nr}(${args[0]})`;
      },
      exit: lines.exit,
    };
    const tr = traceTable(t, { sink: (l) => out.push(l), lines: lm });
    tr.select(['read']);
    expect(t.call(READ, 5)).toBe(5);
    expect(out).toEqual(['0(7) = 7', '0(5) = 5']);
    t.verify();
  });

  it('a sink that calls select(), inject() and clearInjections(): the call in progress ends as it began, the next sees the change', () => {
    const t = table();
    const out: string[] = [];
    let tr: ReturnType<typeof traceTable>;
    let n = 0;
    tr = traceTable(t, {
      sink: (l) => {
        out.push(l);
        if (n++ === 0) {
          tr.inject('getpid:error=EPERM');
          tr.select(['getpid', 'getppid']);
        }
      },
      lines,
    });
    tr.select(['getpid']);
    expect(t.call(GETPID)).toBe(4242);
    expect(t.call(GETPID)).toBe(-1);
    expect(t.call(GETPPID)).toBe(1);
    expect(out).toEqual(['39(0) = 4242', '39(0) = -1 (INJECTED)', '110(0) = 1']);
    t.verify();
  });

  it('a sink that makes a traced call: the outer call\'s event keeps its own arguments and start (its frame is not reused under it)', () => {
    const t = table();
    let n = 0;
    const tr = traceTable(t, { sink: () => { if (n++ === 0) t.call(READ, 99, 99, 99); }, lines, events: { capacity: 8 } });
    tr.select(['read']);
    expect(t.call(READ, 5, 6, 7)).toBe(5);
    // events() lists calls oldest first (by start): the outer call began before the inner one.
    const calls = tr.events().calls;
    expect(calls.map((c) => [c.args.slice(0, 3), c.result])).toEqual([[[5, 6, 7], 5], [[99, 99, 99], 99]]);
    expect(calls[0]!.start).toBeLessThanOrEqual(calls[1]!.start);
    // (Its duration is its handler's: it ends before its sink ran the inner call.)
    expect(calls[0]!.start + calls[0]!.duration).toBeLessThanOrEqual(calls[1]!.start);
    t.verify();
  });

  it('a sink that throws on a call that answers now: the caller gets the answer or the sink\'s error, and the trace goes on', () => {
    const t = table();
    let boom = true;
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => { if (boom) throw new Error('sink'); out.push(l); }, lines });
    tr.select(['getpid']);
    tr.summary(['getpid']);
    expect(() => t.call(GETPID)).toThrow('sink');
    boom = false;
    expect(t.call(GETPID)).toBe(4242);
    expect(out).toEqual(['39(0) = 4242']);
    expect(tr.summaryRows().total.calls).toBe(2);
    t.verify();
  });

  it('a sink that throws on an async call\'s line: no unhandled rejection, the caller\'s promise settles with the answer', async () => {
    const t = table(true);
    t.load({ name: 'a', handlers: { write: async (a) => a + 1 } });
    const tr = traceTable(t, { sink: () => { throw new Error('sink'); }, lines });
    tr.select(['write']);
    let got: unknown;
    const seen = await unhandled(async () => {
      got = await t.call(WRITE, 41);
    });
    expect(got).toBe(42);
    expect(seen.map(String)).toEqual([]);
  });

  it('a LineMaker whose exit() throws on an async call that rejects: the caller sees its own rejection, nothing unhandled', async () => {
    const t = table(true);
    t.load({ name: 'a', handlers: { write: async () => { throw new Error('late'); } } });
    const tr = traceTable(t, { sink: () => {}, lines: { enter: () => '', exit: () => { throw new Error('exit'); } } });
    tr.select(['write']);
    let caught: unknown;
    const seen = await unhandled(async () => {
      await (t.call(WRITE, 1) as Promise<number>).catch((e) => (caught = e));
    });
    expect(String(caught)).toBe('Error: late');
    expect(seen.map(String)).toEqual([]);
  });
});

describe('close() and traceTable() again while calls are in flight', () => {
  it('a handler that closes the trace and starts a new one: the call in flight ends on the old plug, the table is intact', () => {
    const t = createTable({ abi });
    const a: string[] = [];
    const b: string[] = [];
    let tr = traceTable(t, { sink: (l) => a.push(l), lines });
    t.load({ name: 'm', handlers: { getpid: () => { tr.close(); tr = traceTable(t, { sink: (l) => b.push(l), lines }); tr.select(['getpid']); return 4242; } } });
    tr.select(['getpid']);
    expect(t.call(GETPID)).toBe(4242);
    expect(a).toEqual(['39(0) = 4242']);
    t.verify();
  });

  it('async calls in flight across close() and a new traceTable(): the new trace\'s summary counts only its own calls', async () => {
    const t = createTable({ abi, async: true });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.load({ name: 'a', handlers: { write: async (x) => (await gate, x), getpid: () => 1 } });
    const tr1 = traceTable(t, { sink: () => {}, lines });
    tr1.summary(['write']);
    const pending = [t.call(WRITE, 1), t.call(WRITE, 2)];
    tr1.close();
    const tr2 = traceTable(t);
    tr2.summary(['write']);
    release();
    await Promise.all(pending);
    expect(tr2.summaryRows().total.calls).toBe(0);
    t.verify();
  });

  it('two trace states on one table (two views on a thread, as two threads that each call traceTable()): one\'s select() does not switch off the other\'s injection', () => {
    const t = table();
    const tr = traceTable(t);
    tr.inject('getpid:error=ENOENT');
    expect(t.call(GETPID)).toBe(-2);
    const other = attach(t.describe());
    // One trace per table: a second one on this thread is EBUSY (its switches would share the slots' trace bits); attachTrace() joins the first.
    expect(() => traceTable(other)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(t.call(GETPID)).toBe(-2);
    const tr2 = attachTrace(other, tr.describe());
    tr2.select('none');
    expect(t.call(GETPID)).toBe(-2); // select() is about printing: the injection stands
    tr2.close();
    other.close();
  });

  it('async handlers under a wrap, traced, summed and injected: each call printed once when it settles, with the wrap\'s answer', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'a', handlers: { read: async (x) => x * 2 } });
    t.load({ name: 'w', wraps: { read: (below) => async (a0: number) => ((await below(a0, 0, 0, 0, 0, 0)) as number) + 1 } });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines, events: { capacity: 8 } });
    tr.select(['read']);
    tr.summary(['read']);
    tr.inject('read:error=EIO:when=2');
    const got = await Promise.all([t.call(READ, 1), t.call(READ, 2), t.call(READ, 3)]);
    expect(got).toEqual([3, -5, 7]);
    expect(out.sort()).toEqual(['0(1) = 3', '0(2) = -5 (INJECTED)', '0(3) = 7']);
    expect(tr.summaryRows().rows.map((r) => [r.calls, r.errors])).toEqual([[3, 1]]);
    expect(tr.events().calls.map((c) => c.result).sort()).toEqual([-5, 3, 7]);
    t.verify();
  });
});

describe('tracing beside the rest of the table', () => {
  it("hooks('*', { enter, exit, count }) and tracing: an injected call runs no hook and is counted (a call, its error); the rest run both", () => {
    const t = table();
    const seen: string[] = [];
    t.onEnter((nr) => void seen.push(`enter ${nr}`));
    t.onExit((nr, _a, r) => void seen.push(`exit ${nr} ${String(r)}`));
    t.hooks('*', { enter: true, exit: true, count: true });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines });
    tr.select(['getpid', 'getppid']);
    tr.inject('getpid:error=EPERM:when=2');
    expect([t.call(GETPID), t.call(GETPID), t.call(GETPPID)]).toEqual([4242, -1, 1]);
    expect(seen).toEqual(['enter 39', 'exit 39 4242', 'enter 110', 'exit 110 1']);
    expect(out).toEqual(['39(0) = 4242', '39(0) = -1 (INJECTED)', '110(0) = 1']);
    const calls = t.stats().calls.find((c) => c.name === 'getpid');
    expect([calls?.calls, calls?.errors]).toEqual([2, 1]);
    t.verify();
  });

  it("setMissing('throw') on a traced number: traced as threw; injected, it answers and does not throw", () => {
    const t = table();
    t.setMissing(['open'], 'throw');
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines });
    tr.select(['open']);
    expect(() => t.call(OPEN, 1)).toThrow(SystabError);
    tr.inject('open:error=EACCES');
    expect(t.call(OPEN, 1)).toBe(-13);
    t.setMissing(['open'], () => 77);
    tr.clearInjections();
    expect(t.call(OPEN, 1)).toBe(77);
    expect(out).toEqual(['2(1) = threw', '2(1) = -13 (INJECTED)', '2(1) = 77']);
    t.verify();
  });

  it('call64() and WebAssembly dispatch of traced and injected numbers: injected as by call(), and traced', () => {
    const t = table();
    const w = wasmHandlers();
    t.load({ name: 'w', handlers: { write: { wasm: w.mul }, lseek: { fn: (a: bigint) => a, bigint: true } } });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines });
    const run = wasmCaller(t.dispatch);
    // Warm the core's direct path first: a resolved handler must still see the switch.
    expect(run(WRITE, 6n, 7n)).toBe(42n);
    expect(run(GETPID)).toBe(4242n);
    tr.select(['write', 'getpid', 'lseek']);
    tr.inject('write,getpid,lseek:error=EBADF');
    expect(run(WRITE, 6n, 7n)).toBe(-9n);
    expect(run(GETPID)).toBe(-9n);
    expect(run(8, 5n)).toBe(-9n);
    expect(t.call64(WRITE, 6n, 7n)).toBe(-9n);
    expect(t.call64(8, 2n ** 60n)).toBe(-9n);
    tr.clearInjections();
    expect(run(WRITE, 6n, 7n)).toBe(42n);
    expect(t.call64(8, 2n ** 60n + 1n)).toBe(2n ** 60n + 1n);
    expect(out.length).toBe(7);
    expect(out.slice(0, 5).every((l) => l.endsWith('= -9 (INJECTED)'))).toBe(true);
    t.verify();
  });

  it('the WASI host with tracing on: an import call of a selected function is traced, an injected one answers the errno', () => {
    const t = createTable({ abi: wasi });
    t.load({ name: 'w', handlers: { fd_close: () => 0, sched_yield: () => 0 } });
    const host = wasiImports(t);
    const imp = host.imports.wasi_snapshot_preview1 as Record<string, (...a: unknown[]) => unknown>;
    // Warm the import's direct path.
    for (let i = 0; i < 10; i++) imp.fd_close!(3);
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines });
    tr.select(['fd_close']);
    tr.inject('sched_yield:error=EBADF');
    expect(imp.fd_close!(3)).toBe(0);
    expect(imp.sched_yield!()).toBe(8); // WASI's badf, positive
    expect(out).toEqual([`${wasi.names.fd_close}(3) = 0`]);
    t.verify();
  });
});
