// Counters, summed: every thread counts into its own stripe of the counters
// region (the Table's hot path and slow path), and stats() adds the stripes
// up from any thread.
import * as L from '../assembly/layout.js';
import { workerWord } from './records.js';
import type { View } from './view.js';

export interface CallStats {
  nr: number;
  name: string | undefined;
  calls: number;
  errors: number;
  enosys: number;
}
export interface Stats {
  /** Every number with a nonzero counter, by number. Its `calls`, `errors` and `enosys` count while its count switch is on. */
  calls: CallStats[];
  /** Numbers answered with ENOSYS while counting, most frequent first. */
  missing: { nr: number; name: string | undefined; count: number }[];
  /** Calls with numbers no range of the ABI holds, while the count switch of '*' is on. */
  outOfRange: number;
}

/** Counters summed over every thread, counted while the count switch is on: calls, errors, ENOSYS answers per number; out-of-range numbers while '*' counts. */
export function stats(v: View): Stats {
  const calls: CallStats[] = [];
  const missing: Stats['missing'] = [];
  const n = v.i32[L.H_MAXW]!;
  let outOfRange = 0;
  for (let w = 0; w < n; w++) outOfRange += v.i32[workerWord(v, w, L.WR_OOR)]!;
  for (let s = 0; s < v.map.total; s++) {
    let c = 0;
    let e = 0;
    let x = 0;
    for (let w = 0; w < n; w++) {
      const at = v.at.counters + w * v.at.stripe + s * L.C_WORDS;
      c += v.i32[at + L.C_CALLS]!;
      e += v.i32[at + L.C_ERRORS]!;
      x += v.i32[at + L.C_ENOSYS]!;
    }
    if (c === 0 && e === 0 && x === 0) continue;
    const nr = v.map.nrOfSlot[s]!;
    const name = v.map.nameOfSlot[s];
    calls.push({ nr, name, calls: c, errors: e, enosys: x });
    if (x > 0) missing.push({ nr, name, count: x });
  }
  missing.sort((a, b) => b.count - a.count || a.nr - b.nr);
  return { calls, missing, outOfRange };
}
