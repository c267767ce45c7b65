// One WASI import function's state, shared by its way through the table
// (imports.ts writes it) and its direct way (direct.ts reads it): its own
// file, so neither imports the other.
import { abi } from '../abi/wasi-preview1.js';
import * as L from '../../assembly/layout.js';
import type { HotPath, Timer } from '../thread.js';
import { settled } from '../counted.js';

type Raw = (...a: unknown[]) => unknown;
type WasiArg = number | bigint;
const NOSYS = abi.enosys;
export const answerNosys = (): number => NOSYS;
export const rethrow = (e: unknown): number => {
  throw e;
};

/** @internal One import function's state: written by its way through the table, read by its direct way (direct.ts). */
export class DirectState {
  readonly bell: Int32Array;
  /** The table's hot path, when it is a systab Table on this thread (the direct way raises its depth). */
  readonly hot: HotPath | undefined;
  /** The doorbell value at which `raw` answers for this slot (NaN: none does, go through the table). */
  ready = NaN;
  /** The doorbell value at which `raw` answers for this slot counted, its count switch alone on (NaN: none). */
  counted = NaN;
  raw: Raw = answerNosys;
  caught: (e: unknown) => number = rethrow;
  via: (args: unknown[]) => number | undefined = () => undefined;
  /** This thread's counters, and the words of this slot's calls and errors in them. */
  readonly c: Int32Array;
  readonly at: number;
  /** This import's slot (the timer's index). */
  readonly slot: number;
  readonly errAt: number;
  constructor(bell: Int32Array, hot: HotPath | undefined, slot: number) {
    this.bell = bell;
    this.hot = hot;
    this.c = hot?.hotCounters ?? new Int32Array(L.C_WORDS);
    this.slot = slot;
    this.at = hot === undefined ? 0 : slot * L.C_WORDS + L.C_CALLS;
    this.errAt = hot === undefined ? 0 : slot * L.C_WORDS + L.C_ERRORS;
  }

  /** A result the table counts as an error, as the adapter would have answered it (see adapter.ts): nonzero. */
  isError(r: unknown): boolean {
    if (typeof r === 'number' || r === undefined) return r !== undefined && r !== 0;
    try {
      return (Number(r) | 0) !== 0;
    } catch {
      return true; // the adapter would have thrown converting it: counted as an error
    }
  }

  /** A timed counted call (counted already): the counted way's work, timed by this thread's timer (`whole` or a sample). */
  timedCounted(tm: Timer, whole: boolean, args: WasiArg[]): unknown {
    const h = this.hot!;
    const t0 = performance.now();
    let r;
    h.depth++;
    try {
      r = this.raw(...args);
    } catch (e) {
      h.depth--;
      if (!whole) tm.down = tm.next();
      tm.timed(this.slot, performance.now() - t0, whole);
      return this.caughtCounted(e);
    }
    h.depth--;
    if (!whole) tm.down = tm.next();
    settled(tm, this.slot, t0, whole, r);
    if (r !== 0 && this.isError(r)) this.c[this.errAt]!++;
    return r;
  }

  /** What `raw` threw, answered as the adapter does, counted as the table counts an adapter's answer or exception. */
  caughtCounted(e: unknown): number {
    let n;
    try {
      n = this.caught(e);
    } catch (x) {
      this.c[this.errAt]!++;
      throw x;
    }
    if (n !== 0) this.c[this.errAt]!++;
    return n;
  }
}
