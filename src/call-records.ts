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
//
// This file: the records' addresses and the questions every side asks of
// them (is a home gone, which handlers do records hold). The caller side is
// proxy.ts, the home side serve.ts.
import * as L from '../assembly/layout.js';
import type { View } from './view.js';
import { workerWord } from './records.js';

const now = (): number => performance.now();

export function recordAt(v: View, worker: number, k: number): number {
  return v.at.calls + (worker * v.at.ncalls + k) * L.CR_WORDS;
}

/** Rings worker `w`'s doorbell. */
export function ring(v: View, w: number): void {
  const at = workerWord(v, w, L.WR_WAKE);
  Atomics.add(v.i32, at, 1);
  Atomics.notify(v.i32, at);
}

/** The home's worker record was freed or claimed by another thread since the call was posted. */
export function homeGone(v: View, home: number, gen: number): boolean {
  return Atomics.load(v.i32, workerWord(v, home, L.WR_STATE)) === L.WS_FREE || Atomics.load(v.i32, workerWord(v, home, L.WR_GEN)) !== gen;
}

/** The home is gone, or a terminate() of it was asked for (it may run a moment more, but takes no new call). */
export function homeGoing(v: View, home: number, gen: number): boolean {
  return homeGone(v, home, gen) || Atomics.load(v.i32, workerWord(v, home, L.WR_DYING)) === gen;
}

/** The home a record was posted to has gone (its worker record freed or claimed anew): the call will never run (more). */
export function recordHomeGone(v: View, rec: number): boolean {
  const home = Atomics.load(v.i32, rec + L.CR_TARGET);
  return home >>> 0 >= v.i32[L.H_MAXW]! >>> 0 || homeGone(v, home, Atomics.load(v.i32, rec + L.CR_GEN));
}

/** A handler of `ids` that a carried call still holds (posted, running, or abandoned while running, at a home still there), or 0; `at.w` is that home. */
export function carriedInFlight(v: View, ids: ReadonlySet<number>, at?: { w: number }): number {
  const n = v.i32[L.H_MAXW]! * v.at.ncalls;
  for (let k = 0; k < n; k++) {
    const rec = v.at.calls + k * L.CR_WORDS;
    const s = Atomics.load(v.i32, rec + L.CR_STATE);
    if (s !== L.CS_POSTED && s !== L.CS_TAKEN && s !== L.CS_ABANDONED) continue;
    const h = Atomics.load(v.i32, rec + L.CR_HANDLER);
    if (!ids.has(h) || recordHomeGone(v, rec)) continue;
    if (at !== undefined) at.w = Atomics.load(v.i32, rec + L.CR_TARGET);
    return h;
  }
  return 0;
}

/** Spins while word `at` still holds `seen`, for at most `ms`; true if it changed. */
export function spinFor(v: View, at: number, seen: number, ms: number): boolean {
  const until = now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(v.i32, at) !== seen) return true;
  } while (now() < until);
  return false;
}



/** This thread's call records that are held while it carries no call (`carrying`): what verify() calls leaked. */
export function leakedRecord(v: View, carrying: number): number {
  if (carrying !== 0) return -1;
  for (let k = 0; k < v.at.ncalls; k++) {
    const s = Atomics.load(v.i32, recordAt(v, v.me, k) + L.CR_STATE);
    if (s !== L.CS_FREE && s !== L.CS_ABANDONED) return k;
  }
  return -1;
}

// Atomics.waitAsync where the host has it (Firefox lacked it for long).
// Read where used, not at import (no side effects at import).
export const waitAsyncOf = () => (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: Promise<unknown> | string } }).waitAsync;
