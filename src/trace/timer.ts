// This thread's call timer for the summary (the table's Timer, thread.ts):
// what the counted paths time goes into this thread's stripe of the trace
// state, for slots whose summary is on. A call is timed whole (it stands for
// itself: a slot's first calls, every call of a slot found slow) or as a
// sample (its slot's samples' mean stands for the calls not timed). The
// countdown between samples is random (1 to 2 x SAMPLE_EVERY - 1), so no
// periodic pattern of calls aliases it. A sample that took SLOW_MS or more (a
// slow call, or one the OS preempted or a GC stopped) counts once, as itself,
// not for the ~64 calls a sample stands for, and times its slot whole for the
// next SPAN calls: if they average SLOW_MS or more the slot stays timed whole,
// else it is sampled again. So a preempted sample is not scaled up 64 times,
// and a slow number is timed exactly from its first slow sample on (what it
// did before that is estimated from the samples, or the whole calls' mean).
import * as L from '../../assembly/layout.js';
import type { Timer } from '../thread.js';
import { control, CTL_TIME, SUM_EXACT, SUM_EXACT_MS, SUM_SAMPLED, SUM_SAMPLED_MS, SUM_WORDS, type TraceState } from './control.js';

const SLOW_MS = 0.005;
const SPAN = 256;

export function makeTimer(s: TraceState): Timer {
  const w = s.words;
  const f64 = s.f64;
  const sum = s.at.sum + s.v.me * s.at.sumStripe;
  const every = new Uint8Array(s.slots);
  const left = new Int32Array(s.slots);
  const spanMs = new Float64Array(s.slots);
  let seed = (Math.random() * 0x7fffffff) | 1;
  return {
    down: L.SAMPLE_EVERY,
    every,
    timed(slot, ms, whole) {
      if ((control(s, slot) & CTL_TIME) === 0) return; // counted for stats(), not summarised
      const at = sum + slot * SUM_WORDS;
      if (!whole && ms >= SLOW_MS && every[slot] === 0) {
        every[slot] = 1;
        left[slot] = SPAN;
        spanMs[slot] = 0;
        whole = true; // counted once, as itself, never for the calls a sample stands for
      }
      if (!whole) {
        w[at + SUM_SAMPLED]!++;
        f64[(at + SUM_SAMPLED_MS) >> 1]! += ms;
        return;
      }
      w[at + SUM_EXACT]!++;
      f64[(at + SUM_EXACT_MS) >> 1]! += ms;
      if (every[slot] === 0) return;
      spanMs[slot]! += ms;
      if (--left[slot]! > 0) return;
      if (spanMs[slot]! < SLOW_MS * SPAN) every[slot] = 0;
      left[slot] = SPAN;
      spanMs[slot] = 0;
    },
    next() {
      // xorshift32: cheap, and each thread's sequence its own
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return 1 + ((seed >>> 0) % (2 * L.SAMPLE_EVERY - 1));
    },
  };
}
