// Carried calls, the home's side: this thread runs the calls other threads
// posted to it (see call-records.ts for the records' states), and an idle
// thread is kept answering by a watch on its doorbell.
import * as L from '../assembly/layout.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';
import { localFn, type Code } from './code.js';
import { holdFor } from './pending.js';
import { recordAt, ring, spinFor, waitAsyncOf } from './call-records.js';
import { workerWord } from './records.js';
import { SystabError } from './errors.js';
import { show } from './handlers.js';
import { blockingAllowed } from './blocking.js';

/** Runs every call carried to this thread that is waiting. */
export function serveCarried(t: Thread, code: Code): void {
  const v = t.v;
  const n = v.i32[L.H_MAXW]!;
  const nc = v.at.ncalls;
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < nc; k++) {
      const rec = recordAt(v, c, k);
      // A call posted to an earlier holder of this worker index is not ours: its caller sees that home gone.
      if (v.i32[rec + L.CR_TARGET] !== v.me || v.i32[rec + L.CR_GEN] !== v.claimGen || Atomics.load(v.i32, rec + L.CR_STATE) !== L.CS_POSTED) continue;
      if (Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_POSTED, L.CS_TAKEN) !== L.CS_POSTED) continue;
      // The target read above may predate a reuse of the record; while it is
      // taken nobody rewrites it, so read it again and hand back a call meant for another thread.
      const target = Atomics.load(v.i32, rec + L.CR_TARGET);
      if (target !== v.me || Atomics.load(v.i32, rec + L.CR_GEN) !== v.claimGen) {
        // A CAS: the core may have abandoned it meanwhile (its caller's record was freed).
        Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_TAKEN, L.CS_POSTED);
        if (target >>> 0 < n >>> 0) ring(v, target);
        continue;
      }
      runCarried(t, code, rec, c);
    }
  }
}

function runCarried(t: Thread, code: Code, rec: number, caller: number): void {
  const v = t.v;
  const id = v.i32[rec + L.CR_HANDLER]!;
  const a = (rec + L.CR_ARGS) >> 1;
  const f64 = v.f64;
  let f: Function | undefined;
  try {
    f = id >>> 0 < v.i32[L.H_MAXH]! >>> 0 ? localFn(code, id) : undefined;
  } catch {
    return reply(v, rec, caller, L.CE_THREW, 0); // a wrap factory threw making this thread's function
  }
  if (f === undefined) return reply(v, rec, caller, L.CE_NOCODE, 0);
  let r: unknown;
  const outer = t.carriedFrom; // a carried call served while a handler of one waits
  const outerId = t.carriedId;
  t.depth++;
  t.carriedFrom = caller;
  t.carriedId = v.i32[workerWord(v, caller, L.WR_ID)]!; // now: the record may change hands while the call runs
  try {
    r = f(f64[a]!, f64[a + 1]!, f64[a + 2]!, f64[a + 3]!, f64[a + 4]!, f64[a + 5]!);
  } catch {
    return reply(v, rec, caller, L.CE_THREW, 0);
  } finally {
    t.depth--;
    t.carriedFrom = outer;
    t.carriedId = outerId;
  }
  if (typeof r === 'number') return reply(v, rec, caller, L.CE_OK, r);
  // A promise: the record stays TAKEN (and so holds its handler) until it settles.
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
    // Held until it settles, after the reply (reactions run in order): a home
    // whose record were freed first would be "gone" to its caller, who would
    // free and reuse the record this answer is written into.
    const answered = (r as Promise<unknown>).then(
      (x) => reply(v, rec, caller, typeof x === 'number' ? L.CE_OK : L.CE_BADRESULT, typeof x === 'number' ? x : 0),
      () => reply(v, rec, caller, L.CE_THREW, 0),
    );
    holdFor(code.pending, answered);
    return;
  }
  reply(v, rec, caller, L.CE_BADRESULT, 0);
}

function reply(v: View, rec: number, caller: number, err: number, value: number): void {
  v.i32[rec + L.CR_ERR] = err;
  v.f64[(rec + L.CR_RESULT) >> 1] = value;
  if (Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_TAKEN, L.CS_DONE) !== L.CS_TAKEN) {
    Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_ABANDONED, L.CS_FREE); // abandoned by its caller
  }
  ring(v, caller);
}

/**
 * poll() from the event loop, where nothing is on this thread's stack: no
 * call is in progress, so a depth word a trapping WebAssembly handler left
 * raised (a trap unwinds past the core's lowering) is reset.
 */
function idlePoll(t: { readonly v: View; poll(): void }): void {
  const at = workerWord(t.v, t.v.me, L.WR_DEPTH);
  if (t.v.i32[at] !== 0) t.v.i32[at] = 0;
  t.poll();
}

/**
 * Keeps an idle thread responsive: when its doorbell rings and it is in the
 * event loop, poll() (idlePoll()). The watcher holds the table weakly (a
 * thread that loaded a module keeps it strongly: evict.ts keepHome()): a table nobody
 * references any more is collected (its worker record is then held until
 * the thread ends or someone evicts it; close() gives it back at once).
 */
export function watchDoorbell(t: { readonly v: View; readonly closed: boolean; poll(): void }): void {
  const wa = waitAsyncOf();
  if (!t.v.shared) return;
  const ref = new WeakRef(t);
  const live = (): typeof t | undefined => {
    const table = ref.deref();
    return table === undefined || table.closed ? undefined : table;
  };
  if (wa === undefined) {
    const timer = setInterval(() => {
      const table = live();
      if (table === undefined) clearInterval(timer);
      else idlePoll(table);
    }, 5);
    (timer as unknown as { unref?: () => void }).unref?.();
    return;
  }
  const i32 = t.v.i32;
  const at = t.v.wakeAt;
  // Wait on the value seen before polling: a ring during the poll is not lost.
  const arm = (seen: number): void => {
    // With a timeout: a wake-up the host delivers late (or never) costs at most that.
    const r = wa(i32, at, seen, 100);
    const next = (): void => {
      const table = live();
      if (table === undefined) return;
      const v = Atomics.load(i32, at);
      try {
        idlePoll(table);
      } finally {
        arm(v); // whatever a served call did, the watch goes on
      }
    };
    if (r.async) (r.value as Promise<unknown>).then(next);
    else queueMicrotask(next);
  };
  arm(Atomics.load(i32, at));
}

/** Table.listen(): serves calls carried here, blocking between them, until `quietMs` pass with none (at once where this thread may not block). */
export function serveUntilQuiet(t: { readonly v: View; readonly closed: boolean; poll(): void }, quietMs: number): void {
  const v = t.v;
  if (typeof quietMs !== 'number' || !(quietMs >= 0)) throw new SystabError('EBADSPEC', `listen() takes milliseconds >= 0 (got ${show(quietMs)})`);
  if (!v.shared || !blockingAllowed(v.i32)) return;
  for (;;) {
    const seen = Atomics.load(v.i32, v.wakeAt);
    t.poll();
    if (t.closed) return;
    if (!spinFor(v, v.wakeAt, seen, 0.05) && Atomics.wait(v.i32, v.wakeAt, seen, quietMs) === 'timed-out') return;
  }
}
