// Injection entries: what inject() and fault() ask, in a shared buffer
// beside the trace state. A writer claims an entry no slot points at (the
// claim word: compare-and-swap, one writer per entry), checks again that no
// slot points at it (one may have been published since it looked), writes
// it under its version (odd while written), points its slots at it (one
// atomic change of each control word, control.ts), and gives the claim
// back. So a published entry is never odd, and never written while a slot
// points at it. A reader checks the version before and after it reads and
// the slot's control word after that; any change, and it reads again. A
// writer that dies holding a claim (its worker record freed or reused) has
// it taken over by the next writer that wants the entry.
import * as L from '../../assembly/layout.js';
import { SystabError } from '../errors.js';
import { workerWord } from '../records.js';
import { control, CTL_INJECT, E_WORDS, ENTRIES, ENTRY_MASK, ENTRY_SHIFT, type InjectWords, type TraceState } from './control.js';

const E_CLAIM = 0; // 0: free; else the claiming thread's worker record + 1
const E_CLAIM_GEN = 1; // that record's claim generation
const E_VERSION = 2; // even: stable; odd: being written
const E_KIND = 3;
const E_VALUE_LO = 4; // errno, or the result's low 32 bits
const E_VALUE_HI = 5; // the result's high bits (signed)
const E_FIRST = 6;
const E_LAST = 7; // 0: no end
const E_STEP = 8; // 0: the FIRST-th call only
const E_SIGNAL = 9;
const E_DELAY_ENTER = 10; // microseconds
const E_DELAY_EXIT = 11;
/** Looks at an entry that keeps changing under a call, before the call gives up on injecting (only a damaged buffer gets there). */
const READ_TRIES = 1000;

function referenced(s: TraceState): Set<number> {
  const used = new Set<number>();
  for (let slot = 0; slot < s.slots; slot++) {
    const c = control(s, slot);
    if ((c & CTL_INJECT) !== 0) used.add((c & ENTRY_MASK) >>> ENTRY_SHIFT);
  }
  return used;
}

/** A claim by a thread that is gone: its worker record is free, or another thread's now. */
function stale(s: TraceState, claim: number, gen: number): boolean {
  const w = claim - 1;
  const v = s.v;
  if (w < 0 || w >= v.i32[L.H_MAXW]!) return true;
  return Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) === L.WS_FREE || Atomics.load(v.i32, workerWord(v, w, L.WR_GEN)) !== gen;
}

/**
 * Claims an entry no slot points at and writes `inj` into it; returns its
 * index, still claimed: point the slots at it, then releaseEntry(). EFULL
 * when every entry is in use.
 */
export function takeEntry(s: TraceState, inj: InjectWords): number {
  const e = s.entries;
  const me = s.v.me + 1;
  for (let round = 0; round < 3; round++) {
    const used = referenced(s);
    for (let i = 0; i < ENTRIES; i++) {
      if (used.has(i)) continue;
      const at = i * E_WORDS;
      const c = Atomics.load(e, at + E_CLAIM);
      if (c !== 0 && !stale(s, c, Atomics.load(e, at + E_CLAIM_GEN))) continue;
      if (Atomics.compareExchange(e, at + E_CLAIM, c, me) !== c) continue;
      Atomics.store(e, at + E_CLAIM_GEN, s.v.claimGen);
      if (referenced(s).has(i)) {
        // Published since we looked: no slot may point at an entry being written.
        Atomics.store(e, at + E_CLAIM, 0);
        continue;
      }
      // A dead writer may have left it odd: no reader looks at it (no slot points at it).
      let v = Atomics.load(e, at + E_VERSION);
      if ((v & 1) !== 0) Atomics.store(e, at + E_VERSION, ++v);
      Atomics.store(e, at + E_VERSION, v + 1);
      Atomics.store(e, at + E_KIND, inj.kind);
      // The result's 64 bits, two's complement: exact whether it came as a number or a bigint.
      const big = typeof inj.value === 'bigint' ? BigInt.asIntN(64, inj.value) : BigInt(inj.value);
      Atomics.store(e, at + E_VALUE_LO, Number(BigInt.asIntN(32, big)));
      Atomics.store(e, at + E_VALUE_HI, Number(big >> 32n));
      Atomics.store(e, at + E_FIRST, inj.first);
      Atomics.store(e, at + E_LAST, inj.last);
      Atomics.store(e, at + E_STEP, inj.step);
      Atomics.store(e, at + E_SIGNAL, inj.signal);
      Atomics.store(e, at + E_DELAY_ENTER, inj.delayEnter);
      Atomics.store(e, at + E_DELAY_EXIT, inj.delayExit);
      Atomics.store(e, at + E_VERSION, v + 2);
      return i;
    }
  }
  throw new SystabError('EFULL', `no free injection entry: ${ENTRIES} different injections are in use at once (clearInjections() frees theirs)`);
}

/** A result from its two words: a number where one holds it exactly, else a bigint. */
function value(hi: number, lo: number): number | bigint {
  const n = hi * 2 ** 32 + (lo >>> 0);
  return Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

/** Gives back the claim takeEntry() took, once the entry's slots point at it. */
export function releaseEntry(s: TraceState, i: number): void {
  Atomics.store(s.entries, i * E_WORDS + E_CLAIM, 0);
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
      value: value(Atomics.load(e, at + E_VALUE_HI), Atomics.load(e, at + E_VALUE_LO)),
      first: Atomics.load(e, at + E_FIRST),
      last: Atomics.load(e, at + E_LAST),
      step: Atomics.load(e, at + E_STEP),
      signal: Atomics.load(e, at + E_SIGNAL),
      delayEnter: Atomics.load(e, at + E_DELAY_ENTER),
      delayExit: Atomics.load(e, at + E_DELAY_EXIT),
    };
    // Still this entry's words, and still this slot's entry (it may have been freed and written again for another set).
    if (Atomics.load(e, at + E_VERSION) === v && control(s, slot) === c) return { inj, key: i + ENTRIES * v };
  }
  return undefined;
}
