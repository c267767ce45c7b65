// This thread's call timer for the summary (the table's Timer, thread.ts):
// what the counted paths time goes into this thread's stripe of the trace
// state, for slots whose summary is on. The countdown between timed calls is
// random (1 to 2 x SAMPLE_EVERY - 1), so no periodic call pattern aliases it.
import * as L from '../../assembly/layout.js';
import type { Timer } from '../thread.js';
import { control, CTL_TIME, SUM_TIME, SUM_TIMED, SUM_WORDS, type TraceState } from './control.js';

export function makeTimer(s: TraceState): Timer {
  const w = s.words;
  const f64 = s.f64;
  const sum = s.at.sum + s.v.me * s.at.sumStripe;
  let seed = (Math.random() * 0x7fffffff) | 1;
  return {
    down: L.SAMPLE_EVERY,
    timed(slot, ms) {
      if ((control(s, slot) & CTL_TIME) === 0) return; // counted for stats(), not summarised
      const at = sum + slot * SUM_WORDS;
      w[at + SUM_TIMED]!++;
      f64[(at + SUM_TIME) >> 1]! += ms;
    },
    next() {
      // xorshift32: cheap, and any thread's sequence its own
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return 1 + ((seed >>> 0) % (2 * L.SAMPLE_EVERY - 1));
    },
  };
}
