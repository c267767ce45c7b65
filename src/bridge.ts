// The core calling JS: the handlers WebAssembly's dispatch reaches through
// call_indirect (js_call, js_call64), and its slow path (js_slow), which
// goes through the Table's call() or call64(). The core calls these between raising this thread's depth word
// and lowering it; an exception unwinds through the core and skips the
// lowering (and the error count), so they do both before it leaves.
import * as L from '../assembly/layout.js';
import { entryOf, exact, resolve, type Code } from './code.js';
import { slotOf } from './slots.js';
import type { View } from './view.js';
import { handlerWord, workerWord } from './records.js';
import { badResult, toResult64, truncSat } from './results.js';
import { ANY, carryingAs, type Carrier } from './proxy.js';
import type { Timer } from './thread.js';

/** js_call: a JS handler `id` this thread resolved, with numbers. `counters` is this thread's stripe. */
export function jsCall(c: Code, counters: Int32Array, id: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  let r;
  try {
    r = c.fns[id]!(a0, a1, a2, a3, a4, a5);
  } catch (e) {
    throw unwinding(c, counters, id, e);
  }
  if (typeof r === 'number') return r; // the core truncates and saturates it (i64.trunc_sat_f64_s)
  throw unwinding(c, counters, id, badResult(c.v.map, c.v.i32[handlerWord(c.v, id, L.HR_SLOT)]!, r));
}

/** js_call64: a handler that takes exact 64-bit values, or another with its arguments as numbers. */
export function jsCall64(c: Code, counters: Int32Array, id: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
  let r;
  try {
    const entry = entryOf(c, id);
    if (entry === undefined) return BigInt(c.fns[id]!(Number(a0), Number(a1), Number(a2), Number(a3), Number(a4), Number(a5)));
    r = (entry.fn as Function)(a0, a1, a2, a3, a4, a5);
  } catch (e) {
    throw unwinding(c, counters, id, e);
  }
  // An exact handler answers WebAssembly as it answers call64().
  try {
    return toResult64(r, c.v.map, c.v.i32[handlerWord(c.v, id, L.HR_SLOT)]!);
  } catch (e) {
    throw unwinding(c, counters, id, e);
  }
}

/** An exception leaves a handler the core called: lower the depth word, count the error if counting; returns `e`. */
function unwinding(c: Code, counters: Int32Array, id: number, e: unknown): unknown {
  const v = c.v;
  v.i32[workerWord(v, v.me, L.WR_DEPTH)]!--;
  const slot = v.i32[handlerWord(v, id, L.HR_SLOT)]!;
  if ((Atomics.load(v.i32, v.at.slots + slot) & L.HOOK_COUNT) !== 0) counters[slot * L.C_WORDS + L.C_ERRORS]!++;
  return e;
}

/** js_slow: the core's dispatch found no handler it may call directly; this thread's doorbell has been looked at. */
export function wasmSlow(t: { readonly v: View; readonly carrier: Carrier; call(nr: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): unknown; call64(nr: number, a0?: bigint, a1?: bigint, a2?: bigint, a3?: bigint, a4?: bigint, a5?: bigint): bigint }, c: Code, nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
  const v = t.v;
  const slot = slotOf(v.map, nr);
  const id = slot < 0 ? 0 : Atomics.load(v.i32, v.at.slots + slot) & L.ID_MASK;
  if (id !== 0) {
    resolve(c, id); // the core calls it directly from now on
    // Handlers that take exact 64-bit values get them from WebAssembly too.
    if (exact(c, id) !== undefined) return t.call64(nr, a0, a1, a2, a3, a4, a5);
  }
  const r: unknown = carryingAs(t.carrier, ANY, () => t.call(nr, Number(a0), Number(a1), Number(a2), Number(a3), Number(a4), Number(a5)));
  if (typeof r === 'number') return truncSat(r); // as the core does with a JS handler's answer
  throw badResult(v.map, slot, r); // a promise included: WebAssembly cannot wait for it
}

/** js_timed: a call the core's counted path timed from `t0` (performance.now()), its count before it `n`; answers the core's next countdown. */
export function sampled(tm: Timer | undefined, slot: number, t0: number, n: number): number {
  if (tm === undefined) return 0x7fffffff;
  tm.timed(slot, performance.now() - t0, n >>> 0 < L.SAMPLE_FIRST);
  return tm.next();
}
