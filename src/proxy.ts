// Carried calls: a thread with no code for a handler posts the call to the
// handler's home thread through shared memory and waits on its own doorbell
// word. While it waits it serves calls carried to it, so a thread that calls
// into itself, or two threads that call into each other, cannot deadlock.
//
// A call record goes FREE -> FILLING -> POSTED (caller), POSTED -> TAKEN
// (home), TAKEN -> DONE (home), DONE -> FREE (caller). A caller that times
// out takes back a POSTED record (the call never ran) or marks a TAKEN one
// ABANDONED (it runs to its end; the home frees the record).
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { blockingAllowed } from './grace.js';
import { describeSlot } from './slots.js';
import type { Table } from './table.js';
import { handlerWord, workerWord } from './records.js';

const now = (): number => performance.now();

function recordAt(t: Table, worker: number, k: number): number {
  return t.at.calls + (worker * L.CALLS_PER_WORKER + k) * L.CR_WORDS;
}

/** Rings worker `w`'s doorbell. */
export function ring(t: Table, w: number): void {
  const at = workerWord(t, w, L.WR_WAKE);
  Atomics.add(t.i32, at, 1);
  Atomics.notify(t.i32, at);
}

function homeGone(t: Table, home: number, ident: number): boolean {
  const r = workerWord(t, home, 0);
  return Atomics.load(t.i32, r + L.WR_STATE) === L.WS_FREE || t.i32[r + L.WR_ID] !== ident;
}

interface Posted {
  rec: number;
  home: number;
  ident: number;
  id: number;
  deadline: number;
}

/** Posts a call to handler `id`'s home; the answer at once (ENOSYS: home gone, EAGAIN: no free record) when it cannot be posted. */
function post(t: Table, id: number, nr: number, args: readonly number[], timeout: number): Posted | number {
  const home = t.i32[handlerWord(t, id, L.HR_HOME)]!;
  const ident = t.i32[workerWord(t, home, L.WR_ID)]!;
  if (home === t.me || Atomics.load(t.i32, workerWord(t, home, L.WR_STATE)) === L.WS_FREE) return t.abi.enosys;
  for (let k = 0; k < L.CALLS_PER_WORKER; k++) {
    const rec = recordAt(t, t.me, k);
    if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_FREE, L.CS_FILLING) !== L.CS_FREE) continue;
    t.i32[rec + L.CR_TARGET] = home;
    t.i32[rec + L.CR_HANDLER] = id;
    t.i32[rec + L.CR_NR] = nr;
    t.i32[rec + L.CR_ERR] = 0;
    const f64 = t.f64;
    const a = (rec + L.CR_ARGS) >> 1;
    for (let i = 0; i < 6; i++) f64[a + i] = args[i] ?? 0;
    Atomics.store(t.i32, rec + L.CR_STATE, L.CS_POSTED);
    ring(t, home);
    return { rec, home, ident, id, deadline: now() + timeout };
  }
  return errno(t, 'EAGAIN');
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
  const slot = t.i32[handlerWord(t, p.id, L.HR_SLOT)]!;
  const label = describeSlot(t.map, slot);
  if (err === L.CE_NOCODE) throw new SystabError('ENOCODE', `handler for ${label} has no code in worker ${p.home}, its home`);
  if (err === L.CE_BADRESULT) throw new SystabError('EBADRESULT', `handler for ${label} returned a non-number in worker ${p.home}`);
  throw new SystabError('EREMOTE', `handler for ${label} threw in worker ${p.home}`);
}

/** Gives up on a posted call: the errno to answer, or undefined if it finished meanwhile. */
function giveUp(t: Table, p: Posted, answer: number): number | undefined {
  if (Atomics.compareExchange(t.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return answer;
  if (Atomics.compareExchange(t.i32, p.rec + L.CR_STATE, L.CS_TAKEN, L.CS_ABANDONED) === L.CS_TAKEN) return answer;
  return undefined;
}

/** One look at a posted call: its result, or undefined while it is still pending. */
function check(t: Table, p: Posted): number | undefined {
  if (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(t, p);
  if (homeGone(t, p.home, p.ident)) {
    const r = giveUp(t, p, t.abi.enosys);
    if (r !== undefined) return r;
  }
  if (now() >= p.deadline) {
    const r = giveUp(t, p, errno(t, 'ETIMEDOUT'));
    if (r !== undefined) return r;
  }
  if (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_DONE) return finish(t, p);
  return undefined;
}

/**
 * Carries a call to handler `id`'s home thread and waits for it. Where this
 * thread may not block (a browser's main thread) it returns a promise.
 */
export function carry(t: Table, id: number, nr: number, args: readonly number[]): number | Promise<number> {
  const p = post(t, id, nr, args, t.proxyTimeout);
  return typeof p === 'number' ? p : wait(t, p, !blockingAllowed(t.i32));
}

/** Like carry(), never blocking: waits on the doorbell asynchronously. */
export function carryAsync(t: Table, id: number, nr: number, args: readonly number[]): Promise<number> {
  const p = post(t, id, nr, args, t.proxyTimeout);
  return typeof p === 'number' ? Promise.resolve(p) : (wait(t, p, true) as Promise<number>);
}

/**
 * Tries a carried call without waiting for the home thread to become free:
 * if it has not taken the call within `spinMicros`, the call is withdrawn
 * (it never ran) and undefined is returned. Once taken, it runs to its end.
 */
export function tryCarry(t: Table, id: number, nr: number, args: readonly number[], spinMicros: number): number | Promise<number> | undefined {
  const p = post(t, id, nr, args, t.proxyTimeout);
  if (typeof p === 'number') return p;
  const until = now() + spinMicros / 1000;
  while (Atomics.load(t.i32, p.rec + L.CR_STATE) === L.CS_POSTED && now() < until) t.serve();
  if (Atomics.compareExchange(t.i32, p.rec + L.CR_STATE, L.CS_POSTED, L.CS_FREE) === L.CS_POSTED) return undefined;
  return wait(t, p, !blockingAllowed(t.i32));
}

/** Waits for a posted call on this thread's doorbell, serving carried calls meanwhile; async where blocking is not allowed. */
function wait(t: Table, p: Posted, async: boolean): number | Promise<number> {
  // A thread that may not block always gets a promise, even for an answer already there.
  if (async) return waitBell(t, Atomics.load(t.i32, t.wakeAt), 0).then(() => waitAsync(t, p));
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
  for (;;) {
    const bell = Atomics.load(t.i32, t.wakeAt);
    const r = check(t, p);
    if (r !== undefined) return r;
    await waitBell(t, bell, Math.max(0, Math.min(p.deadline - now(), 50)));
  }
}

// Atomics.waitAsync where the host has it (Firefox lacked it for long).
const waitAsyncFn = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<unknown> | string } }).waitAsync;

function waitBell(t: Table, bell: number, ms: number): Promise<unknown> {
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

/** Runs every call carried to this thread that is waiting. */
export function serveCarried(t: Table): void {
  const n = t.i32[L.H_MAXW]!;
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < L.CALLS_PER_WORKER; k++) {
      const rec = recordAt(t, c, k);
      if (t.i32[rec + L.CR_TARGET] !== t.me || Atomics.load(t.i32, rec + L.CR_STATE) !== L.CS_POSTED) continue;
      if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_POSTED, L.CS_TAKEN) !== L.CS_POSTED) continue;
      // The target read above may predate a reuse of the record; while it is
      // taken nobody rewrites it, so read it again and hand back a call meant for another thread.
      const target = Atomics.load(t.i32, rec + L.CR_TARGET);
      if (target !== t.me) {
        Atomics.store(t.i32, rec + L.CR_STATE, L.CS_POSTED);
        ring(t, target);
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
  const f = t.localFn(id);
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
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
    (r as Promise<unknown>).then(
      (v) => reply(t, rec, caller, typeof v === 'number' ? L.CE_OK : L.CE_BADRESULT, typeof v === 'number' ? v : 0),
      () => reply(t, rec, caller, L.CE_THREW, 0),
    );
    return;
  }
  reply(t, rec, caller, L.CE_BADRESULT, 0);
}

function reply(t: Table, rec: number, caller: number, err: number, value: number): void {
  t.i32[rec + L.CR_ERR] = err;
  t.f64[(rec + L.CR_RESULT) >> 1] = value;
  if (Atomics.compareExchange(t.i32, rec + L.CR_STATE, L.CS_TAKEN, L.CS_DONE) !== L.CS_TAKEN) {
    Atomics.store(t.i32, rec + L.CR_STATE, L.CS_FREE); // abandoned by its caller
  }
  ring(t, caller);
}

/** Keeps an idle thread responsive: when its doorbell rings and it is in the event loop, poll(). */
export function watchDoorbell(t: Table): void {
  const wa = waitAsyncFn;
  if (!t.shared) return;
  if (wa === undefined) {
    const timer = setInterval(() => {
      if (t.closed) clearInterval(timer);
      else t.idlePoll();
    }, 5);
    (timer as unknown as { unref?: () => void }).unref?.();
    return;
  }
  // Wait on the value seen before polling: a ring during the poll is not lost.
  const arm = (seen: number): void => {
    if (t.closed) return;
    // With a timeout: a wake-up the host delivers late (or never) costs at most that.
    const r = wa(t.i32, t.wakeAt, seen, 100);
    const next = (): void => {
      if (t.closed) return;
      const v = Atomics.load(t.i32, t.wakeAt);
      t.idlePoll();
      arm(v);
    };
    if (r.async) (r.value as Promise<unknown>).then(next);
    else queueMicrotask(next);
  };
  arm(Atomics.load(t.i32, t.wakeAt));
}
