// The trace capability's shared state: per slot, what its trace switch is on
// for (print a line, inject a fault) and the fault's spec. It lives in its own
// SharedArrayBuffer beside the table (posted to workers with describeTrace()),
// so the table's layout and core know nothing of it. The number's trace
// switch in the slot word (HOOK_TRACE) is on exactly while its control word
// is nonzero: set after the control word when switching on, cleared before it
// when switching off, so a thread that sees the switch finds what it is for
// (or nothing, and calls on as usual).
import * as L from '../../assembly/layout.js';
import { SystabError } from '../errors.js';
import type { View } from '../view.js';

export const MAGIC = 0x74726163; // 'trac'
// Header words.
const H_MAGIC = 0;
const H_SLOTS = 1;
const H_ABI = 2; // a hash of the ABI id: attach checks it is the same table's
export const H_WORDS = 4;

// Per slot.
export const S_WORDS = 12;
export const S_CONTROL = 0; // CTL_* bits
export const S_VERSION = 1; // even: stable; odd: its spec is being written (a seqlock)
export const S_KIND = 2; // INJ_*
export const S_VALUE_LO = 3; // errno (error=), or retval's low 32 bits
export const S_VALUE_HI = 4; // retval's high bits (a signed number above 2^32)
export const S_FIRST = 5; // when=FIRST..LAST+STEP (1-based; LAST 0: no end; STEP 0: only FIRST..LAST each)
export const S_LAST = 6;
export const S_STEP = 7;
export const S_SIGNAL = 8; // 0: none
export const S_DELAY_ENTER = 9; // microseconds
export const S_DELAY_EXIT = 10;

export const CTL_PRINT = 1;
export const CTL_INJECT = 2;

export const INJ_NONE = 0;
export const INJ_ERROR = 1;
export const INJ_RETVAL = 2;
export const INJ_DELAY_ONLY = 3; // delays or a signal, the call runs

/** An injection as the shared words hold it (see inject spec parsing). */
export interface InjectWords {
  kind: number;
  value: number;
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
}

export class TraceState {
  readonly words: Int32Array;
  readonly slots: number;
  constructor(readonly v: View, buffer: SharedArrayBuffer | ArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.slots = v.map.total;
  }
}

function abiHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Makes the trace state of the table whose layout `v` is (shared where the table is). */
export function createState(v: View): TraceState {
  const slots = v.map.total;
  const bytes = (H_WORDS + slots * S_WORDS) * 4;
  const buffer = v.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const w = new Int32Array(buffer);
  w[H_SLOTS] = slots;
  w[H_ABI] = abiHash(v.abi.id);
  w[H_MAGIC] = MAGIC;
  return new TraceState(v, buffer);
}

/** The trace state another thread made for the table whose layout `v` is. */
export function attachState(v: View, desc: unknown): TraceState {
  const state = (desc as { state?: unknown } | null)?.state;
  const bad = (why: string) => new SystabError('EATTACH', `attachTrace() needs the { state } that describeTrace() returns (${why})`);
  if (typeof desc !== 'object' || desc === null) throw bad(`got ${desc === null ? 'null' : typeof desc}`);
  if (typeof SharedArrayBuffer === 'undefined' || !(state instanceof SharedArrayBuffer)) throw bad('state is not a SharedArrayBuffer');
  if (state.byteLength < H_WORDS * 4) throw bad('too small');
  const w = new Int32Array(state);
  if (w[H_MAGIC] !== MAGIC) throw bad('not a trace state');
  if (w[H_SLOTS] !== v.map.total || w[H_ABI] !== abiHash(v.abi.id) || state.byteLength !== (H_WORDS + v.map.total * S_WORDS) * 4) {
    throw bad(`made for another table than this ${v.abi.id} one`);
  }
  return new TraceState(v, state);
}

const at = (s: TraceState, slot: number, word: number): number => H_WORDS + slot * S_WORDS + word;

/** Sets or clears `bits` of a slot's control word, and its trace switch to match (see above). */
export function setControl(s: TraceState, slot: number, bits: number, on: boolean): void {
  const w = s.words;
  const core = s.v.core;
  if (on) {
    Atomics.or(w, at(s, slot, S_CONTROL), bits);
    core.hooksSet(slot, L.HOOK_TRACE, 0);
    return;
  }
  const left = Atomics.and(w, at(s, slot, S_CONTROL), ~bits) & ~bits;
  // Off only if nothing else is on; another thread setting a bit meanwhile sets the switch after its own bit.
  if (left === 0) {
    core.hooksSet(slot, 0, L.HOOK_TRACE);
    if (Atomics.load(w, at(s, slot, S_CONTROL)) !== 0) core.hooksSet(slot, L.HOOK_TRACE, 0);
  }
}

/** Ends a batch of setControl(): every thread sees the switches at its next call. */
export function publish(s: TraceState): void {
  s.v.core.publish();
}

export function control(s: TraceState, slot: number): number {
  return Atomics.load(s.words, at(s, slot, S_CONTROL));
}

/** Writes a slot's injection (a seqlock: readers retry while it is written). */
export function writeInject(s: TraceState, slot: number, inj: InjectWords): void {
  const w = s.words;
  const v = at(s, slot, S_VERSION);
  Atomics.add(w, v, 1);
  const hi = Math.floor(inj.value / 2 ** 32);
  Atomics.store(w, at(s, slot, S_KIND), inj.kind);
  Atomics.store(w, at(s, slot, S_VALUE_LO), inj.value | 0);
  Atomics.store(w, at(s, slot, S_VALUE_HI), hi);
  Atomics.store(w, at(s, slot, S_FIRST), inj.first);
  Atomics.store(w, at(s, slot, S_LAST), inj.last);
  Atomics.store(w, at(s, slot, S_STEP), inj.step);
  Atomics.store(w, at(s, slot, S_SIGNAL), inj.signal);
  Atomics.store(w, at(s, slot, S_DELAY_ENTER), inj.delayEnter);
  Atomics.store(w, at(s, slot, S_DELAY_EXIT), inj.delayExit);
  Atomics.add(w, v, 1);
}

/** A slot's injection and its version (changes with every write: per-thread counts start again). */
export function readInject(s: TraceState, slot: number): { inj: InjectWords; version: number } {
  const w = s.words;
  const v = at(s, slot, S_VERSION);
  for (;;) {
    const v1 = Atomics.load(w, v);
    if ((v1 & 1) === 0) {
      const lo = Atomics.load(w, at(s, slot, S_VALUE_LO));
      const hi = Atomics.load(w, at(s, slot, S_VALUE_HI));
      const inj: InjectWords = {
        kind: Atomics.load(w, at(s, slot, S_KIND)),
        value: hi * 2 ** 32 + (lo >>> 0),
        first: Atomics.load(w, at(s, slot, S_FIRST)),
        last: Atomics.load(w, at(s, slot, S_LAST)),
        step: Atomics.load(w, at(s, slot, S_STEP)),
        signal: Atomics.load(w, at(s, slot, S_SIGNAL)),
        delayEnter: Atomics.load(w, at(s, slot, S_DELAY_ENTER)),
        delayExit: Atomics.load(w, at(s, slot, S_DELAY_EXIT)),
      };
      if (Atomics.load(w, v) === v1) return { inj, version: v1 };
    }
  }
}
