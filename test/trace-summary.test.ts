// The summary switch (strace -c) on one thread: it keeps the number's count
// switch on (print and inject keep its trace switch on); it counts calls,
// errors in the ABI's convention (injected ones, missing calls, handlers that
// throw), and the wall time around the handler only while it is on; with
// select() it is -C.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { summaryText } from '../src/trace/summary.js';

const HOOK_TRACE = 1 << 19;
const HOOK_COUNT = 1 << 16;
const word = (t: object, nr: number): number => {
  const v = (t as { v: { i32: Int32Array; at: { slots: number } } }).v;
  return Atomics.load(v.i32, v.at.slots + nr);
};
const lines: LineMaker = { enter: (nr) => String(nr), exit: (p, r) => `${p as string} = ${r}\n` };
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function setup() {
  const t = createTable({ abi });
  t.load({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, read: () => { throw new Error('boom'); }, nanosleep: () => (sleep(3), 0) } });
  const out: string[] = [];
  const tr = traceTable(t, { sink: (l) => out.push(l), lines });
  return { t, tr, out };
}
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof SystabError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'ok';
};

describe('the summary switch', () => {
  it('keeps the count switch on while the summary is, and the trace switch while print or inject is', () => {
    const { t, tr } = setup();
    tr.summary(['getpid']);
    // A summary alone takes no plug: its calls stay on the counted path (sampled for time).
    expect(word(t, 39) & (HOOK_TRACE | HOOK_COUNT)).toBe(HOOK_COUNT);
    tr.select(['getpid']);
    tr.summary(false);
    expect(word(t, 39) & (HOOK_TRACE | HOOK_COUNT)).toBe(HOOK_TRACE);
    tr.select([]);
    expect(word(t, 39) & (HOOK_TRACE | HOOK_COUNT)).toBe(0);
    tr.summary('%desc');
    expect(word(t, 3) & HOOK_COUNT).toBe(HOOK_COUNT);
    expect(word(t, 39) & HOOK_COUNT).toBe(0);
    tr.inject('close:error=EBADF');
    expect(word(t, 3) & (HOOK_TRACE | HOOK_COUNT)).toBe(HOOK_TRACE | HOOK_COUNT);
    t.verify();
  });

  it('counts calls and errors: -errno results, injected errors, missing calls (ENOSYS) and throws', () => {
    const { t, tr, out } = setup();
    tr.summary(true);
    t.call(39);
    t.call(39);
    t.call(3);
    expect(() => t.call(0)).toThrow('boom');
    t.call(101); // ptrace: nobody implements it
    tr.inject('getpid:error=EPERM:when=2');
    t.call(39);
    t.call(39);
    const rows = tr.summaryRows({ sort: 'nothing' }).rows.map((r) => [r.name, r.calls, r.errors]);
    expect(rows).toEqual([['read', 1, 1], ['close', 1, 1], ['getpid', 4, 1], ['ptrace', 1, 1]]);
    expect(out).toEqual([]); // summary only: nothing printed (strace -c)
    t.verify();
  });

  it('measures wall time only while it is on; -C: select() and summary() together print and count', () => {
    const { t, tr, out } = setup();
    t.call(35); // before: not counted
    tr.summary(['nanosleep']);
    tr.select(['nanosleep']);
    for (let i = 0; i < 3; i++) t.call(35);
    tr.summary(false);
    t.call(35);
    const { rows, total } = tr.summaryRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.calls).toBe(3);
    expect(rows[0]!.seconds).toBeGreaterThanOrEqual(0.009);
    expect(rows[0]!.seconds).toBeLessThan(5);
    expect(rows[0]!.usecsPerCall).toBe(Math.floor((rows[0]!.seconds * 1e6) / 3));
    expect(rows[0]!.percent).toBe(100);
    expect(total.seconds).toBe(rows[0]!.seconds);
    expect(out).toEqual(['35 = 0\n', '35 = 0\n', '35 = 0\n', '35 = 0\n']);
    tr.resetSummary();
    expect(tr.summaryRows().rows).toEqual([]);
    expect(tr.summaryTable()).toBe(
      '% time     seconds  usecs/call     calls    errors syscall\n' +
        '------ ----------- ----------- --------- --------- ----------------\n' +
        '------ ----------- ----------- --------- --------- ----------------\n' +
        '100.00    0.000000           0         0           total\n',
    );
  });

  it('columns widen as strace 6 widens them (count.c: the widest value, never below 6/11/11/9/9/16)', () => {
    // No native run makes 10^10 calls: this checks the rule as read from strace's count.c.
    const text = summaryText({
      rows: [{ nr: 0, name: 'read', calls: 12345678901, errors: 0, seconds: 123456.5, usecsPerCall: 123456789012, percent: 100 }],
      total: { calls: 12345678901, errors: 0, seconds: 123456.5, usecsPerCall: 10 },
    });
    const sp = (n: number) => ' '.repeat(n);
    const dashes = ['-'.repeat(6), '-'.repeat(13), '-'.repeat(12), '-'.repeat(11), '-'.repeat(9), '-'.repeat(16)].join(' ') + '\n';
    expect(text).toBe(
      `% time${sp(7)}seconds${sp(3)}usecs/call${sp(7)}calls${sp(4)}errors syscall\n` +
        dashes +
        `100.00 123456.500000 123456789012 12345678901 ${sp(9)} read\n` +
        dashes +
        `100.00 123456.500000${sp(11)}10 12345678901 ${sp(9)} total\n`,
    );
  });

  it('WASI: errors are nonzero results, names are witx names', () => {
    const t = createTable({ abi: wasi });
    t.load({ name: 'w', handlers: { fd_close: (fd) => (fd === 3 ? 0 : 8), sched_yield: () => 0 } });
    const tr = traceTable(t);
    tr.summary(true);
    t.call(wasi.names.fd_close, 3);
    t.call(wasi.names.fd_close, 9);
    t.call(wasi.names.sched_yield);
    expect(tr.summaryRows({ sort: 'name' }).rows.map((r) => [r.name, r.calls, r.errors])).toEqual([['fd_close', 2, 1], ['sched_yield', 1, 0]]);
  });

  it('bad input: typed errors that name what is taken', () => {
    const { tr } = setup();
    expect(code(() => tr.summaryTable({ sort: 'bogus' }))).toBe('EBADSPEC: summary sort must be one of strace\'s -S keys time, avg-time, calls, errors, name, nothing (got "bogus")');
    expect(code(() => tr.summaryTable({ sort: 'max-time' }))).toBe('EBADSPEC: summary sort "max-time": systab keeps no shortest or longest call times; sort by time, avg-time, calls, errors, name or nothing');
    expect(code(() => tr.summaryRows({ order: 'calls' } as never))).toBe('EBADSPEC: summary options have no "order" (only sort, strace\'s -S key)');
    expect(code(() => tr.summary('wirte'))).toMatch(/^EBADSPEC/);
    expect(code(() => tr.summary(['wirte']))).toMatch(/^ENONAME/);
    expect(code(() => tr.summary(7 as never))).toMatch(/^EBADSPEC/);
    tr.close();
    expect(code(() => tr.summary(true))).toBe('EBUSY: summary() on a closed trace');
    // Reading stays possible after close(): the counts are the table's trace state's.
    expect(tr.summaryRows().total.calls).toBe(0);
  });
});
