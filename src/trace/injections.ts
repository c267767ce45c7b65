// Injection entries: what inject() and fault() ask, in a shared buffer
// beside the trace state. A writer claims an entry no slot points at by
// moving its version from even to odd (compare-and-swap: one writer per
// entry), checks again that no slot points at it (one may have been
// published since it looked), writes it, points its slots at it (one atomic
// change of each control word, control.ts), and only then makes the version
// even: so an even entry's slots are all visible to the next writer's check.
// A reader checks the version before and after it reads, and reads the
// slot's control word again on a change or while the entry is odd. A writer
// that dies leaves its entry odd: the slots it had pointed at it inject
// nothing (after READ_TRIES looks per call) until inject() or
// clearInjections() points them elsewhere.
import { SystabError } from '../errors.js';
import { control, CTL_INJECT, E_WORDS, ENTRIES, ENTRY_MASK, ENTRY_SHIFT, type InjectWords, type TraceState } from './control.js';

const E_VERSION = 0; // even: stable; odd: being written
const E_KIND = 1;
const E_VALUE_LO = 2; // errno, or the result's low 32 bits
const E_VALUE_HI = 3; // the result's high bits (signed)
const E_FIRST = 4;
const E_LAST = 5; // 0: no end
const E_STEP = 6; // 0: the FIRST-th call only
const E_SIGNAL = 7;
const E_DELAY_ENTER = 8; // microseconds
const E_DELAY_EXIT = 9;
/** Reads of an entry that keeps changing, before a call gives up on injecting (only a damaged buffer gets there). */
const READ_TRIES = 1000;

function referenced(s: TraceState): Set<number> {
  const used = new Set<number>();
  for (let slot = 0; slot < s.slots; slot++) {
    const c = control(s, slot);
    if ((c & CTL_INJECT) !== 0) used.add((c & ENTRY_MASK) >>> ENTRY_SHIFT);
  }
  return used;
}

/**
 * Claims an entry no slot points at and writes `inj` into it; returns its
 * index, still odd: point the slots at it, then releaseEntry(). EFULL when
 * every entry is in use.
 */
export function takeEntry(s: TraceState, inj: InjectWords): number {
  const e = s.entries;
  for (let round = 0; round < 3; round++) {
    const used = referenced(s);
    for (let i = 0; i < ENTRIES; i++) {
      if (used.has(i)) continue;
      const at = i * E_WORDS;
      const v = Atomics.load(e, at + E_VERSION);
      if ((v & 1) !== 0 || Atomics.compareExchange(e, at + E_VERSION, v, v + 1) !== v) continue;
      if (referenced(s).has(i)) {
        // Published since we looked: its writer's slots are all visible now. Leave it as it was.
        Atomics.store(e, at + E_VERSION, v);
        continue;
      }
      Atomics.store(e, at + E_KIND, inj.kind);
      Atomics.store(e, at + E_VALUE_LO, inj.value | 0);
      Atomics.store(e, at + E_VALUE_HI, Math.floor(inj.value / 2 ** 32));
      Atomics.store(e, at + E_FIRST, inj.first);
      Atomics.store(e, at + E_LAST, inj.last);
      Atomics.store(e, at + E_STEP, inj.step);
      Atomics.store(e, at + E_SIGNAL, inj.signal);
      Atomics.store(e, at + E_DELAY_ENTER, inj.delayEnter);
      Atomics.store(e, at + E_DELAY_EXIT, inj.delayExit);
      return i;
    }
  }
  throw new SystabError('EFULL', `no free injection entry: ${ENTRIES} different injections are in use at once (clearInjections() frees theirs)`);
}

/** Ends a write begun by takeEntry(), once its slots point at it. */
export function releaseEntry(s: TraceState, i: number): void {
  Atomics.add(s.entries, i * E_WORDS + E_VERSION, 1);
}

/**
 * The injection slot `slot` points at now, or undefined; `key` changes
 * whenever the slot's injection does (a thread's count of calls starts again).
 */
export function readEntry(s: TraceState, slot: number): { inj: InjectWords; key: number } | undefined {
  const e = s.entries;
  for (let tries = 0; tries < READ_TRIES; tries++) {
    const c = control(s, slot);
    if ((c & CTL_INJECT) === 0) return undefined;
    const i = (c & ENTRY_MASK) >>> ENTRY_SHIFT;
    if (i >= ENTRIES) return undefined;
    const at = i * E_WORDS;
    const v = Atomics.load(e, at + E_VERSION);
    if ((v & 1) !== 0) continue;
    const inj: InjectWords = {
      kind: Atomics.load(e, at + E_KIND),
      value: Atomics.load(e, at + E_VALUE_HI) * 2 ** 32 + (Atomics.load(e, at + E_VALUE_LO) >>> 0),
      first: Atomics.load(e, at + E_FIRST),
      last: Atomics.load(e, at + E_LAST),
      step: Atomics.load(e, at + E_STEP),
      signal: Atomics.load(e, at + E_SIGNAL),
      delayEnter: Atomics.load(e, at + E_DELAY_ENTER),
      delayExit: Atomics.load(e, at + E_DELAY_EXIT),
    };
    if (Atomics.load(e, at + E_VERSION) === v) return { inj, key: i + ENTRIES * v };
  }
  return undefined;
}
