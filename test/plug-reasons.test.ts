// Plug reasons: the table owns why a slot's HOOK_TRACE and HOOK_COUNT bits
// are on. The core's plugSet(slot, reason, on) keeps HOOK_TRACE equal to
// (reasons & PR_PLUGS != 0) and HOOK_COUNT to (reasons & PR_COUNTS != 0)
// however threads interleave (hooks()' count switch is reason PR_COUNT_HOOKS);
// checked against a model of each (slot, reason) pair's last write, with this
// thread and two workers calling at once, and against trace and a second
// capability sharing a slot.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attach, createTable, type Table } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { PLUG_SECCOMP, PLUG_TRACE, plugReasons, setPlug } from '../src/plugs.js';
import type { View } from '../src/view.js';
import { coreVerify } from './helpers/regions.js';

const view = (t: Table): View => (t as unknown as { v: View }).v;
const word = (t: Table, slot: number): number => Atomics.load(view(t).i32, view(t).at.slots + slot);
const reasons = (t: Table, slot: number): number => Atomics.load(view(t).u8, view(t).at.reasons + slot);
const trace = (t: Table, slot: number): boolean => (word(t, slot) & L.HOOK_TRACE) !== 0;
const counting = (t: Table, slot: number): boolean => (word(t, slot) & L.HOOK_COUNT) !== 0;
/** Whether both bits are what the slot's reasons say. */
const inStep = (t: Table, slot: number): boolean => trace(t, slot) === ((reasons(t, slot) & L.PR_PLUGS) !== 0) && counting(t, slot) === ((reasons(t, slot) & L.PR_COUNTS) !== 0);

describe('plugSet: the trace bit follows the reasons', () => {
  it('one thread: set and clear reasons in any order; the bit is on while any is; hooksSet cannot touch it', () => {
    const t = createTable({ abi });
    const core = view(t).core;
    core.plugSet(5, 1, 1);
    core.plugSet(5, 2, 1);
    expect(trace(t, 5)).toBe(true);
    core.plugSet(5, 1, 0);
    expect(trace(t, 5)).toBe(true);
    // hooks('*', 'none')'s way of clearing every switch leaves the plug's bit alone, and cannot set it either.
    core.hooksSet(5, 0, L.HOOK_MASK);
    core.hooksSet(6, L.HOOK_MASK, 0);
    expect(trace(t, 5)).toBe(true);
    expect(trace(t, 6)).toBe(false);
    expect(word(t, 6) & L.HOOK_MASK).toBe(L.HOOK_MASK & ~L.HOOK_TRACE);
    core.plugSet(5, 2, 0);
    expect(trace(t, 5)).toBe(false);
    expect(reasons(t, 5)).toBe(0);
    t.verify();
  });

  it('verify() names a slot whose bit and reasons disagree (either way)', () => {
    const t = createTable({ abi });
    const v = view(t);
    Atomics.or(v.i32, v.at.slots + 39, L.HOOK_TRACE);
    expect(() => t.verify()).toThrow(expect.objectContaining({ code: 'ELAYOUT' }));
    expect(() => t.verify()).toThrow('verify: slot getpid (39) has its trace bit (HOOK_TRACE) or count bit (HOOK_COUNT) and its reasons out of step (each bit is on exactly while a reason for it is)');
    Atomics.and(v.i32, v.at.slots + 39, ~L.HOOK_TRACE);
    t.verify();
    Atomics.store(v.u8, v.at.reasons + 40, L.PR_SECCOMP);
    expect(() => t.verify()).toThrow(/slot \w+ \(40\) has its trace bit/);
    expect(coreVerify(t.describe().module, t.describe().memory) >>> L.V_CODE_SHIFT).toBe(L.V_PLUG);
    // plugSet mends it: the bit follows the reasons whatever they were.
    v.core.plugSet(40, PLUG_SECCOMP, 1);
    t.verify();
  });

  it('attach() refuses a table whose slot holds the bit and its reasons apart (EATTACH naming the slot), after looking again', () => {
    const t = createTable({ abi });
    const v = view(t);
    Atomics.store(v.u8, v.at.reasons + 39, L.PR_TRACE);
    const t0 = performance.now();
    expect(() => attach(t.describe())).toThrow(expect.objectContaining({ code: 'EATTACH', message: expect.stringContaining('slot getpid (39) has its trace bit (HOOK_TRACE) or count bit (HOOK_COUNT) and its reasons out of step') }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100); // the damage outlived a plugSet() in progress
  });

  it('setPlug takes PLUG_TRACE, PLUG_SECCOMP or PLUG_THREAD on one of the table\'s slots; other bits are reserved', () => {
    const t = createTable({ abi });
    expect(() => setPlug(view(t), 1, 8, true)).toThrow(/reason 8 is not PLUG_TRACE \(1\), PLUG_SECCOMP \(2\), PLUG_THREAD \(4\) or COUNT_SUMMARY \(128\)/);
    expect(() => setPlug(view(t), view(t).map.total, 1, true)).toThrow(/slot \d+ is not one of this table's/);
    expect(() => setPlug(view(t), 1.5, 1, true)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    setPlug(view(t), view(t).map.total - 1, PLUG_SECCOMP, true);
    expect(trace(t, view(t).map.total - 1)).toBe(true);
    expect(plugReasons(view(t), view(t).map.total - 1)).toBe(PLUG_SECCOMP);
    t.verify();
  });
});

describe('trace and a second reason on one slot', () => {
  it("select('none') leaves the bit on while reason 2 holds it; clearing reason 2 then turns it off", () => {
    const t = createTable({ abi });
    const tr = traceTable(t, { sink: () => {} });
    const v = view(t);
    const GETPID = abi.names.getpid! - abi.base;
    tr.select(['getpid']);
    expect(trace(t, GETPID)).toBe(true);
    setPlug(v, GETPID, PLUG_SECCOMP, true);
    expect(plugReasons(v, GETPID)).toBe(PLUG_TRACE | PLUG_SECCOMP);
    tr.select('none');
    expect(trace(t, GETPID)).toBe(true);
    expect(plugReasons(v, GETPID)).toBe(PLUG_SECCOMP);
    t.verify();
    // and trace switching on and off again does not clear seccomp's
    tr.select(['getpid']);
    tr.select('none');
    expect(trace(t, GETPID)).toBe(true);
    setPlug(v, GETPID, PLUG_SECCOMP, false);
    expect(trace(t, GETPID)).toBe(false);
    expect(plugReasons(v, GETPID)).toBe(0);
    // the other way round: seccomp going does not end trace's
    tr.select(['getpid']);
    setPlug(v, GETPID, PLUG_SECCOMP, true);
    setPlug(v, GETPID, PLUG_SECCOMP, false);
    expect(trace(t, GETPID)).toBe(true);
    tr.select('none');
    expect(trace(t, GETPID)).toBe(false);
    t.verify();
    tr.close();
  });
});

describe('the count switch has owners too: hooks() and the summary', () => {
  it('each keeps it on while the other switches off; neither touches the trace bit', () => {
    const t = createTable({ abi });
    const v = view(t);
    const GETPID = 39;
    const tr = traceTable(t);
    t.hooks(['getpid'], { count: true });
    tr.summary(['getpid']);
    expect(reasons(t, GETPID)).toBe(L.PR_COUNT_HOOKS | L.PR_COUNT_SUMMARY);
    t.hooks(['getpid'], { count: false });
    expect(counting(t, GETPID)).toBe(true); // the summary still counts it
    expect(trace(t, GETPID)).toBe(false); // a summary alone takes no plug: its calls stay on the counted path
    tr.summary(false);
    expect(counting(t, GETPID)).toBe(false);
    tr.summary(['getpid']);
    t.hooks('*', { count: true });
    tr.summary(false);
    expect(counting(t, GETPID)).toBe(true); // hooks()' own switch outlives the summary
    expect(reasons(t, GETPID)).toBe(L.PR_COUNT_HOOKS);
    t.hooks('*', { count: false });
    expect(counting(t, GETPID)).toBe(false);
    expect(plugReasons(v, GETPID)).toBe(0);
    t.verify();
    tr.close();
  });

  it('verify() names a slot whose count bit and reasons disagree', () => {
    const t = createTable({ abi });
    const v = view(t);
    Atomics.store(v.u8, v.at.reasons + 39, L.PR_COUNT_SUMMARY);
    expect(() => t.verify()).toThrow(expect.objectContaining({ code: 'ELAYOUT' }));
    expect(coreVerify(t.describe().module, t.describe().memory) >>> L.V_CODE_SHIFT).toBe(L.V_PLUG);
    v.core.plugSet(39, L.PR_COUNT_SUMMARY, 1); // mends it
    t.verify();
  });
});

describe('plugSet from three threads at once', () => {
  type Op = [slot: number, reason: number, on: boolean];
  let t: Table;
  let workers: Worker[];
  let slots: number[];

  beforeAll(async () => {
    t = createTable({ abi, maxWorkers: 4 });
    const total = view(t).map.total;
    // Main-range slots and the last of the extra ranges.
    slots = [0, 1, 2, 3, total - 1];
    workers = [0, 1].map(() => new Worker(new URL('./workers/plug-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), barrier: bar.buffer } }));
    await Promise.all(workers.map((w) => new Promise((ok, no) => { w.once('message', ok); w.once('error', no); })));
  });
  afterAll(async () => {
    for (const w of workers) w.postMessage({ close: true });
    await Promise.all(workers.map((w) => new Promise((ok) => w.once('exit', ok))));
    t.close();
  });

  // Each thread runs its list this many times over, between barriers (the
  // last write of each pair is the same each time): after each time, with
  // every thread stopped, the bit must equal reasons != 0 on every slot.
  const REPEAT = 40;
  const bar = new Int32Array(new SharedArrayBuffer(4));
  const barrier = (n: number): void => {
    if (Atomics.add(bar, 0, 1) + 1 === n * 3) Atomics.notify(bar, 0);
    for (let spin = 0; ; spin++) {
      const c = Atomics.load(bar, 0);
      if (c >= n * 3) return;
      if (spin > 2000) Atomics.wait(bar, 0, c, 10);
    }
  };
  /** Runs each thread's ops at once (this thread's are ops[0]); returns the slots found out of step between times. */
  async function race(ops: Op[][]): Promise<string[]> {
    Atomics.store(bar, 0, 0);
    const done = workers.map((w) => new Promise((ok) => w.once('message', ok)));
    workers.forEach((w, k) => w.postMessage({ ops: ops[k + 1], repeat: REPEAT, threads: 3 }));
    const core = view(t).core;
    const bad: string[] = [];
    let n = 0;
    for (let k = 0; k < REPEAT; k++) {
      barrier(++n);
      for (const [slot, reason, on] of ops[0]!) {
        core.plugSet(slot, reason, on ? 1 : 0);
        // hooksSet racing on the same words must leave the trace bit alone; its count switch is its own reason (PR_COUNT_HOOKS)
        core.hooksSet(slot, L.HOOK_COUNT | L.HOOK_TRACE, 0);
        core.hooksSet(slot, 0, L.HOOK_COUNT | L.HOOK_TRACE);
      }
      barrier(++n);
      for (const s of slots) if (!inStep(t, s)) bad.push(`time ${k} slot ${s}: word 0x${word(t, s).toString(16)} reasons 0x${reasons(t, s).toString(16)}`);
    }
    core.publish();
    await Promise.all(done);
    return bad;
  }

  function clearAll(): void {
    for (const s of slots) view(t).core.plugSet(s, L.PR_REASONS, 0);
  }

  function consistent(): void {
    t.verify();
    for (const s of slots) expect(inStep(t, s), `slot ${s}`).toBe(true);
  }

  // Every reason bit but hooks()' own count (bit 6: this thread's hooksSet() writes it meanwhile).
  const op = (n: number) => fc.tuple(fc.nat(n - 1), fc.constantFrom(0, 1, 2, 3, 4, 5, 7), fc.boolean());

  it('each (slot, reason) owned by one thread: the reasons and the bit end as a model of the last writes says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(5), { minLength: 50, maxLength: 300 }), async (raw) => {
        clearAll();
        const ops: Op[][] = [[], [], []];
        const model = new Map<number, number>();
        for (const [si, bit, on] of raw) {
          const slot = slots[si]!;
          ops[(si + bit) % 3]!.push([slot, 1 << bit, on]);
          model.set(slot, on ? (model.get(slot) ?? 0) | (1 << bit) : (model.get(slot) ?? 0) & ~(1 << bit));
        }
        expect(await race(ops)).toEqual([]);
        consistent();
        for (const s of slots) {
          expect(reasons(t, s) & L.PR_REASONS, `slot ${s}`).toBe(model.get(s) ?? 0);
          expect(trace(t, s)).toBe(((model.get(s) ?? 0) & L.PR_PLUGS) !== 0);
          expect(counting(t, s)).toBe(((model.get(s) ?? 0) & L.PR_COUNTS) !== 0);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('any thread on any pair, the same reasons from all three: verify() passes and the bits equal what the reasons say', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(2), op(5)), { minLength: 50, maxLength: 300 }), async (raw) => {
        clearAll();
        const ops: Op[][] = [[], [], []];
        // Mostly one reason on one slot: the densest race.
        for (const [k, [si, bit, on]] of raw) ops[k]!.push([slots[si % 2]!, bit % 2 === 0 ? L.PR_TRACE : L.PR_COUNT_SUMMARY, on]);
        expect(await race(ops)).toEqual([]);
        consistent();
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
