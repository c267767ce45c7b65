// Handler chains: each slot's stack of handlers (wraps over one plain
// handler or stub), linked top to bottom by their records' `below`, and the
// questions the writer side asks of the handler records. Written under the
// writer lock only; each link changes with one CAS in the core.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { describeSlot } from './slots.js';
import { handlerWord, moduleName, moduleWord } from './records.js';
import type { Writer } from './writer.js';

export function kindOf(wr: Writer, h: number): number {
  return wr.v.i32[handlerWord(wr.v, h, L.HR_KIND)]!;
}
export function belowOf(wr: Writer, h: number): number {
  return Atomics.load(wr.v.i32, handlerWord(wr.v, h, L.HR_BELOW));
}
export function moduleOf(wr: Writer, h: number): number {
  return wr.v.i32[handlerWord(wr.v, h, L.HR_MODULE)]!;
}
export function topOf(wr: Writer, slot: number): number {
  return Atomics.load(wr.v.i32, wr.v.at.slots + slot) & L.ID_MASK;
}

/** The handlers on a slot, top first. */
export function chain(wr: Writer, slot: number): number[] {
  const out: number[] = [];
  const n = wr.v.i32[L.H_MAXH]!;
  // Bounded: a chain in damaged memory may loop or point past the records.
  for (let h = topOf(wr, slot); h !== 0; h = belowOf(wr, h)) {
    if (h >>> 0 >= n >>> 0 || out.length >= n) throw new SystabError('ELAYOUT', `verify: the handler chain of slot ${describeSlot(wr.v.map, slot)} is damaged`);
    out.push(h);
  }
  return out;
}

/** Links handler `h` in directly above `below` (0: at the bottom) on `slot`. One CAS publishes it. */
export function insertAbove(wr: Writer, slot: number, h: number, below: number): void {
  const c = chain(wr, slot);
  const i = below === 0 ? c.length : c.indexOf(below);
  if (i < 0) throw new Error(`systab: handler ${below} is not on slot ${slot}`);
  Atomics.store(wr.v.i32, handlerWord(wr.v, h, L.HR_BELOW), below);
  if (i === 0) publishTop(wr, slot, h);
  else if (!wr.v.core.handlerSetBelow(c[i - 1]!, below, h)) throw new Error('systab: lost a link race under the writer lock');
}

/** Unlinks handler `h` from its slot's chain; returns the handler that was below it. */
export function unlink(wr: Writer, slot: number, h: number): number {
  const below = belowOf(wr, h);
  const c = chain(wr, slot);
  const i = c.indexOf(h);
  if (i < 0) throw new Error(`systab: handler ${h} is not on slot ${slot}`);
  if (i === 0) publishTop(wr, slot, below);
  else if (!wr.v.core.handlerSetBelow(c[i - 1]!, h, below)) throw new Error('systab: lost a link race under the writer lock');
  return below;
}

/** Puts handler `h` where `old` is, over what `old` had below, in one CAS. */
export function swapIn(wr: Writer, slot: number, old: number, h: number): void {
  const c = chain(wr, slot);
  const i = c.indexOf(old);
  if (i < 0) throw new Error(`systab: handler ${old} is not on slot ${slot}`);
  Atomics.store(wr.v.i32, handlerWord(wr.v, h, L.HR_BELOW), belowOf(wr, old));
  if (i === 0) publishTop(wr, slot, h);
  else if (!wr.v.core.handlerSetBelow(c[i - 1]!, old, h)) throw new Error('systab: lost a link race under the writer lock');
}

export function publishTop(wr: Writer, slot: number, h: number): void {
  const word = Atomics.load(wr.v.i32, wr.v.at.slots + slot);
  const slow = h !== 0 && (kindOf(wr, h) & L.HK_STUB) !== 0;
  if (wr.v.core.slotSwap(slot, word & (L.ID_MASK | L.GEN_MASK), h, slow ? 1 : 0) === 0) throw new Error('systab: lost a slot race under the writer lock');
}

export function ownerName(wr: Writer, h: number): string {
  return moduleName(wr.v, moduleOf(wr, h));
}

/** Live handlers of a module of one sort: its code (wraps included), its reservation stubs, or its unload's stubs. */
export type Sort = 'code' | 'reserved' | 'unload';
export function recordsOf(wr: Writer, mid: number, sort: Sort): number[] {
  const out: number[] = [];
  const n = wr.v.i32[L.H_MAXH]!;
  for (let h = 1; h < n; h++) {
    if (Atomics.load(wr.v.i32, handlerWord(wr.v, h, L.HR_STATE)) !== L.HS_LIVE || moduleOf(wr, h) !== mid) continue;
    const k = kindOf(wr, h);
    if (((k & L.HK_UNLOAD) !== 0 ? 'unload' : (k & L.HK_STUB) !== 0 ? 'reserved' : 'code') === sort) out.push(h);
  }
  return out;
}
export const handlersOf = (wr: Writer, mid: number): number[] => recordsOf(wr, mid, 'code');
export const stubsOf = (wr: Writer, mid: number): number[] => recordsOf(wr, mid, 'reserved');

/** Frees records allocated but never published. */
export function dropUnpublished(wr: Writer, ids: readonly number[]): void {
  for (const a of ids) {
    wr.v.core.handlerRetire(a, wr.v.me);
    wr.v.core.handlerFree(a);
  }
}

export function hasStubs(wr: Writer, mid: number): boolean {
  return stubsOf(wr, mid).length > 0;
}

export function notUnloading(wr: Writer, mid: number, name: string): void {
  if (mid !== 0 && wr.v.i32[moduleWord(wr.v, mid, L.MR_HOME)]! < 0) {
    throw new SystabError('EBUSY', `module "${name}" is being unloaded (its unload waits for a grace period); await that unload first`);
  }
}

export function beingUnloaded(wr: Writer, slot: number, stub: number): SystabError {
  return new SystabError('EBUSY', `call ${describeSlot(wr.v.map, slot)} is being unloaded from module "${ownerName(wr, stub)}" (its unload waits for a grace period); await that unload first`);
}
