// The counted path: a number whose count switch alone is on (the lane), from
// the JS hot path and the slow path. Counted into this thread's counters; while
// the thread samples call times (the trace's summary, see Timer), a slot's
// first SAMPLE_FIRST calls here and every call of a slot the timer times
// whole are timed, and about one in SAMPLE_EVERY of the others, so counting
// stays near its own cost and a summary still sees rare and slow calls whole.
import * as L from '../assembly/layout.js';
import { isError } from './results.js';
import type { Timer } from './thread.js';

/** What the counted path uses of this thread's Table. */
export interface Counting {
  readonly hotCounters: Int32Array;
  readonly hotNegative: boolean;
  hotTimer: Timer | undefined;
  depth: number;
  /** Handler `f` of slot `i` answered a non-number (pending.ts oddResult()). */
  oddResult(nr: number, i: number, f: Function, r: unknown): number;
}

export function countedCall(t: Counting, i: number, nr: number, f: Function, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  const c = t.hotCounters;
  const at = i * L.C_WORDS;
  const n = c[at + L.C_CALLS]!;
  c[at + L.C_CALLS] = n + 1;
  const tm = t.hotTimer;
  if (tm !== undefined) {
    const whole = n >>> 0 < L.SAMPLE_FIRST || tm.every[i] !== 0;
    if (whole || --tm.down <= 0) return timedCall(t, tm, whole, i, nr, f, a0, a1, a2, a3, a4, a5);
  }
  return countedRun(t, i, nr, f, a0, a1, a2, a3, a4, a5);
}

/** The call itself, its errors counted (an exception, an error result, a non-number that fails). */
function countedRun(t: Counting, i: number, nr: number, f: Function, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  const c = t.hotCounters;
  const e = i * L.C_WORDS + L.C_ERRORS;
  let r;
  t.depth++;
  try {
    r = f(a0, a1, a2, a3, a4, a5);
  } catch (x) {
    c[e]!++;
    throw x;
  } finally {
    t.depth--;
  }
  if (typeof r === 'number') {
    if (isError(r, t.hotNegative)) c[e]!++;
    return r;
  }
  try {
    return t.oddResult(nr, i, f, r);
  } catch (x) {
    c[e]!++; // not a number: an error, as in every other counted path
    throw x;
  }
}

/** A sampled call: timed around the handler, a promise (an async table's answer) until it settles. */
function timedCall(t: Counting, tm: Timer, whole: boolean, i: number, nr: number, f: Function, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  const t0 = performance.now();
  let r;
  try {
    r = countedRun(t, i, nr, f, a0, a1, a2, a3, a4, a5);
  } catch (x) {
    tm.timed(i, performance.now() - t0, whole);
    throw x;
  } finally {
    if (!whole) tm.down = tm.next();
  }
  settled(tm, i, t0, whole, r);
  return r;
}

/** Gives the timer a timed call's time: now, or when its promise settles (errors are the caller's). */
export function settled(tm: Timer, slot: number, t0: number, whole: boolean, r: unknown): void {
  if (r === null || typeof r !== 'object' || typeof (r as { then?: unknown }).then !== 'function') return tm.timed(slot, performance.now() - t0, whole);
  const done = (): void => tm.timed(slot, performance.now() - t0, whole);
  (r as Promise<unknown>).then(done, done);
}
