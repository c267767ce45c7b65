// What threads leave behind: a thread that closes or dies hands its
// unfinished work (handlers it was draining, unloads it had begun, a change
// it was making under the lock) to the next writer, which finishes it.
import * as L from '../assembly/layout.js';
import { lock, unlock } from './grace.js';
import { handlerWord, moduleWord } from './records.js';
import { chain, handlersOf, hasStubs, recordsOf, unlink } from './chains.js';
import type { Writer } from './writer.js';

/**
 * An unload's end, under the lock: every record of module `mid` still in the
 * table leaves it (its unload stubs, and any handler an unloader that died
 * in step 1 had not taken out yet), the module record says "not loaded",
 * freed if it holds no reservation. Whatever leaves is freed after a grace period.
 */
export function finishUnload(wr: Writer, mid: number): void {
  const out = [...recordsOf(wr, mid, 'unload'), ...handlersOf(wr, mid)];
  for (const h of out) {
    const slot = wr.v.i32[handlerWord(wr.v, h, L.HR_SLOT)]!;
    if (chain(wr, slot).includes(h)) unlink(wr, slot, h);
    wr.v.core.handlerRetire(h, wr.v.me);
  }
  if (out.length > 0) wr.limbo.retire(wr.thread, out).catch(() => {});
  Atomics.store(wr.v.i32, moduleWord(wr.v, mid, L.MR_HOME), 0);
  if (!hasStubs(wr, mid)) wr.v.core.moduleFree(mid);
}

/**
 * Marks what worker `w` leaves unfinished as orphans (it is closing, or it
 * died and is being evicted): handlers it retired and was waiting to free,
 * and modules it was unloading. The next writer adopts them (adoptOrphans).
 * Called before `w`'s record is freed, so no new thread of that index is confused with it.
 */
export function orphan(wr: Writer, w: number): void {
  const n = wr.v.i32[L.H_MAXH]!;
  const from = L.HS_GOING | ((w + 1) << L.HS_BY_SHIFT);
  for (let h = 1; h < n; h++) Atomics.compareExchange(wr.v.i32, handlerWord(wr.v, h, L.HR_STATE), from, L.HS_GOING);
  const m = wr.v.i32[L.H_MAXM]!;
  for (let id = 1; id < m; id++) Atomics.compareExchange(wr.v.i32, moduleWord(wr.v, id, L.MR_HOME), -(w + 1), L.MR_ORPHAN);
  Atomics.or(wr.v.i32, L.H_ORPHANS, L.ORPHANS_LEFT);
}

/** The writer lock, and what threads that left behind: their retired handlers are freed after this thread's grace period, their unloads finished. */
export function lockForChange(wr: Writer): void {
  lock(wr.thread);
  if (Atomics.load(wr.v.i32, L.H_ORPHANS) === 0) return;
  const left = Atomics.exchange(wr.v.i32, L.H_ORPHANS, 0);
  if (left === 0) return;
  try {
    if ((left & L.ORPHANS_LOCK_LOST) !== 0) repairHalfMade(wr);
    adoptOrphans(wr);
  } catch (e) {
    unlock(wr.thread); // never leave the lock held on a failure here
    throw e;
  }
}

/**
 * A writer died holding the lock: its change may be half made. Outside a
 * change every LIVE handler record is on exactly one slot's chain (what
 * verify() checks), so a LIVE record on none was allocated or unlinked by
 * that change: it becomes an orphan (GOING, nobody's), freed after a grace
 * period like any other. Slots it had already changed keep their new state.
 */
function repairHalfMade(wr: Writer): void {
  const n = wr.v.i32[L.H_MAXH]!;
  const on = new Uint8Array(n);
  for (let s = 0; s < wr.v.map.total; s++) {
    let h = Atomics.load(wr.v.i32, wr.v.at.slots + s) & L.ID_MASK;
    for (let k = 0; h !== 0 && h >>> 0 < n >>> 0 && k < n; k++, h = Atomics.load(wr.v.i32, handlerWord(wr.v, h, L.HR_BELOW))) on[h] = 1;
  }
  for (let h = 1; h < n; h++) if (on[h] === 0) Atomics.compareExchange(wr.v.i32, handlerWord(wr.v, h, L.HR_STATE), L.HS_LIVE, L.HS_GOING);
}

function adoptOrphans(wr: Writer): void {
  const ids: number[] = [];
  const n = wr.v.i32[L.H_MAXH]!;
  const mine = L.HS_GOING | ((wr.v.me + 1) << L.HS_BY_SHIFT);
  for (let h = 1; h < n; h++) if (Atomics.compareExchange(wr.v.i32, handlerWord(wr.v, h, L.HR_STATE), L.HS_GOING, mine) === L.HS_GOING) ids.push(h);
  if (ids.length > 0) wr.limbo.retire(wr.thread, ids).catch(() => {});
  const m = wr.v.i32[L.H_MAXM]!;
  for (let id = 1; id < m; id++) {
    if (Atomics.load(wr.v.i32, moduleWord(wr.v, id, L.MR_STATE)) !== L.MS_LIVE || wr.v.i32[moduleWord(wr.v, id, L.MR_HOME)] !== L.MR_ORPHAN) continue;
    wr.v.core.moduleBump(id);
    finishUnload(wr, id);
  }
}
