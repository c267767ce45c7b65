// One trace per table: the thread that makes it (traceTable) claims the
// table's H_TRACE word, and every other thread joins it (attachTrace).
// Two traces on one table would fight over the same slot reasons (each
// switching off what the other switched on). The claim names the maker's
// worker record and its claim generation, so a maker that ended without
// close() (a terminated worker) leaves a claim the next maker takes over.
import * as L from '../../assembly/layout.js';
import { SystabError } from '../errors.js';
import { workerWord } from '../records.js';
import type { View } from '../view.js';

const GEN_SHIFT = 11; // worker records are at most 1024 (WORKERS_MAX): record + 1 fits in 11 bits

const mine = (v: View): number => ((v.me + 1) | ((v.i32[workerWord(v, v.me, L.WR_GEN)]! << GEN_SHIFT) >>> 0)) | 0;

/** Whether claim `c` is a live thread's: its record is taken by the claim generation it names. */
function live(v: View, c: number): boolean {
  const w = (c & ((1 << GEN_SHIFT) - 1)) - 1;
  if (w < 0 || w >= v.i32[L.H_MAXW]!) return false;
  if (Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) === L.WS_FREE) return false;
  return ((Atomics.load(v.i32, workerWord(v, w, L.WR_GEN)) << GEN_SHIFT) | 0) === ((c & ~((1 << GEN_SHIFT) - 1)) | 0);
}

/** Claims the table's trace for this thread, or EBUSY naming the thread that holds it. */
export function claimTrace(v: View): void {
  const me = mine(v);
  for (;;) {
    const cur = Atomics.load(v.i32, L.H_TRACE);
    if (cur !== 0 && cur !== me && live(v, cur)) {
      const w = (cur & ((1 << GEN_SHIFT) - 1)) - 1;
      throw new SystabError('EBUSY', `this ${v.abi.id} table already has a trace, made by another thread (worker record ${w}, thread id ${v.i32[workerWord(v, w, L.WR_ID)]}): one trace per table; join it with attachTrace(table, tr.describe()), or close() it there first`);
    }
    if (Atomics.compareExchange(v.i32, L.H_TRACE, cur, me) === cur) return;
  }
}

/** Gives the claim back (the maker's close()); a claim another maker has taken since stays. */
export function releaseTrace(v: View): void {
  Atomics.compareExchange(v.i32, L.H_TRACE, mine(v), 0);
}
