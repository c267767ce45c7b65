// Carried calls: a thread with no code for a handler posts the call to the
// handler's home thread through shared memory and waits on its own doorbell
// word. While it waits it serves calls carried to it, so a thread that calls
// into itself, or two threads that call into each other, cannot deadlock.
//
// A call record (per caller, H_CALLS of them) moves:
//   FREE -> FILLING -> POSTED          the caller alone
//   POSTED -> TAKEN -> DONE            the home alone (TAKEN -> POSTED: a call meant for another thread, handed back)
//   DONE -> FREE                       the caller, taking the answer
//   POSTED -> FREE                     the caller withdraws it: it never ran
//   TAKEN -> ABANDONED                 the caller gave up while it runs; the home frees it when it ends
//   TAKEN -> FREE                      the caller, once the home's record is gone (the home died mid-call)
//   ABANDONED -> FREE                  the caller, when it needs a record and that home has gone
//   any -> FREE / ABANDONED            the core, when the caller's worker record is freed or claimed anew
// A record names its home by worker index and claim generation (the handler
// record's HR_HOME, HR_HOMEGEN): a thread that claims that index later takes
// none of them, and their callers see the home gone.
// A record that is POSTED, TAKEN or ABANDONED holds its handler: unload and
// replace wait until no record names it (inFlight()), so a call carried
// before a change runs the old handler to its end before the change resolves.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { blockingAllowed } from './blocking.js';
import { describeSlot } from './slots.js';
import type { Table } from './table.js';
import { handlerWord, workerWord } from './records.js';
import { show } from './handlers.js';
import { leaseWatch } from './lease.js';

const now = (): number => performance.now();

function recordAt(t: Table, worker: number, k: number): number {
  return t.at.calls + (worker * t.at.ncalls + k) * L.CR_WORDS;
}

/** Rings worker `w`'s doorbell. */
export function ring(t: Table, w: number): void {
  const at = workerWord(t, w, L.WR_WAKE);
  Atomics.add(t.i32, at, 1);
  Atomics.notify(t.i32, at);
}

/** The home's worker record was freed or claimed by another thread since the call was posted. */
function homeGone(t: Table, home: number, gen: number): boolean {
  return Atomics.load(t.i32, workerWord(t, home, L.WR_STATE)) === L.WS_FREE || Atomics.load(t.i32, workerWord(t, home, L.WR_GEN)) !== gen;
}

/** The home is gone, or a terminate() of it was asked for (it may run a moment more, but takes no new call). */
function homeGoing(t: Table, home: number, gen: number): boolean {
  return homeGone(t, home, gen) || Atomics.load(t.i32, workerWord(t, home, L.WR_DYING)) === gen;
}

interface Posted {
  rec: number;
  home: number;
  gen: number;
  id: number;
  deadline: number;
}

/** The arguments as the f64s a record carries, or EBADARG before any record is touched. */
function carriedArgs(t: Table, id: number, args: readonly unknown[]): number[] {
  const out = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 6; i++) {
    const a = args[i];
    if (typeof a === 'number') out[i] = a;
    else if (a !== undefined) {
      const label = describeSlot(t.map, t.i32[handlerWord(t, id, L.HR_SLOT)]!);
      throw new SystabError('EBADARG', `argument ${i} of ${label} is carried to another thread as a number (got ${show(a)})`);
    }
  }
  return out;
}

/**
 * Posts a call to handler `id`'s home: the record, a number to answer at
 * once (ENOSYS: no home), or undefined when all of this thread's records are
 * in use (the caller waits for one, within the call's timeout).
 */
function post(t: Table, id: number, nr: number, args: readonly number[], deadline: number): Posted | number | undefined {
  const home = t.i32[handlerWord(t, id, L.HR_HOME)]!;
  if (home === t.me || home >>> 0 >= t.i32[L.H_MAXW]! >>> 0) return t.abi.enosys;
  // The home is the thread that loaded it, not whichever thread holds its worker index now.
  const gen = t.i32[handlerWord(t, id, L.HR_HOMEGEN)]!;
  if (homeGoing(t, home, gen)) return t.abi.enosys;
  for (let k = 0; k < t.at.ncalls; k++) {
    const rec = recordAt(t, t.me, k);
    // A call abandoned while it ran, whose home has gone since, will never be freed by it: it is ours again.
    if (Atomics.load(t.i32, rec + L.CR_STATE) === L.CS_ABANDONED && recordHomeGone(t, rec)) Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_ABANDONED, L.CS_FREE);
    if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_FREE, L.CS_FILLING) !== L.CS_FREE) continue;
    t.i32[rec + L.CR_TARGET] = home;
    t.i32[rec + L.CR_HANDLER] = id;
    t.i32[rec + L.CR_NR] = nr;
    t.i32[rec + L.CR_ERR] = 0;
    t.i32[rec + L.CR_GEN] = gen;
    const a = (rec + L.CR_ARGS) >> 1;
    for (let i = 0; i < 6; i++) t.f64[a + i] = args[i]!;
    Atomics.store(t.i32, rec + L.CR_STATE, L.CS_POSTED);
    ring(t, home);
    return { rec, home, gen, id, deadline };
  }
  return undefined;
}

function errno(t: Table, name: string): number {
  const v = t.abi.errno[name] ?? t.abi.errno[name.toLowerCase()];
  if (v === undefined) return t.abi.enosys;
  return t.abi.convention === 'negative' ? -v : v;
}

/** Takes the result out of a DONE record and frees it. */
function finish(t: Table, p: Posted): number {
  const err = t.i32[p.rec + L.CR_ERR]!;
  const r = t.f64[(p.rec + L.CR_RESULT) >> 1]!;
  Atomics.store(t.i32, p.rec + L.CR_STATE, L.CS_FREE);
  if (err === L.CE_OK) return r;
  // The home holds no code for it: the handler has left the table (its answer now).
  if (err === L.CE_NOCODE) return t.abi.enosys;
  const label = describeSlot(t.map, t.i32[handlerWord(t, p.id, L.HR_SLOT)]!);
  if (err === L.CE_BADRESULT) throw new SystabError('EBADRESULT', `handler for ${label} returned a non-number in worker ${p.home}`);
  throw new SystabError('EREMOTE', `handler for ${label} threw in worker ${p.home}`);
}

/** Gives up on a posted call: the answer, or undefined if it finished meanwhile. */
function giveUp(t: Table, p: Posted, answer: number, homeDead: boolean): number | undefined {
  const at = p.rec + L.CR_STATE;
  if (Atomics.compareExchange(t.i32, at, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return answer;
  // A dead home will never reply: the record is ours again.
  if (Atomics.compareExchange(t.i32, at, L.CS_TAKEN, homeDead ? L.CS_FREE : L.CS_ABANDONED) === L.CS_TAKEN) return answer;
  return undefined;
}

/** One look at a posted call: its result, or undefined while it is still pending. */
function check(t: Table, p: Posted): number | undefined {
  if (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(t, p);
  if (homeGone(t, p.home, p.gen)) {
    const r = giveUp(t, p, t.abi.enosys, true);
    if (r !== undefined) return r;
  } else if (Atomics.load(t.i32, workerWord(t, p.home, L.WR_DYING)) === p.gen && Atomics.compareExchange(t.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) {
    return t.abi.enosys; // being terminated, and it never took the call: it never will
  } else if (now() >= p.deadline) {
    const r = giveUp(t, p, errno(t, 'ETIMEDOUT'), false);
    if (r !== undefined) return r;
  }
  if (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(t, p);
  return undefined;
}

/**
 * Carries a call to handler `id`'s home thread and waits for it. Where this
 * thread may not block (a browser's main thread) it returns a promise.
 */
export function carry(t: Table, id: number, nr: number, args: readonly unknown[]): number | Promise<number> {
  if (!blockingAllowed(t.i32)) return carryAsync(t, id, nr, args);
  const nums = carriedArgs(t, id, args);
  const deadline = now() + t.proxyTimeout;
  t.carrying++;
  try {
    for (;;) {
      const bell = Atomics.load(t.i32, t.wakeAt);
      const p = post(t, id, nr, nums, deadline);
      if (p !== undefined) return typeof p === 'number' ? p : waitSync(t, p);
      // Every record is in use (calls carried from frames below this one, or async ones): wait for one.
      if (now() >= deadline) return errno(t, 'ETIMEDOUT');
      t.serve();
      if (!spinFor(t, t.wakeAt, bell, SPIN_MS)) Atomics.wait(t.i32, t.wakeAt, bell, Math.max(0, Math.min(deadline - now(), 5)));
    }
  } finally {
    t.carrying--;
  }
}

/** Like carry(), never blocking: waits on the doorbell asynchronously. */
export function carryAsync(t: Table, id: number, nr: number, args: readonly unknown[]): Promise<number> {
  const nums = carriedArgs(t, id, args);
  const deadline = now() + t.proxyTimeout;
  const p = post(t, id, nr, nums, deadline);
  if (typeof p === 'number') return Promise.resolve(p);
  t.carrying++;
  // A pending waitAsync does not keep a Node thread alive: a timer does, until the answer.
  const keep = setInterval(() => {}, 1 << 30);
  const done = (): void => {
    clearInterval(keep);
    t.carrying--;
  };
  const run = async (): Promise<number> => {
    let q: Posted | undefined = p;
    // A thread that may not block always gets a promise, even for an answer already there.
    await waitBell(t, Atomics.load(t.i32, t.wakeAt), 0);
    while (q === undefined) {
      if (now() >= deadline) return errno(t, 'ETIMEDOUT');
      const bell = Atomics.load(t.i32, t.wakeAt);
      const again = post(t, id, nr, nums, deadline);
      if (typeof again === 'number') return again;
      q = again;
      if (q === undefined) await waitBell(t, bell, Math.max(0, Math.min(deadline - now(), 20)));
    }
    // A home that has gone unseen (a terminated Web Worker) is evicted once its lease is seen gone: the call then answers ENOSYS.
    const silent = leaseWatch(t, (w, gen) => t.evictWorker(w, gen));
    for (;;) {
      const bell = Atomics.load(t.i32, t.wakeAt);
      const r = check(t, q);
      if (r !== undefined) return r;
      silent(q.home);
      await waitBell(t, bell, Math.max(0, Math.min(q.deadline - now(), 50)));
    }
  };
  return run().finally(done);
}

/**
 * Tries a carried call without waiting for the home thread to become free:
 * if it has not taken the call within `spinMicros`, the call is withdrawn
 * (it never ran) and undefined is returned. Once taken, it runs to its end.
 */
export function tryCarry(t: Table, id: number, nr: number, args: readonly unknown[], spinMicros: number): number | Promise<number> | undefined {
  const nums = carriedArgs(t, id, args);
  const p = post(t, id, nr, nums, now() + t.proxyTimeout);
  if (p === undefined) return undefined; // no free record: not taken
  if (typeof p === 'number') return p;
  t.carrying++;
  try {
    const until = now() + spinMicros / 1000;
    while (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_POSTED && now() < until) t.serve();
    if (Atomics.compareExchange(t.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return undefined;
    if (blockingAllowed(t.i32)) return waitSync(t, p);
  } finally {
    t.carrying--;
  }
  t.carrying++;
  return waitAsync(t, p).finally(() => t.carrying--);
}

/** Waits for a posted call on this thread's doorbell, serving carried calls meanwhile. */
function waitSync(t: Table, p: Posted): number {
  for (;;) {
    const bell = Atomics.load(t.i32, t.wakeAt);
    const r = check(t, p);
    if (r !== undefined) return r;
    const ms = Math.max(0, Math.min(p.deadline - now(), 50));
    t.serve();
    // A short spin first: a busy home answers in microseconds, faster than a wake-up.
    if (!spinFor(t, t.wakeAt, bell, SPIN_MS)) Atomics.wait(t.i32, t.wakeAt, bell, ms);
  }
}

async function waitAsync(t: Table, p: Posted): Promise<number> {
  const keep = setInterval(() => {}, 1 << 30);
  const silent = leaseWatch(t, (w, gen) => t.evictWorker(w, gen));
  try {
    for (;;) {
      const bell = Atomics.load(t.i32, t.wakeAt);
      const r = check(t, p);
      if (r !== undefined) return r;
      silent(p.home);
      await waitBell(t, bell, Math.max(0, Math.min(p.deadline - now(), 50)));
    }
  } finally {
    clearInterval(keep);
  }
}

// Atomics.waitAsync where the host has it (Firefox lacked it for long).
// Read where used, not at import (no side effects at import).
const waitAsyncOf = () => (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<unknown> | string } }).waitAsync;

function waitBell(t: Table, bell: number, ms: number): Promise<unknown> {
  const waitAsyncFn = waitAsyncOf();
  if (waitAsyncFn !== undefined) {
    const r = waitAsyncFn(t.i32, t.wakeAt, bell, ms);
    return r.async ? (r.value as Promise<unknown>) : Promise.resolve();
  }
  return new Promise((res) => setTimeout(res, Math.min(ms, 4)));
}

const SPIN_MS = 0.03;

/** Spins while word `at` still holds `v`, for at most `ms`; true if it changed. */
export function spinFor(t: Table, at: number, v: number, ms: number): boolean {
  const until = now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(t.i32, at) !== v) return true;
  } while (now() < until);
  return false;
}

/** The home a record was posted to has gone (its worker record freed or claimed anew): the call will never run (more). */
function recordHomeGone(t: Table, rec: number): boolean {
  const home = Atomics.load(t.i32, rec + L.CR_TARGET);
  return home >>> 0 >= t.i32[L.H_MAXW]! >>> 0 || homeGone(t, home, Atomics.load(t.i32, rec + L.CR_GEN));
}

/** A handler of `ids` that a carried call still holds (posted, running, or abandoned while running, at a home still there), or 0; `at.w` is that home. */
export function carriedInFlight(t: Table, ids: ReadonlySet<number>, at?: { w: number }): number {
  const n = t.i32[L.H_MAXW]! * t.at.ncalls;
  for (let k = 0; k < n; k++) {
    const rec = t.at.calls + k * L.CR_WORDS;
    const s = Atomics.load(t.i32, rec + L.CR_STATE);
    if (s !== L.CS_POSTED && s !== L.CS_TAKEN && s !== L.CS_ABANDONED) continue;
    const h = Atomics.load(t.i32, rec + L.CR_HANDLER);
    if (!ids.has(h) || recordHomeGone(t, rec)) continue;
    if (at !== undefined) at.w = Atomics.load(t.i32, rec + L.CR_TARGET);
    return h;
  }
  return 0;
}

/** This thread's call records that are held while it carries no call: what verify() calls leaked. */
export function leakedRecord(t: Table): number {
  if (t.carrying !== 0) return -1;
  for (let k = 0; k < t.at.ncalls; k++) {
    const s = Atomics.load(t.i32, recordAt(t, t.me, k) + L.CR_STATE);
    if (s !== L.CS_FREE && s !== L.CS_ABANDONED) return k;
  }
  return -1;
}

/** Runs every call carried to this thread that is waiting. */
export function serveCarried(t: Table): void {
  const n = t.i32[L.H_MAXW]!;
  const nc = t.at.ncalls;
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < nc; k++) {
      const rec = recordAt(t, c, k);
      // A call posted to an earlier holder of this worker index is not ours: its caller sees that home gone.
      if (t.i32[rec + L.CR_TARGET] !== t.me || t.i32[rec + L.CR_GEN] !== t.claimGen || Atomics.load(t.i32, rec + L.CR_STATE) !== L.CS_POSTED) continue;
      if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_POSTED, L.CS_TAKEN) !== L.CS_POSTED) continue;
      // The target read above may predate a reuse of the record; while it is
      // taken nobody rewrites it, so read it again and hand back a call meant for another thread.
      const target = Atomics.load(t.i32, rec + L.CR_TARGET);
      if (target !== t.me || Atomics.load(t.i32, rec + L.CR_GEN) !== t.claimGen) {
        // A CAS: the core may have abandoned it meanwhile (its caller's record was freed).
        Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_TAKEN, L.CS_POSTED);
        if (target >>> 0 < n >>> 0) ring(t, target);
        continue;
      }
      runCarried(t, rec, c);
    }
  }
}

function runCarried(t: Table, rec: number, caller: number): void {
  const id = t.i32[rec + L.CR_HANDLER]!;
  const a = (rec + L.CR_ARGS) >> 1;
  const f64 = t.f64;
  let f: Function | undefined;
  try {
    f = id >>> 0 < t.i32[L.H_MAXH]! >>> 0 ? t.localFn(id) : undefined;
  } catch {
    return reply(t, rec, caller, L.CE_THREW, 0); // a wrap factory threw making this thread's function
  }
  if (f === undefined) return reply(t, rec, caller, L.CE_NOCODE, 0);
  let r: unknown;
  t.depth++;
  try {
    r = f(f64[a]!, f64[a + 1]!, f64[a + 2]!, f64[a + 3]!, f64[a + 4]!, f64[a + 5]!);
  } catch {
    return reply(t, rec, caller, L.CE_THREW, 0);
  } finally {
    t.depth--;
  }
  if (typeof r === 'number') return reply(t, rec, caller, L.CE_OK, r);
  // A promise: the record stays TAKEN (and so holds its handler) until it settles.
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
    // Held until it settles, after the reply (reactions run in order): a home
    // whose record were freed first would be "gone" to its caller, who would
    // free and reuse the record this answer is written into.
    const answered = (r as Promise<unknown>).then(
      (v) => reply(t, rec, caller, typeof v === 'number' ? L.CE_OK : L.CE_BADRESULT, typeof v === 'number' ? v : 0),
      () => reply(t, rec, caller, L.CE_THREW, 0),
    );
    t.holdFor(answered);
    return;
  }
  reply(t, rec, caller, L.CE_BADRESULT, 0);
}

function reply(t: Table, rec: number, caller: number, err: number, value: number): void {
  t.i32[rec + L.CR_ERR] = err;
  t.f64[(rec + L.CR_RESULT) >> 1] = value;
  if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_TAKEN, L.CS_DONE) !== L.CS_TAKEN) {
    Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_ABANDONED, L.CS_FREE); // abandoned by its caller
  }
  ring(t, caller);
}

/**
 * Keeps an idle thread responsive: when its doorbell rings and it is in the
 * event loop, poll(). The watcher holds the table weakly (a thread that
 * loaded a module keeps it strongly: Table.becameHome): a table nobody
 * references any more is collected (its worker record is then held until
 * the thread ends or someone evicts it; close() gives it back at once).
 */
export function watchDoorbell(t: Table): void {
  const wa = waitAsyncOf();
  if (!t.shared) return;
  const ref = new WeakRef(t);
  const live = (): Table | undefined => {
    const table = ref.deref();
    return table === undefined || table.closed ? undefined : table;
  };
  if (wa === undefined) {
    const timer = setInterval(() => {
      const table = live();
      if (table === undefined) clearInterval(timer);
      else table.idlePoll();
    }, 5);
    (timer as unknown as { unref?: () => void }).unref?.();
    return;
  }
  const i32 = t.i32;
  const at = t.wakeAt;
  // Wait on the value seen before polling: a ring during the poll is not lost.
  const arm = (seen: number): void => {
    // With a timeout: a wake-up the host delivers late (or never) costs at most that.
    const r = wa(i32, at, seen, 100);
    const next = (): void => {
      const table = live();
      if (table === undefined) return;
      const v = Atomics.load(i32, at);
      try {
        table.idlePoll();
      } finally {
        arm(v); // whatever a served call did, the watch goes on
      }
    };
    if (r.async) (r.value as Promise<unknown>).then(next);
    else queueMicrotask(next);
  };
  arm(Atomics.load(i32, at));
}
