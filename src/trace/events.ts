// The event rings: per thread (worker record) a ring of the last `capacity`
// printed calls, in the trace state's shared memory, so any thread can export
// every thread's calls while they run. A ring's thread alone writes it: the
// total as n + 0.5 (a write under way), the event's words, then the new total
// (a Float64, exact) and, last, its low 32 bits with Atomics.store, which
// publishes the event. A reader takes the total, copies the ring, and keeps
// only the events no write overtook.
import { EV_ARGS, EV_DUR, EV_F64, EV_FLAGS, EV_HOME, EV_NR, EV_RESULT, EV_START, EVF_DELAYED, EVF_INJECTED, EVF_THREW, EVR_HEAD, type TraceState } from './control.js';

/** One call as the event outputs see it. Times in microseconds; `start` counts from the trace's origin (its creation's performance.timeOrigin). */
export interface CallEvent {
  /** The thread: its worker record in the table (0 for the thread that created the table, unless that one closed). */
  tid: number;
  nr: number;
  /** The six argument registers. */
  args: readonly number[];
  /** What the caller got (NaN when the handler threw). */
  result: number;
  /** What the handler threw (only in the event of this thread's own outputs: rings keep only that it threw). */
  threw?: unknown;
  injected: boolean;
  delayed: boolean;
  /** The worker record whose code ran the handler (another thread's: the call was carried there, unless this thread provides the module); -1: no handler. */
  home: number;
  start: number;
  duration: number;
}

const ringAt = (s: TraceState, stripe: number): number => s.at.events + stripe * s.at.ring;

/** Appends event `e` to this thread's ring (the oldest one goes when it is full). */
export function writeEvent(s: TraceState, e: CallEvent): void {
  const cap = s.at.capacity;
  if (cap === 0) return;
  const head = ringAt(s, s.v.me);
  // A write its thread never finished (terminated mid-write) left n + 0.5: that event is given up.
  const total = Math.ceil(s.f64[(head + 2) >> 1]!);
  const at = ((head + EVR_HEAD) >> 1) + (total % cap) * EV_F64;
  const f = s.f64;
  f[(head + 2) >> 1] = total + 0.5; // under way: readers drop the event this one overwrites
  f[at + EV_START] = e.start;
  f[at + EV_DUR] = e.duration;
  f[at + EV_NR] = e.nr;
  f[at + EV_RESULT] = e.result;
  f[at + EV_FLAGS] = (e.injected ? EVF_INJECTED : 0) | (e.threw !== undefined || Number.isNaN(e.result) ? EVF_THREW : 0) | (e.delayed ? EVF_DELAYED : 0);
  f[at + EV_HOME] = e.home;
  for (let i = 0; i < 6; i++) f[at + EV_ARGS + i] = e.args[i]!;
  f[(head + 2) >> 1] = total + 1;
  Atomics.store(s.words, head, (total + 1) | 0);
}

/** One thread's ring, read: its events oldest first, and how many it dropped (written beyond its capacity). */
export interface RingRead {
  tid: number;
  events: CallEvent[];
  dropped: number;
}

/** Reads thread `stripe`'s ring (any thread may, while the ring's thread writes it). */
export function readRing(s: TraceState, stripe: number): RingRead {
  const cap = s.at.capacity;
  const head = ringAt(s, stripe);
  const f = s.f64;
  for (let tries = 0; ; tries++) {
    const low = Atomics.load(s.words, head);
    let total = f[(head + 2) >> 1]!;
    // A write under way: read again; one that never ends (its thread was terminated mid-write) loses its event.
    if (((total | 0) !== low || total % 1 !== 0) && tries < 1000) continue;
    total = Math.floor(total);
    const first = Math.max(0, total - cap);
    const copy = f.slice((head + EVR_HEAD) >> 1, ((head + EVR_HEAD) >> 1) + cap * EV_F64);
    // Writes made while copying may have overwritten the oldest events copied, and one may be under way
    // (its total is n + 0.5): keep only those no write, finished or not, can have reached.
    Atomics.load(s.words, head);
    const after = Math.ceil(f[(head + 2) >> 1]!);
    const keep = Math.max(first, after - cap);
    const events: CallEvent[] = [];
    for (let n = keep; n < total; n++) {
      const at = (n % cap) * EV_F64;
      const flags = copy[at + EV_FLAGS]!;
      events.push({
        tid: stripe,
        nr: copy[at + EV_NR]!,
        args: Array.from(copy.subarray(at + EV_ARGS, at + EV_ARGS + 6)),
        result: copy[at + EV_RESULT]!,
        injected: (flags & EVF_INJECTED) !== 0,
        delayed: (flags & EVF_DELAYED) !== 0,
        home: copy[at + EV_HOME]!,
        start: copy[at + EV_START]!,
        duration: copy[at + EV_DUR]!,
        ...((flags & EVF_THREW) !== 0 ? { threw: true } : {}),
      });
    }
    return { tid: stripe, events, dropped: keep };
  }
}

/** Every thread's ring (threads that recorded nothing are left out). */
export function readRings(s: TraceState): RingRead[] {
  const out: RingRead[] = [];
  for (let w = 0; w < s.at.stripes; w++) {
    const r = readRing(s, w);
    if (r.events.length > 0 || r.dropped > 0) out.push(r);
  }
  return out;
}
