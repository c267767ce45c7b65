// Worker records given back: this thread's own (close()), and those of
// threads that are gone (evict()); their unfinished work becomes orphans for
// the next writer. And marking a thread being terminated, so no call is
// posted to it.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { unlock } from './grace.js';
import { inCall, workerWord } from './records.js';
import { lockForChange, orphan } from './orphans.js';
import type { View } from './view.js';
import type { Writer } from './writer.js';

/**
 * close() while async calls still run here: they will run more code of their
 * handlers, so the record (and its in-flight bytes, and the call records of
 * carried ones, which they answer into) stays, offline, until they settle.
 * It takes no new carried call meanwhile: callers answer ENOSYS, as for a dying thread.
 */
export function leaveWhenSettled(v: View): void {
  Atomics.store(v.i32, workerWord(v, v.me, L.WR_DYING), v.claimGen);
  v.core.workerSetOnline(v.me, 0);
}

/** Gives this thread's worker record back (`t`, its Table, is no longer kept as a home): handlers it was draining and unloads it had begun are finished by the next writer. */
export function releaseRecord(wr: Writer, t: object): void {
  dropHome(t);
  orphan(wr, wr.v.me);
  wr.v.core.workerRelease(wr.v.me);
}

/**
 * Frees worker record `w` if it still holds claim `gen` (its thread is
 * known gone): the CAS on the generation makes one evicter win, and a
 * thread that claims the index afterwards is never freed by mistake.
 */
export function evictWorker(wr: Writer, w: number, gen: number): boolean {
  const v = wr.v;
  if (w === v.me || Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) === L.WS_FREE) return false;
  if (Atomics.compareExchange(v.i32, workerWord(v, w, L.WR_GEN), gen, gen + 1) !== gen) return false;
  // What it left unfinished becomes orphans; then its record, its call records and the writer lock if it held it are freed.
  orphan(wr, w);
  v.core.workerRelease(w);
  return true;
}

/** Frees every worker record of the thread that attached with `threadId` (see Table.evict). */
export function evictThread(wr: Writer, threadId: number): boolean {
  const v = wr.v;
  let found = false;
  for (const w of workersOf(v, threadId)) if (wr.thread.evictWorker(w, Atomics.load(v.i32, workerWord(v, w, L.WR_GEN)))) found = true;
  // Adopt the orphans now (or, if the lock is busy, the next writer will).
  if (found && !wr.thread.closed) {
    try {
      lockForChange(wr);
      unlock(wr.thread);
    } catch {
      /* the next change adopts them */
    }
  }
  return found;
}

/** A terminate() of thread `threadId` was asked for: calls are no longer posted to it. `asked` (this thread's) remembers it. */
export function markDying(v: View, threadId: number, asked: Map<number, number>): void {
  // Its callers waiting now give up their untaken calls at their next look (within 50 ms).
  for (const w of workersOf(v, threadId)) {
    const gen = Atomics.load(v.i32, workerWord(v, w, L.WR_GEN));
    Atomics.store(v.i32, workerWord(v, w, L.WR_DYING), gen);
    asked.set(w, gen);
  }
}

/**
 * Whether this thread asked for worker `w`'s terminate() (`asked`) and has
 * not seen it end: its exit reaches only this thread's event loop, so
 * blocking here for something it holds can only time out.
 */
export function terminating(v: View, asked: Map<number, number>, w: number): boolean {
  const gen = asked.get(w);
  if (gen === undefined) return false;
  if (Atomics.load(v.i32, workerWord(v, w, L.WR_GEN)) === gen && Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) !== L.WS_FREE) return true;
  asked.delete(w);
  return false;
}

/** Tables that are home to modules they loaded: kept until close() (see keepHome()). */
let homes: Set<object> | undefined; // made on first use (nothing is created at import)

/**
 * Table `t` loaded a module: it is that module's home. Its doorbell watcher
 * holds the table weakly; from now on a strong reference keeps it (and so
 * its serving) alive until close(), even if the code that loaded the
 * module kept none.
 */
export function keepHome(t: object): void {
  (homes ??= new Set()).add(t);
}

export function dropHome(t: object): void {
  homes?.delete(t);
}

/** close() inside a call is EBUSY: this thread holds its handler, and freed now its record would let grace periods (and its callers) pass it by. */
export function notInCall(t: { readonly v: View; readonly depth: number }): void {
  if (inCall(t)) {
    throw new SystabError('EBUSY', 'close() inside a call (a handler, hook or wrap factory): close the table once the call has returned');
  }
}

/** The worker records other than this thread's held by the thread that attached with `threadId`. */
function workersOf(v: View, threadId: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < v.i32[L.H_MAXW]!; w++) {
    const r = workerWord(v, w, 0);
    if (w !== v.me && Atomics.load(v.i32, r + L.WR_STATE) !== L.WS_FREE && v.i32[r + L.WR_ID] === threadId) out.push(w);
  }
  return out;
}
