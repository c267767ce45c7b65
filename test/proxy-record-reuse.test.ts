// A home thread that takes a carried call re-reads its target after taking
// it: between its first look and its take, the caller may have seen the call
// answered, freed the record and posted it again for another thread. That
// call is handed back, untouched, to the thread it is meant for.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attach, createTable, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { regions } from './helpers/regions.js';

const GETPID = abi.names.getpid!;
const GETUID = abi.names.getuid!;

/** Three tables on one memory, in this thread: A and B are homes, C the caller whose record is reused. */
function setup() {
  const a = createTable({ abi, threadId: 1000 });
  const b = attach(a.describe(), { threadId: 1001 });
  const c = attach(a.describe(), { threadId: 1002 });
  const ran = { pidOnA: 0, uidOnA: 0, uidOnB: 0 };
  a.load({ name: 'a', handlers: { getpid: () => (++ran.pidOnA, 42) } });
  b.load({ name: 'b', handlers: { getuid: () => (++ran.uidOnB, 7) } });
  // A has code for B's module too: without the re-read it would run B's call here.
  a.provide({ name: 'b', handlers: { getuid: () => (++ran.uidOnA, 8) } });
  for (const t of [a, b, c]) t.poll();

  const r = regions(a);
  const i32 = r.i32;
  const f64 = new Float64Array(i32.buffer, 0, i32.length >> 1);
  const worker = (threadId: number): number => {
    for (let w = 0; w < i32[L.H_MAXW]!; w++) {
      const at = r.workers + w * L.WR_WORDS;
      if (i32[at + L.WR_STATE] !== L.WS_FREE && i32[at + L.WR_ID] === threadId) return w;
    }
    throw new Error(`no worker ${threadId}`);
  };
  const [wa, wb, wc] = [worker(1000), worker(1001), worker(1002)];
  const bell = (w: number): number => Atomics.load(i32, r.workers + w * L.WR_WORDS + L.WR_WAKE);
  const rec = callsAt(a) + wc * i32[L.H_CALLS]! * L.CR_WORDS; // C's first record
  const handlerOf = (nr: number): number => i32[r.slots + nr - abi.base]! & L.ID_MASK;

  /** Writes the record as C's post() does: filled, then POSTED. */
  const post = (target: number, nr: number, args: number[]): void => {
    Atomics.store(i32, rec + L.CR_STATE, L.CS_FILLING);
    i32[rec + L.CR_TARGET] = target;
    i32[rec + L.CR_HANDLER] = handlerOf(nr);
    i32[rec + L.CR_NR] = nr;
    i32[rec + L.CR_ERR] = 0;
    i32[rec + L.CR_GEN] = i32[r.workers + target * L.WR_WORDS + L.WR_GEN]!; // the home's claim
    for (let k = 0; k < 6; k++) f64[((rec + L.CR_ARGS) >> 1) + k] = args[k] ?? 0;
    Atomics.store(i32, rec + L.CR_STATE, L.CS_POSTED);
  };

  /** A.poll(), calling `between` just before A's take (the CAS POSTED -> TAKEN) of the record; how many takes it saw. */
  const pollA = (between: () => void): number => {
    const cas = Atomics.compareExchange;
    let takes = 0;
    const spy = vi.spyOn(Atomics, 'compareExchange').mockImplementation(((arr: Int32Array, i: number, from: number, to: number) => {
      if (arr.buffer === i32.buffer && i === rec + L.CR_STATE && from === L.CS_POSTED && to === L.CS_TAKEN) {
        takes++;
        between();
      }
      return cas(arr, i, from, to);
    }) as typeof Atomics.compareExchange);
    try {
      a.poll();
    } finally {
      spy.mockRestore();
    }
    return takes;
  };

  const state = () => ({
    state: Atomics.load(i32, rec + L.CR_STATE),
    target: i32[rec + L.CR_TARGET],
    err: i32[rec + L.CR_ERR],
    result: f64[(rec + L.CR_RESULT) >> 1],
  });
  return { a, b, c, ran, wa, wb, wc, bell, post, pollA, state, free: () => Atomics.store(i32, rec + L.CR_STATE, L.CS_FREE) };
}

/** The calls region (in words), asked of a spare instance of the table's core, as helpers/regions.ts does. */
function callsAt(t: Table): number {
  const { memory, module } = t.describe();
  const env: Record<string, unknown> = { memory };
  for (const imp of WebAssembly.Module.imports(module)) if (imp.module === 'env' && imp.kind === 'function') env[imp.name] = () => 0;
  return (new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports }).exports.callsAt as () => number)();
}

let open: Table[] = [];
afterEach(() => {
  for (const t of open) t.close();
  open = [];
});

describe('a carried-call record reused between look and take', () => {
  it('control: a call posted to this thread runs here once', () => {
    const s = setup();
    open = [s.a, s.b, s.c];
    s.post(s.wa, GETPID, [1, 2, 3]);
    const callerBell = s.bell(s.wc);
    expect(s.pollA(() => {})).toBe(1);
    expect(s.ran).toEqual({ pidOnA: 1, uidOnA: 0, uidOnB: 0 });
    expect(s.state()).toEqual({ state: L.CS_DONE, target: s.wa, err: L.CE_OK, result: 42 });
    expect(s.bell(s.wc)).toBe(callerBell + 1);
    s.a.poll(); // a DONE record is not run again
    expect(s.ran.pidOnA).toBe(1);
    s.free(); // as the caller's finish() does
    s.a.verify();
  });

  it('is handed back to the thread it is now meant for, which runs it', () => {
    const s = setup();
    open = [s.a, s.b, s.c];
    s.post(s.wa, GETPID, [1, 2, 3]);
    const bBell = s.bell(s.wb);
    // A read "target: A, POSTED"; before its take, the call was answered and
    // freed, and C posted getuid (home B) in the same record.
    const takes = s.pollA(() => {
      s.free();
      s.post(s.wb, GETUID, [4, 5, 6]);
    });
    expect(takes).toBe(1);
    expect(s.ran).toEqual({ pidOnA: 0, uidOnA: 0, uidOnB: 0 });
    expect(s.state()).toMatchObject({ state: L.CS_POSTED, target: s.wb });
    expect(s.bell(s.wb)).toBe(bBell + 1);

    // B, rung, takes it and answers C.
    const callerBell = s.bell(s.wc);
    s.b.poll();
    expect(s.ran).toEqual({ pidOnA: 0, uidOnA: 0, uidOnB: 1 });
    expect(s.state()).toEqual({ state: L.CS_DONE, target: s.wb, err: L.CE_OK, result: 7 });
    expect(s.bell(s.wc)).toBe(callerBell + 1);
    s.free();
    s.a.verify();
  });
});
