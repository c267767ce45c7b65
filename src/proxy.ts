// Carried calls, the caller's side: a thread with no code for a handler
// posts the call to the handler's home thread through shared memory and
// waits on its own doorbell word. While it waits it serves calls carried to
// it, so a thread that calls into itself, or two threads that call into each
// other, cannot deadlock. The records and their states: call-records.ts;
// the home's side: serve.ts.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { blockingAllowed } from './blocking.js';
import { describeSlot } from './slots.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';
import { handlerWord, workerWord } from './records.js';
import { isArray, show } from './handlers.js';
import { leaseWatch } from './lease.js';
import { homeGoing, homeGone, recordAt, recordHomeGone, ring, spinFor, waitAsyncOf } from './call-records.js';

const now = (): number => performance.now();

/** How a carried call is made: BLOCK, ASYNC, ANY, or (>= 0) tryCall's spin in microseconds. */
export const BLOCK = -1;
export const ASYNC = -2;
/** As BLOCK, for call64() and WebAssembly, which take any answer and check it themselves. */
export const ANY = -3;
/** What a carried call answers under tryCall() when its home did not take it (tryCall() returns undefined). */
export const NOT_TAKEN = Symbol('not taken');

/**
 * This thread's side of carried calls. Only the functions here write
 * `carrying`; only carryingAs() writes `mode` (the Table's callAsync() and
 * tryCall() run through it). verify() reads `carrying`.
 */
export class Carrier {
  readonly t: Thread;
  readonly v: View;
  /** Calls this thread has carried to others and not yet finished (verify() checks its records against it). */
  carrying = 0;
  /** How a carried call is made now. */
  mode = BLOCK;
  /** This thread's call() may return a promise (the table's `async` option). */
  readonly async: boolean;
  constructor(t: Thread, async: boolean) {
    this.t = t;
    this.v = t.v;
    this.async = async;
  }
}

/** A call made now may answer with a promise: the table is async, or this is callAsync() or tryCall(). */
export function takesPromises(cr: Carrier): boolean {
  return cr.async || cr.mode !== BLOCK;
}

/** Runs `f` with carried calls made the given way (BLOCK, ASYNC, or a try's spin). */
export function carryingAs<R>(cr: Carrier, mode: number, f: () => R): R {
  const was = cr.mode;
  cr.mode = mode;
  try {
    return f();
  } finally {
    cr.mode = was;
  }
}

/** Table.callAsync(): `call` with every carried call it makes asynchronous. */
export function callAsync(cr: Carrier, call: () => number): Promise<number> {
  try {
    return Promise.resolve(carryingAs(cr, ASYNC, call));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Table.tryCall(): `call` with every carried call it makes a try of `spinMicros`; undefined when its home did not take it. */
export function tryCall(cr: Carrier, call: (args: readonly number[]) => number, args: readonly number[], spinMicros: number): number | Promise<number> | undefined {
  if (!isArray(args)) throw new SystabError('EBADSPEC', `tryCall() takes its arguments as an array (got ${show(args)})`);
  if (typeof spinMicros !== 'number' || !(spinMicros >= 0)) {
    throw new SystabError('EBADSPEC', `tryCall() spinMicros must be a number of microseconds >= 0 (got ${show(spinMicros)})`);
  }
  // Any call this makes to another thread is a try, even one published a moment ago.
  const r: unknown = carryingAs(cr, spinMicros, () => call(args));
  return r === NOT_TAKEN ? undefined : (r as number | Promise<number>);
}

/** A function for a handler whose code lives in another thread: it carries the call there, as `cr.mode` says at the time of the call. */
export function remoteFn(cr: Carrier, id: number): Function {
  const v = cr.v;
  const nr = v.map.nrOfSlot[v.i32[handlerWord(v, id, L.HR_SLOT)]!]!;
  return (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) =>
    cr.mode === BLOCK || cr.mode === ANY ? carry(cr, id, nr, [a0, a1, a2, a3, a4, a5]) : cr.mode === ASYNC ? carryAsync(cr, id, nr, [a0, a1, a2, a3, a4, a5]) : (tryCarry(cr, id, nr, [a0, a1, a2, a3, a4, a5], cr.mode) ?? NOT_TAKEN);
}

interface Posted {
  rec: number;
  home: number;
  gen: number;
  id: number;
  deadline: number;
}

/** The arguments as the f64s a record carries, or EBADARG before any record is touched. */
function carriedArgs(v: View, id: number, args: readonly unknown[]): number[] {
  const out = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 6; i++) {
    const a = args[i];
    if (typeof a === 'number') out[i] = a;
    else if (a !== undefined) {
      const label = describeSlot(v.map, v.i32[handlerWord(v, id, L.HR_SLOT)]!);
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
function post(v: View, id: number, nr: number, args: readonly number[], deadline: number): Posted | number | undefined {
  const home = v.i32[handlerWord(v, id, L.HR_HOME)]!;
  if (home === v.me || home >>> 0 >= v.i32[L.H_MAXW]! >>> 0) return v.abi.enosys;
  // The home is the thread that loaded it, not whichever thread holds its worker index now.
  const gen = v.i32[handlerWord(v, id, L.HR_HOMEGEN)]!;
  if (homeGoing(v, home, gen)) return v.abi.enosys;
  for (let k = 0; k < v.at.ncalls; k++) {
    const rec = recordAt(v, v.me, k);
    // A call abandoned while it ran, whose home has gone since, will never be freed by it: it is ours again.
    if (Atomics.load(v.i32, rec + L.CR_STATE) === L.CS_ABANDONED && recordHomeGone(v, rec)) Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_ABANDONED, L.CS_FREE);
    if (Atomics.compareExchange(v.i32, rec + L.CR_STATE, L.CS_FREE, L.CS_FILLING) !== L.CS_FREE) continue;
    v.i32[rec + L.CR_TARGET] = home;
    v.i32[rec + L.CR_HANDLER] = id;
    v.i32[rec + L.CR_NR] = nr;
    v.i32[rec + L.CR_ERR] = 0;
    v.i32[rec + L.CR_GEN] = gen;
    const a = (rec + L.CR_ARGS) >> 1;
    for (let i = 0; i < 6; i++) v.f64[a + i] = args[i]!;
    Atomics.store(v.i32, rec + L.CR_STATE, L.CS_POSTED);
    ring(v, home);
    return { rec, home, gen, id, deadline };
  }
  return undefined;
}

function errno(v: View, name: string): number {
  const e = v.abi.errno[name] ?? v.abi.errno[name.toLowerCase()];
  if (e === undefined) return v.abi.enosys;
  return v.abi.convention === 'negative' ? -e : e;
}

/** Takes the result out of a DONE record and frees it. */
function finish(v: View, p: Posted): number {
  const err = v.i32[p.rec + L.CR_ERR]!;
  const r = v.f64[(p.rec + L.CR_RESULT) >> 1]!;
  Atomics.store(v.i32, p.rec + L.CR_STATE, L.CS_FREE);
  if (err === L.CE_OK) return r;
  // The home holds no code for it: the handler has left the table (its answer now).
  if (err === L.CE_NOCODE) return v.abi.enosys;
  const label = describeSlot(v.map, v.i32[handlerWord(v, p.id, L.HR_SLOT)]!);
  if (err === L.CE_BADRESULT) throw new SystabError('EBADRESULT', `handler for ${label} returned a non-number in worker ${p.home}`);
  throw new SystabError('EREMOTE', `handler for ${label} threw in worker ${p.home}`);
}

/** Gives up on a posted call: the answer, or undefined if it finished meanwhile. */
function giveUp(v: View, p: Posted, answer: number, homeDead: boolean): number | undefined {
  const at = p.rec + L.CR_STATE;
  if (Atomics.compareExchange(v.i32, at, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return answer;
  // A dead home will never reply: the record is ours again.
  if (Atomics.compareExchange(v.i32, at, L.CS_TAKEN, homeDead ? L.CS_FREE : L.CS_ABANDONED) === L.CS_TAKEN) return answer;
  return undefined;
}

/** One look at a posted call: its result, or undefined while it is still pending. */
function check(v: View, p: Posted): number | undefined {
  if (Atomics.load(v.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(v, p);
  if (homeGone(v, p.home, p.gen)) {
    const r = giveUp(v, p, v.abi.enosys, true);
    if (r !== undefined) return r;
  } else if (Atomics.load(v.i32, workerWord(v, p.home, L.WR_DYING)) === p.gen && Atomics.compareExchange(v.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) {
    return v.abi.enosys; // being terminated, and it never took the call: it never will
  } else if (now() >= p.deadline) {
    const r = giveUp(v, p, errno(v, 'ETIMEDOUT'), false);
    if (r !== undefined) return r;
  }
  if (Atomics.load(v.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(v, p);
  return undefined;
}

/**
 * Carries a call to handler `id`'s home thread and waits for it. Where this
 * thread may not block (a browser's main thread) it returns a promise.
 */
export function carry(cr: Carrier, id: number, nr: number, args: readonly unknown[]): number | Promise<number> {
  const v = cr.v;
  if (!blockingAllowed(v.i32)) {
    // Refused before it is posted: nothing has run.
    if (cr.mode === BLOCK && !cr.async) throw new SystabError('EASYNC', `${describeSlot(v.map, v.i32[handlerWord(v, id, L.HR_SLOT)]!)} runs on another thread, and this one cannot block to wait for it (a browser's main thread): call it with callAsync() or tryCall(), or make the table (or attach) with { async: true }`);
    return carryAsync(cr, id, nr, args);
  }
  const nums = carriedArgs(v, id, args);
  const deadline = now() + v.callTimeout;
  cr.carrying++;
  try {
    for (;;) {
      const bell = Atomics.load(v.i32, v.wakeAt);
      const p = post(v, id, nr, nums, deadline);
      if (p !== undefined) return typeof p === 'number' ? p : waitSync(cr, p);
      // Every record is in use (calls carried from frames below this one, or async ones): wait for one.
      if (now() >= deadline) return errno(v, 'ETIMEDOUT');
      cr.t.serve();
      if (!spinFor(v, v.wakeAt, bell, SPIN_MS)) Atomics.wait(v.i32, v.wakeAt, bell, Math.max(0, Math.min(deadline - now(), 5)));
    }
  } finally {
    cr.carrying--;
  }
}

/** Like carry(), never blocking: waits on the doorbell asynchronously. */
export function carryAsync(cr: Carrier, id: number, nr: number, args: readonly unknown[]): Promise<number> {
  const v = cr.v;
  const nums = carriedArgs(v, id, args);
  const deadline = now() + v.callTimeout;
  const p = post(v, id, nr, nums, deadline);
  if (typeof p === 'number') return Promise.resolve(p);
  cr.carrying++;
  // A pending waitAsync does not keep a Node thread alive: a timer does, until the answer.
  const keep = setInterval(() => {}, 1 << 30);
  const done = (): void => {
    clearInterval(keep);
    cr.carrying--;
  };
  const run = async (): Promise<number> => {
    let q: Posted | undefined = p;
    // A thread that may not block always gets a promise, even for an answer already there.
    await waitBell(v, Atomics.load(v.i32, v.wakeAt), 0);
    while (q === undefined) {
      if (now() >= deadline) return errno(v, 'ETIMEDOUT');
      const bell = Atomics.load(v.i32, v.wakeAt);
      const again = post(v, id, nr, nums, deadline);
      if (typeof again === 'number') return again;
      q = again;
      if (q === undefined) await waitBell(v, bell, Math.max(0, Math.min(deadline - now(), 20)));
    }
    // A home that has gone unseen (a terminated Web Worker) is evicted once its lease is seen gone: the call then answers ENOSYS.
    const silent = leaseWatch(cr.t, (w, gen) => cr.t.evictWorker(w, gen));
    for (;;) {
      const bell = Atomics.load(v.i32, v.wakeAt);
      const r = check(v, q);
      if (r !== undefined) return r;
      silent(q.home);
      await waitBell(v, bell, Math.max(0, Math.min(q.deadline - now(), 50)));
    }
  };
  return run().finally(done);
}

/**
 * Tries a carried call without waiting for the home thread to become free:
 * if it has not taken the call within `spinMicros`, the call is withdrawn
 * (it never ran) and undefined is returned. Once taken, it runs to its end.
 */
export function tryCarry(cr: Carrier, id: number, nr: number, args: readonly unknown[], spinMicros: number): number | Promise<number> | undefined {
  const v = cr.v;
  const nums = carriedArgs(v, id, args);
  const p = post(v, id, nr, nums, now() + v.callTimeout);
  if (p === undefined) return undefined; // no free record: not taken
  if (typeof p === 'number') return p;
  cr.carrying++;
  try {
    const until = now() + spinMicros / 1000;
    while (Atomics.load(v.i32, p.rec + L.CR_STATE) === L.CS_POSTED && now() < until) cr.t.serve();
    if (Atomics.compareExchange(v.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return undefined;
    if (blockingAllowed(v.i32)) return waitSync(cr, p);
  } finally {
    cr.carrying--;
  }
  cr.carrying++;
  return waitAsync(cr, p).finally(() => cr.carrying--);
}

/** Waits for a posted call on this thread's doorbell, serving carried calls meanwhile. */
function waitSync(cr: Carrier, p: Posted): number {
  const v = cr.v;
  for (;;) {
    const bell = Atomics.load(v.i32, v.wakeAt);
    const r = check(v, p);
    if (r !== undefined) return r;
    const ms = Math.max(0, Math.min(p.deadline - now(), 50));
    cr.t.serve();
    // A short spin first: a busy home answers in microseconds, faster than a wake-up.
    if (!spinFor(v, v.wakeAt, bell, SPIN_MS)) Atomics.wait(v.i32, v.wakeAt, bell, ms);
  }
}

async function waitAsync(cr: Carrier, p: Posted): Promise<number> {
  const v = cr.v;
  const keep = setInterval(() => {}, 1 << 30);
  const silent = leaseWatch(cr.t, (w, gen) => cr.t.evictWorker(w, gen));
  try {
    for (;;) {
      const bell = Atomics.load(v.i32, v.wakeAt);
      const r = check(v, p);
      if (r !== undefined) return r;
      silent(p.home);
      await waitBell(v, bell, Math.max(0, Math.min(p.deadline - now(), 50)));
    }
  } finally {
    clearInterval(keep);
  }
}

function waitBell(v: View, bell: number, ms: number): Promise<unknown> {
  const waitAsyncFn = waitAsyncOf();
  if (waitAsyncFn !== undefined) {
    const r = waitAsyncFn(v.i32, v.wakeAt, bell, ms);
    return r.async ? (r.value as Promise<unknown>) : Promise.resolve();
  }
  return new Promise((res) => setTimeout(res, Math.min(ms, 4)));
}

const SPIN_MS = 0.03;
