// The trace capability's shared state: per slot, what its trace switch is on
// for (print a line, inject a fault, the summary). It lives in its own SharedArrayBuffer
// beside the table (posted to workers with Trace.describe()),
// so the table's layout and core know nothing of it. The slot's plug reason
// PLUG_TRACE (plugs.ts; the table keeps HOOK_TRACE on while any reason is)
// is on exactly while its control word has a bit on: set after the control
// word when switching on, cleared after it when switching off, so a thread
// that sees the switch finds what it is for (or nothing, and calls on as usual).
import * as L from '../../assembly/layout.js';
import { SystabError } from '../errors.js';
import { COUNT_SUMMARY, PLUG_TRACE, setPlug } from '../plugs.js';
import type { View } from '../view.js';

export const MAGIC = 0x74726163; // 'trac'
// Header words.
const H_MAGIC = 0;
const H_SLOTS = 1;
const H_ABI = 2; // a hash of the ABI id: attach checks it is the same table's
const H_STRIPES = 3; // summary stripes and event rings: one per worker record of the table (its maxWorkers)
const H_EVENTS = 4; // events each ring holds (0: no rings)
const H_ORIGIN = 6; // a Float64 (words 6-7): the creator's performance.timeOrigin, the zero of event times
export const H_WORDS = 8;

// Per slot: its control word, CTL_* bits and, while CTL_INJECT is on, the
// index of its injection's entry (injections.ts) in bits 8-23; then the
// summary's Float64s (summary.ts): the table's counters summed over every
// thread when the slot's summary switched on, and what earlier spans counted.
export const S_WORDS = 10;
export const S_CONTROL = 0;
export const S_BASE_CALLS = 2; // Float64s from here, at even words (H_WORDS and S_WORDS are even)
export const S_BASE_ERRORS = 4;
export const S_ACC_CALLS = 6;
export const S_ACC_ERRORS = 8;

export const CTL_PRINT = 1;
export const CTL_INJECT = 2;
export const CTL_BITS = 0xff;
export const ENTRY_SHIFT = 8;
export const ENTRY_MASK = 0xffff << ENTRY_SHIFT;

// Injection entries, in their own buffer (injections.ts owns them).
export const E_WORDS = 12;
export const ENTRIES = 256;
export const ENTRIES_BYTES = ENTRIES * E_WORDS * 4;

// The summary (strace -c): the slot's count switch on (reason COUNT_SUMMARY:
// every thread counts its calls and errors in the table's counters), and its
// calls timed where a thread's timer samples them or its plug runs them.
export const CTL_TIME = 4;
// The control bits that route a slot to the plug (PLUG_TRACE).
export const CTL_PLUGGED = CTL_BITS & ~CTL_TIME;

// The summary region, after the slots: per stripe (a thread's worker record)
// and slot, SUM_WORDS words: calls timed whole and calls timed as samples
// (Int32s), then the time in ms of each (Float64s). Only the stripe's thread
// writes it (plain stores); any thread reads and sums.
export const SUM_WORDS = 6;
export const SUM_EXACT = 0; // calls timed whole: each stands for itself
export const SUM_SAMPLED = 1; // calls timed as samples: their mean stands for the calls not timed
export const SUM_EXACT_MS = 2; // Float64s from here (8-byte aligned: every region's size is a multiple of 8 bytes)
export const SUM_SAMPLED_MS = 4;

// The event rings, after the summary: per stripe, EVR_HEAD words then
// `capacity` events of EV_F64 Float64s. Only the stripe's thread writes its
// ring; it publishes each event by storing the new total with Atomics.
export const EVR_HEAD = 4; // [0]: events written, low 32 bits (Atomics); [2-3]: the same as a Float64 (exact)
export const EV_F64 = 12;
export const EV_START = 0; // microseconds since the trace's origin
export const EV_DUR = 1; // microseconds
export const EV_NR = 2;
export const EV_RESULT = 3; // NaN when the handler threw
export const EV_FLAGS = 4; // EVF_*
export const EV_HOME = 5; // the worker record the handler's code lives in (-1: none, a missing call)
export const EV_ARGS = 6; // six arguments
export const EVF_INJECTED = 1;
export const EVF_THREW = 2;
export const EVF_DELAYED = 4;

export const INJ_ERROR = 1;
export const INJ_RETVAL = 2;
export const INJ_DELAY_ONLY = 3; // delays or a signal, the call runs

/** An injection as the shared words hold it (see inject spec parsing). */
export interface InjectWords {
  kind: number;
  /** errno, or the result: a bigint where a number cannot hold it exactly (call64() answers it so). */
  value: number | bigint;
  first: number;
  last: number;
  step: number;
  signal: number;
  delayEnter: number;
  delayExit: number;
}

/** What another thread needs to attach to a table's trace state. */
export interface TraceDescriptor {
  state: SharedArrayBuffer | ArrayBuffer;
  injections: SharedArrayBuffer | ArrayBuffer;
  /** The follow rings (a trace made with follow). */
  follow?: SharedArrayBuffer;
}

/** Where each region starts (in 32-bit words) and its sizes, from the header's counts. */
export interface Regions {
  slots: number;
  stripes: number;
  capacity: number;
  /** The summary region's first word. */
  sum: number;
  /** Words of one thread's summary stripe. */
  sumStripe: number;
  /** The event rings' first word. */
  events: number;
  /** Words of one thread's ring (head and events). */
  ring: number;
  bytes: number;
}

export function regions(slots: number, stripes: number, capacity: number): Regions {
  // The summary's Float64s need an 8-byte aligned start.
  const sum = H_WORDS + slots * S_WORDS + ((slots * S_WORDS) & 1);
  const sumStripe = slots * SUM_WORDS;
  const events = sum + stripes * sumStripe;
  const ring = EVR_HEAD + capacity * EV_F64 * 2;
  return { slots, stripes, capacity, sum, sumStripe, events, ring, bytes: (events + stripes * ring) * 4 };
}

/**
 * A table's trace state as one thread sees it. The control words: any thread
 * (setControl, writeInject). The summary stripe and event ring of worker
 * record `me`: this thread alone writes them (the plug); every thread reads all.
 */
export class TraceState {
  readonly words: Int32Array;
  /** The injection entries (injections.ts). */
  readonly entries: Int32Array;
  readonly f64: Float64Array;
  readonly slots: number;
  readonly at: Regions;
  /** The zero of event times, as this thread's performance.now() counts (ms). */
  readonly origin: number;
  constructor(readonly v: View, buffer: SharedArrayBuffer | ArrayBuffer, entries: SharedArrayBuffer | ArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.entries = new Int32Array(entries);
    this.f64 = new Float64Array(buffer);
    this.slots = v.map.total;
    this.at = regions(this.slots, this.words[H_STRIPES]!, this.words[H_EVENTS]!);
    this.origin = this.f64[H_ORIGIN / 2]! - performance.timeOrigin;
  }
}

function abiHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Makes the trace state of the table whose layout `v` is (shared where the table is), with event rings of `capacity` events. */
export function createState(v: View, capacity = 0): TraceState {
  const slots = v.map.total;
  const stripes = v.i32[L.H_MAXW]!;
  const bytes = regions(slots, stripes, capacity).bytes;
  let buffer: SharedArrayBuffer | ArrayBuffer;
  try {
    buffer = v.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  } catch (e) {
    throw new SystabError('EFULL', `the trace state would take ${bytes} bytes (${stripes} threads x ${capacity} events of 96 bytes), which this runtime cannot allocate (${e instanceof Error ? e.message : String(e)}): ask fewer events`);
  }
  const w = new Int32Array(buffer);
  w[H_SLOTS] = slots;
  w[H_ABI] = abiHash(v.abi.id);
  w[H_STRIPES] = stripes;
  w[H_EVENTS] = capacity;
  new Float64Array(buffer)[H_ORIGIN / 2] = performance.timeOrigin;
  Atomics.store(w, H_MAGIC, MAGIC);
  const entries = v.shared ? new SharedArrayBuffer(ENTRIES_BYTES) : new ArrayBuffer(ENTRIES_BYTES);
  return new TraceState(v, buffer, entries);
}

/** The trace state another thread made for the table whose layout `v` is. */
export function attachState(v: View, desc: unknown): TraceState {
  const { state, injections } = (desc ?? {}) as { state?: unknown; injections?: unknown };
  const bad = (why: string) => new SystabError('EATTACH', `attachTrace() needs the { state, injections } that Trace.describe() returns (${why})`);
  if (typeof desc !== 'object' || desc === null) throw bad(`got ${desc === null ? 'null' : typeof desc}`);
  if (typeof SharedArrayBuffer === 'undefined' || !(state instanceof SharedArrayBuffer)) throw bad('state is not a SharedArrayBuffer');
  if (!(injections instanceof SharedArrayBuffer) || injections.byteLength !== ENTRIES_BYTES) throw bad(`injections is not a SharedArrayBuffer of ${ENTRIES_BYTES} bytes`);
  if (state.byteLength < H_WORDS * 4) throw bad('too small');
  const w = new Int32Array(state);
  if (w[H_MAGIC] !== MAGIC) throw bad('not a trace state');
  if (w[H_SLOTS] !== v.map.total || w[H_ABI] !== abiHash(v.abi.id) || w[H_STRIPES] !== v.i32[L.H_MAXW] || state.byteLength !== regions(v.map.total, w[H_STRIPES]!, w[H_EVENTS]!).bytes) {
    throw bad(`made for another table than this ${v.abi.id} one`);
  }
  return new TraceState(v, state, injections);
}

const at = (s: TraceState, slot: number, word: number): number => H_WORDS + slot * S_WORDS + word;

/** Sets or clears `bits` of a slot's control word, and its trace and summary reasons to match (see above). */
export function setControl(s: TraceState, slot: number, bits: number, on: boolean): void {
  const i = at(s, slot, S_CONTROL);
  const was = on ? Atomics.or(s.words, i, bits) : Atomics.and(s.words, i, ~bits);
  const now = on ? was | bits : was & ~bits;
  if ((bits & CTL_PLUGGED) !== 0) follow(s, slot, PLUG_TRACE, CTL_PLUGGED, (now & CTL_PLUGGED) !== 0);
  if ((bits & CTL_TIME) !== 0) follow(s, slot, COUNT_SUMMARY, CTL_TIME, (now & CTL_TIME) !== 0);
}

/**
 * Sets the slot's `reason` to `want`, then reads the control word's `mask`
 * bits again until they agree: two threads' control changes may reach
 * plugSet in the other order, and the one whose plugSet runs last re-reads
 * the word after it, so the reason ends as the last control change left it.
 */
function follow(s: TraceState, slot: number, reason: number, mask: number, want: boolean): void {
  for (;;) {
    setPlug(s.v, slot, reason, want);
    const now = (Atomics.load(s.words, at(s, slot, S_CONTROL)) & mask) !== 0;
    if (now === want) return;
    want = now;
  }
}

/** The Float64 at word `word` of a slot's summary words (S_BASE_* / S_ACC_*). */
export const slotF64 = (s: TraceState, slot: number, word: number): number => (H_WORDS + slot * S_WORDS + word) >> 1;

/** Ends a batch of setControl(): every thread sees the switches at its next call. */
export function publish(s: TraceState): void {
  s.v.core.publish();
}

export function control(s: TraceState, slot: number): number {
  return Atomics.load(s.words, at(s, slot, S_CONTROL));
}

/** Points a slot's injection at `entry` and switches it on, in one atomic change of its control word. */
export function setInjection(s: TraceState, slot: number, entry: number): void {
  const w = s.words;
  const i = at(s, slot, S_CONTROL);
  for (;;) {
    const cur = Atomics.load(w, i);
    if (Atomics.compareExchange(w, i, cur, (cur & ~ENTRY_MASK) | (entry << ENTRY_SHIFT) | CTL_INJECT) === cur) break;
  }
  follow(s, slot, PLUG_TRACE, CTL_PLUGGED, true);
}
