// The adversary's closed view. README (Bad input): "any change on a closed
// view" is EBUSY. close() gave the view's worker record back, so another
// thread may hold that record now: a closed view that still changed the
// table's shared switches, or wrote into that record's counters, rings,
// relay ring or filter hazard word, would act as (and on) that thread.
import { describe, expect, it } from 'vitest';
import { attach, createTable } from 'systab';
import { filterTable, attachFilter, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { attachTrace, traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { ret } from './helpers/adv.js';
import { wasmCaller } from './helpers/wasm.js';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'done';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

function closedView() {
  const t = createTable({ abi });
  t.load({ name: 'io', handlers: { getpid: () => 42 } });
  const u = attach(t.describe());
  u.close();
  return { t, u };
}

describe('a closed view changes nothing', () => {
  // hooks() and setMissing() flipped every thread's switches and policy codes from a closed view (the
  // writer lock's check, grace.ts lock(), is where load/reserve learn of it; these take no lock).
  it('hooks() is EBUSY, and no switch moved', () => {
    const { t, u } = closedView();
    expect(code(() => u.hooks('*', { count: true }))).toBe('EBUSY');
    t.call(39);
    expect(t.stats().calls).toEqual([]);
    t.verify();
  });
  it('setMissing() is EBUSY, and no policy moved', () => {
    const { t, u } = closedView();
    expect(code(() => u.setMissing(['ptrace'], 'throw'))).toBe('EBUSY');
    expect(t.call(abi.names.ptrace)).toBe(-38);
    t.verify();
  });
  // A trace on a closed view writes into the worker record it gave back: that record's counters, rings and relay ring.
  it('traceTable() and attachTrace() are EBUSY', () => {
    const { t, u } = closedView();
    expect(code(() => traceTable(u, {}))).toBe('EBUSY');
    const tr = traceTable(t, {});
    expect(code(() => attachTrace(u, tr.describe()))).toBe('EBUSY');
    t.verify();
  });
  // filterTable() on a closed view put its plug reasons on every slot (the filters of a view that is gone:
  // nobody can join them, so every other thread is refused ESECCOMP); attachFilter() on one names the set it
  // reads in the hazard word of the record it gave back, which the thread now holding that record clears at
  // the end of each of its own evaluations, so stack() may free the set under the closed view's reads.
  // Both are in src/seccomp/table.ts (another helper's): refuse a closed view (t.closed) in both constructors.
  it('filterTable() and attachFilter() are EBUSY', () => {
    const { t, u } = closedView();
    expect(code(() => filterTable(u, [ret(SECCOMP_RET_ERRNO | 1)]))).toBe('EBUSY');
    expect(t.call(39)).toBe(42);
    const f = filterTable(t, [ret(SECCOMP_RET_ERRNO | 1)]);
    const w = attach(t.describe());
    w.close();
    expect(code(() => attachFilter(w, f.describe()))).toBe('EBUSY');
  });
});

describe('a closed view calls through nothing it gave back', () => {
  // close() frees the view's worker record but leaves its plugs (a trace,
  // a joined filter) on its policy, and call() never looks at `closed`: the
  // closed view's calls still run, and its trace writes them into the
  // event ring (and counters, relay ring) of the record's next holder, as
  // that thread's calls (tid 1 below is w's record). A joined filter on it
  // names sets in the hazard word w will clear. Fixed: close() drops this
  // thread's plugs, and a call on a closed view is EBUSY (src/table.ts).
  it("a trace made on a view before close() records nothing in the record's next holder's ring", () => {
    const t = createTable({ abi });
    const u = attach(t.describe());
    u.load({ name: 'mine', handlers: { getuid: () => 7 } });
    const tr = traceTable(u, { events: { capacity: 8 } });
    tr.select('all');
    u.call(abi.names.getuid);
    u.close();
    const w = attach(t.describe()); // takes the record u gave back
    try {
      u.call(abi.names.getuid);
    } catch {
      // refused: also fine
    }
    expect(tr.events().calls).toHaveLength(1);
    w.close();
  });

  it('call() and dispatch on a closed view are EBUSY and touch nothing of the record\'s next holder', () => {
    const t = createTable({ abi });
    t.hooks('*', { count: true });
    const u = attach(t.describe());
    u.load({ name: 'mine', handlers: { getuid: () => 7 } });
    const tr = traceTable(u, { events: { capacity: 8 } });
    tr.select('all');
    const run = wasmCaller(u.dispatch);
    expect([u.call(abi.names.getuid), run(abi.names.getuid)]).toEqual([7, 7n]);
    u.close();
    const w = attach(t.describe()); // takes the record u gave back
    const before = JSON.stringify(t.stats());
    expect(code(() => u.call(abi.names.getuid))).toBe('EBUSY');
    expect(code(() => u.call(abi.names.getpid))).toBe('EBUSY'); // a missing call too: no ENOSYS counted
    expect(code(() => u.call(99999))).toBe('EBUSY');
    expect(code(() => run(abi.names.getuid))).toBe('EBUSY');
    u.poll(); // a no-op now: it must not make the hot path current again
    expect(code(() => u.call(abi.names.getuid))).toBe('EBUSY');
    expect(JSON.stringify(t.stats())).toBe(before);
    expect(tr.events().calls).toHaveLength(2); // the two before close()
    w.close();
    t.verify();
  });
});
