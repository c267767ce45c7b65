// What code below table.ts may use of this thread's Table, instead of the
// class: table.ts implements these interfaces, and nothing they serve
// imports table.ts.
import type { View } from './view.js';

/** The Table of this thread, as the writer side, grace periods, carried calls and leases see it. */
export interface Thread {
  readonly v: View;
  /** Calls this thread is inside: raised around every handler call it makes or serves; a quiescent point needs 0. */
  depth: number;
  /** The worker record whose carried call this thread is running, or -1 (Table.caller()). */
  carriedFrom: number;
  /** That worker's threadId, read when its call was taken (Table.caller()). */
  carriedId: number;
  /** close() (or the thread's end) was seen: this view takes no more changes. */
  readonly closed: boolean;
  /** A quiescent point if this thread is in no call; returns whether it was one. */
  quiesce(): boolean;
  /** Runs the calls other threads carried here. */
  serve(): void;
  /** Frees worker record `w` if it still holds claim `gen` (its thread is known gone). */
  evictWorker(w: number, gen: number): boolean;
  /** This thread asked for worker `w`'s terminate() and has not seen it end (it sees that only from its event loop). */
  terminating(w: number): boolean;
}

/**
 * What the WASI direct way (src/wasi/direct.ts) reads of a Table on its own
 * thread: the doorbell, the cache of slot functions and the base number, as
 * call() reads them; it raises `depth` around the call, as call() does.
 */
export interface HotPath {
  readonly hotBell: Int32Array;
  readonly hotDirect: readonly (Function | null | undefined)[];
  /** Handlers of slots whose count switch alone is on (the counted lane). */
  readonly hotLane: readonly (Function | null | undefined)[];
  /** This thread's counters (the C_* words per slot). */
  readonly hotCounters: Int32Array;
  readonly hotBase: number;
  /** This thread's call timer while a trace's summary may sample (counted.ts). */
  readonly hotTimer: Timer | undefined;
  depth: number;
}

/** Times sampled counted calls for the trace's summary: systab/trace sets one on each thread that traces the table. */
export interface Timer {
  /** Counted calls on the JS paths until the next sample. */
  down: number;
  /** Per slot, nonzero: time every call of it whole (the JS paths; the core's dispatch only samples). */
  readonly every: Uint8Array;
  /** A timed call of `slot` took `ms`: `whole` (one of a slot's first calls, or of a slot timed whole) or a sample. */
  timed(slot: number, ms: number, whole: boolean): void;
  /** The next countdown: random, about SAMPLE_EVERY on average. */
  next(): number;
}
