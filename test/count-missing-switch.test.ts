// Missing calls are counted only while counting is on: an in-range number's
// ENOSYS answers (empty slot, reserved stub, any policy) while that number's
// count switch is on; out-of-range numbers (no slot) while the count switch
// of '*' is on. A flip of the '*' switch rings every thread's doorbell, so a
// table whose hot paths answered out-of-range numbers uncounted counts them
// from its next call on. The JS path (call, call64) and the WebAssembly path
// (the core's dispatch) agree.
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { abiName, attach, createTable, type Stats, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { wasmCaller, type Run } from './helpers/wasm.js';

const ENOSYS = abi.enosys; // -38
const WRITE = abi.names.write!; // 1: loaded, answers 1
const LSEEK = abi.names.lseek!; // 8: loaded, answers 7
const SOCKET = abi.names.socket!; // 41: reserved stub
const LAST = abi.count - 1; // the table's last slot
const MISSING = [abi.names.read!, abi.names.open!, 400, LAST]; // empty slots
// Out of range: just past the end, far past it, below it; all fit an i32 (the WebAssembly path).
const BEYOND = [abi.count, abi.count + 6, 1000, -1, 0x7fffffff];
const NONE: Stats = { calls: [], missing: [], outOfRange: 0 };

/** A shared table with write and lseek loaded and socket reserved. */
function setup(threadId?: number): Table {
  const t = createTable({ abi, maxHandlers: 64, maxModules: 8, maxWorkers: 4, ...(threadId === undefined ? {} : { threadId }) });
  t.load({ name: 'io', handlers: { write: () => 1, lseek: () => 7 } });
  t.reserve('net', ['socket']);
  return t;
}

/** Calls `nr` through one path `times` times and checks each answer. */
function callVia(t: Table, run: Run, via: 'js' | 'js64' | 'wasm', nr: number, times = 1): void {
  const want = nr === WRITE ? 1 : nr === LSEEK ? 7 : ENOSYS;
  for (let i = 0; i < times; i++) {
    if (via === 'js') expect(t.call(nr), `call(${nr})`).toBe(want);
    else if (via === 'js64') expect(t.call64(nr), `call64(${nr})`).toBe(BigInt(want));
    else expect(run(nr), `dispatch(${nr})`).toBe(BigInt(want));
  }
}

afterEach(() => vi.restoreAllMocks());

describe('missing calls count only while counting is on', () => {
  it.each(['js', 'js64', 'wasm'] as const)('with no switches nothing is counted (%s), warm paths included', (via) => {
    const t = setup();
    const run = wasmCaller(t.dispatch);
    for (const nr of [...MISSING, SOCKET, ...BEYOND, WRITE, LSEEK]) callVia(t, run, via, nr, 200);
    expect(t.stats()).toEqual(NONE);
    // Enter and exit switches alone count nothing either, '*' included.
    t.hooks('*', { enter: true, exit: true });
    for (const nr of [...MISSING, SOCKET, ...BEYOND]) callVia(t, run, via, nr, 3);
    expect(t.stats()).toEqual(NONE);
    t.verify();
  });

  it.each(['js', 'wasm'] as const)("a number's own switch counts only its ENOSYS hits; off stops counting, the counts stay (%s)", (via) => {
    const t = setup();
    const run = wasmCaller(t.dispatch);
    for (const nr of [...MISSING, SOCKET, ...BEYOND]) callVia(t, run, via, nr, 50); // warm, uncounted
    expect(t.stats()).toEqual(NONE);

    t.hooks(['read', 400, 'socket'], { count: true });
    for (const nr of [...MISSING, SOCKET, ...BEYOND]) callVia(t, run, via, nr, 5);
    expect(t.stats()).toEqual({
      calls: [
        { nr: 0, name: 'read', calls: 0, errors: 0, enosys: 5 },
        { nr: 41, name: 'socket', calls: 0, errors: 0, enosys: 5 },
        { nr: 400, name: undefined, calls: 0, errors: 0, enosys: 5 },
      ],
      missing: [
        { nr: 0, name: 'read', count: 5 },
        { nr: 41, name: 'socket', count: 5 },
        { nr: 400, name: undefined, count: 5 },
      ],
      outOfRange: 0, // a list of numbers leaves out-of-range ones alone
    });

    t.hooks(['read'], { count: false });
    for (const nr of [...MISSING, SOCKET, ...BEYOND]) callVia(t, run, via, nr, 2);
    expect(t.stats().missing).toEqual([
      { nr: 41, name: 'socket', count: 7 },
      { nr: 0, name: 'read', count: 5 },
      { nr: 400, name: undefined, count: 7 },
    ].sort((a, b) => b.count - a.count || a.nr - b.nr));
    expect(t.stats().outOfRange).toBe(0);

    t.hooks(['socket', 400], { count: false });
    for (const nr of [...MISSING, SOCKET, ...BEYOND]) callVia(t, run, via, nr, 2);
    expect(t.stats().missing.map((m) => [m.nr, m.count])).toEqual([[41, 7], [400, 7], [0, 5]]);
    t.verify();
  });

  it.each(['js', 'js64', 'wasm'] as const)("'*' counts out-of-range numbers until it is switched off; lists never do (%s)", (via) => {
    const t = setup();
    const run = wasmCaller(t.dispatch);
    const beyond = (times: number): void => {
      for (const nr of BEYOND) callVia(t, run, via, nr, times);
    };
    beyond(100); // the hot path answers them, uncounted
    expect(t.stats().outOfRange).toBe(0);

    t.hooks('*', { count: true });
    beyond(1); // counted from the very next call
    expect(t.stats().outOfRange).toBe(BEYOND.length);
    beyond(20);
    expect(t.stats().outOfRange).toBe(21 * BEYOND.length);
    // Every number listed off: out-of-range ones still count ('*' only flips that switch).
    t.hooks(Object.keys(abi.names), { count: false });
    beyond(1);
    expect(t.stats().outOfRange).toBe(22 * BEYOND.length);
    // '*' with other switches only leaves it as it is.
    t.hooks('*', { enter: false });
    beyond(1);
    expect(t.stats().outOfRange).toBe(23 * BEYOND.length);

    t.hooks('*', { count: false });
    beyond(50);
    expect(t.stats().outOfRange).toBe(23 * BEYOND.length);
    // Every number listed on: out-of-range ones stay uncounted.
    t.hooks(Object.keys(abi.names), { count: true });
    beyond(5);
    expect(t.stats().outOfRange).toBe(23 * BEYOND.length);
    expect(t.stats().missing.map((m) => [m.nr, m.count])).toEqual([]);
    t.verify();
  });

  it("'*' counts out-of-range numbers under every out-of-range policy", () => {
    const t = setup();
    const policies = ['enosys', 'throw', 'log-once', (nr: number) => nr] as const;
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const [k, p] of policies.entries()) {
      t.setMissing('*', p);
      const call = (): unknown => {
        try {
          return t.call(1000);
        } catch (e) {
          return (e as { code?: string }).code;
        }
      };
      expect(call()).toBe(p === 'throw' ? 'ENOSYS' : typeof p === 'function' ? 1000 : ENOSYS);
      expect(t.stats().outOfRange).toBe(k);
      t.hooks('*', { count: true });
      call();
      expect(t.stats().outOfRange).toBe(k + 1);
      t.hooks('*', { count: false });
      call();
      expect(t.stats().outOfRange).toBe(k + 1);
    }
    t.verify();
  });

  it("another table in this thread, its hot paths warm and uncounted, sees the '*' flip at its next call", () => {
    const a = setup(3000);
    const b = attach(a.describe(), { threadId: 3001 });
    const runB = wasmCaller(b.dispatch);
    const both = (): Stats => {
      const s = a.stats();
      expect(b.stats()).toEqual(s); // summed over both threads' counters, from either table
      return s;
    };
    for (let i = 0; i < 200; i++) {
      expect(b.call(abi.count)).toBe(ENOSYS);
      expect(b.call(-1)).toBe(ENOSYS);
      expect(runB(abi.count + 1)).toBe(BigInt(ENOSYS));
      expect(b.call(abi.names.read!)).toBe(ENOSYS);
      expect(runB(abi.names.read!)).toBe(BigInt(ENOSYS));
    }
    expect(both()).toEqual(NONE);

    a.hooks('*', { count: true });
    expect(b.call(abi.count)).toBe(ENOSYS);
    expect(both().outOfRange).toBe(1); // B's next call counts
    expect(runB(abi.count + 1)).toBe(BigInt(ENOSYS));
    expect(both().outOfRange).toBe(2); // and so does its WebAssembly path
    for (let i = 0; i < 10; i++) {
      b.call(-1);
      runB(1000);
      b.call(abi.names.read!);
      runB(abi.names.read!);
    }
    expect(a.call(abi.count)).toBe(ENOSYS); // A counts its own
    expect(both()).toEqual({
      calls: [{ nr: 0, name: 'read', calls: 0, errors: 0, enosys: 20 }],
      missing: [{ nr: 0, name: 'read', count: 20 }],
      outOfRange: 23,
    });

    a.hooks('*', { count: false });
    for (let i = 0; i < 50; i++) {
      expect(b.call(abi.count)).toBe(ENOSYS);
      expect(runB(abi.count + 1)).toBe(BigInt(ENOSYS));
      b.call(abi.names.read!);
    }
    expect(both().outOfRange).toBe(23);
    expect(both().missing).toEqual([{ nr: 0, name: 'read', count: 20 }]);

    // And the other way round: B flips, A (warm, uncounted again) sees it.
    for (let i = 0; i < 200; i++) expect(a.call(abi.count + 2)).toBe(ENOSYS);
    b.hooks('*', { count: true });
    expect(a.call(abi.count + 2)).toBe(ENOSYS);
    expect(both().outOfRange).toBe(24);
    b.hooks('*', { count: false });
    a.call(abi.count + 2);
    expect(both().outOfRange).toBe(24);
    a.verify();
    b.verify();
    b.close();
  });
});

// ---- model: random switch flips and calls, the counters predicted ----

const HOOK_TARGETS = [abi.names.read!, abi.names.open!, 400, LAST, SOCKET, WRITE, LSEEK];
const CALL_NRS = [...HOOK_TARGETS, ...BEYOND];

type Op =
  | { op: 'hooks'; by: 0 | 1; targets: number[] | '*'; count: boolean }
  | { op: 'call'; by: 0 | 1; via: 'js' | 'js64' | 'wasm'; nr: number; times: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('hooks' as const),
      by: fc.constantFrom<0 | 1>(0, 1),
      targets: fc.oneof(fc.constant('*' as const), fc.uniqueArray(fc.constantFrom(...HOOK_TARGETS), { minLength: 1, maxLength: 3 })),
      count: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('call' as const),
      by: fc.constantFrom<0 | 1>(0, 1),
      via: fc.constantFrom('js' as const, 'js64' as const, 'wasm' as const),
      nr: fc.constantFrom(...CALL_NRS),
      times: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

/** Which switches are on and what each counter should hold. */
class CountModel {
  counting = new Set<number>(); // in-range numbers whose count switch is on
  oor = false; // the count switch of '*' for out-of-range numbers
  calls = new Map<number, { calls: number; errors: number; enosys: number }>();
  outOfRange = 0;

  hooks(targets: number[] | '*', count: boolean): void {
    const nrs = targets === '*' ? Array.from({ length: abi.count }, (_, i) => i) : targets;
    for (const nr of nrs) (count ? this.counting.add(nr) : this.counting.delete(nr));
    if (targets === '*') this.oor = count;
  }

  call(nr: number, times: number): void {
    if (nr < 0 || nr >= abi.count) {
      if (this.oor) this.outOfRange += times;
      return;
    }
    if (!this.counting.has(nr)) return;
    const c = this.calls.get(nr) ?? { calls: 0, errors: 0, enosys: 0 };
    if (nr === WRITE || nr === LSEEK) c.calls += times;
    else c.enosys += times;
    this.calls.set(nr, c);
  }

  stats(): Stats {
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([nr, c]) => ({ nr, name: abiName(abi, nr), ...c }));
    const missing = calls.filter((c) => c.enosys > 0).map((c) => ({ nr: c.nr, name: c.name, count: c.enosys }));
    missing.sort((a, b) => b.count - a.count || a.nr - b.nr);
    return { calls, missing, outOfRange: this.outOfRange };
  }
}

function runSequence(ops: Op[]): void {
  const a = setup();
  const b = attach(a.describe(), { threadId: 7 });
  b.provide({ name: 'io', handlers: { write: () => 1, lseek: () => 7 } }); // B runs A's module itself (no carried calls in one thread)
  const tables = [a, b] as const;
  const runs = [wasmCaller(a.dispatch), wasmCaller(b.dispatch)] as const;
  const model = new CountModel();
  try {
    for (const [n, op] of ops.entries()) {
      const step = `op ${n} ${JSON.stringify(op)}`;
      if (op.op === 'hooks') {
        tables[op.by].hooks(op.targets, { count: op.count });
        model.hooks(op.targets, op.count);
      } else {
        callVia(tables[op.by], runs[op.by], op.via, op.nr, op.times);
        model.call(op.nr, op.times);
      }
      const want = model.stats();
      expect(a.stats(), step).toEqual(want);
      expect(b.stats(), step).toEqual(want);
    }
    a.verify();
  } finally {
    b.close();
    a.close();
  }
}

describe('model: count switches and missing calls', () => {
  it('agrees with a plain model of the counters on 300 random sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => runSequence(ops)),
      { numRuns: 300, seed: 0xc0a7ed, endOnFailure: false },
    );
  });

  it('agrees on a hand-written sequence: flips between warm calls, by both tables', () => {
    runSequence([
      { op: 'call', by: 1, via: 'js', nr: abi.count, times: 4 },
      { op: 'call', by: 1, via: 'wasm', nr: -1, times: 4 },
      { op: 'hooks', by: 0, targets: '*', count: true },
      { op: 'call', by: 1, via: 'js', nr: abi.count, times: 1 },
      { op: 'call', by: 1, via: 'wasm', nr: 1000, times: 2 },
      { op: 'call', by: 0, via: 'js64', nr: 400, times: 3 },
      { op: 'hooks', by: 1, targets: [400, WRITE], count: false },
      { op: 'call', by: 0, via: 'js', nr: 400, times: 2 },
      { op: 'call', by: 0, via: 'wasm', nr: LSEEK, times: 2 },
      { op: 'call', by: 1, via: 'js', nr: abi.count + 6, times: 1 },
      { op: 'hooks', by: 1, targets: '*', count: false },
      { op: 'call', by: 0, via: 'js', nr: abi.count, times: 3 },
      { op: 'call', by: 1, via: 'wasm', nr: SOCKET, times: 3 },
      { op: 'hooks', by: 0, targets: [SOCKET], count: true },
      { op: 'call', by: 1, via: 'wasm', nr: SOCKET, times: 1 },
      { op: 'call', by: 0, via: 'js', nr: 0x7fffffff, times: 1 },
    ]);
  });
});
