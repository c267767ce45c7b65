// Promises of handlers pending on this thread: a count per handler id, and
// this thread's row of the shared async bytes (one per handler: "some are
// pending here"), which unload and replace wait on (grace.ts inflight()).
import * as L from '../assembly/layout.js';
import type { View } from './view.js';
import type { SlotMap } from './slots.js';
import { describeSlot, slotOf } from './slots.js';
import { SystabError } from './errors.js';
import { badResult } from './results.js';
import { NOT_TAKEN } from './proxy.js';

/** Only inFlight() and holdFor() write these; the Table's close() reads `count`. */
export class Pending {
  /** This thread's row of the async bytes, by handler id. */
  readonly flags: Uint8Array;
  readonly counts: Int32Array;
  /** Promises pending on this thread: of handlers (all together), and of carried calls served here (holdFor()). */
  count = 0;
  /** Run when the last pending promise settles. */
  readonly idle: () => void;

  constructor(v: View, idle: () => void) {
    const maxH = v.i32[L.H_MAXH]!;
    this.flags = new Uint8Array(v.memory.buffer, v.at.async + v.me * maxH, maxH);
    // What the previous holder of this worker record had in flight is not this thread's.
    this.flags.fill(0);
    this.counts = new Int32Array(maxH);
    this.idle = idle;
  }
}

/** A carried call's promise running here: this thread's record stays until it settles (its answer goes into the caller's record). */
export function holdFor(p: Pending, promise: Promise<unknown>): void {
  p.count++;
  const done = (): void => {
    if (--p.count === 0) p.idle();
  };
  promise.then(done, done);
}

/** Counts a promise in flight on handler `id` until it settles (unload and replace wait for it). */
export function inFlight(p: Pending, id: number, promise: Promise<unknown>): void {
  if (p.counts[id]!++ === 0) Atomics.store(p.flags, id, 1);
  p.count++;
  const done = (): void => {
    if (--p.counts[id]! === 0) Atomics.store(p.flags, id, 0);
    if (--p.count === 0) p.idle();
  };
  promise.then(done, done);
}

/**
 * Handler `id` returned a non-number `r` for call `nr`: a promise is counted
 * in flight on `id` (the slot may hold another handler by now), anything
 * else is an error (a bigint too, except an injected one inside call64(),
 * which answers it exactly: bigint: true handlers convert theirs).
 */
export function oddResult(p: Pending, map: SlotMap, nr: number, id: number, r: unknown, promises: boolean, exact = false): number {
  if (r === NOT_TAKEN) return r as unknown as number; // tryCall: a carried call its home did not take
  if (exact && typeof r === 'bigint') return r as unknown as number; // inside call64(): an injected retval= beyond 2^53 (not a handler's), answered exactly
  const slot = slotOf(map, nr);
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
    // Counted either way: the handler runs on, and unload waits for it.
    if (id !== 0) inFlight(p, id, r as Promise<unknown>); // id 0: its code was dropped during the call (provide()): nothing left to count on
    else if (!promises) (r as Promise<unknown>).then(undefined, () => {});
    if (promises) return r as unknown as number;
    throw new SystabError('EASYNC', `handler for ${slot >= 0 ? describeSlot(map, slot) : nr} returned a promise, and this table's call() answers numbers: make the table (or attach) with { async: true }, or call it with callAsync()`);
  }
  throw badResult(map, slot, r);
}
