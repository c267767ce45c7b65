// A worker's mailbox: one small SharedArrayBuffer through which the leader
// hands a thread to run to a worker, fresh or idle. Workers are kept when
// their thread exits (a worker costs ~100 ms to start: the bundle, systab's
// attach), so many short-lived threads reuse a few workers.
import type { ThreadStart } from './linux/thread.js';

export const BOX_RUNNING = 0, BOX_IDLE = 1, BOX_CLAIMED = 2, BOX_START = 3;
const STATE = 0, TID = 1, CLEAR = 2, FRM = 3, PC_LO = 4, PC_HI = 5, MASK = 6, LO = 8, HI = 40, FW = 72, FFLAGS = 136, WORDS = 137;

export function newBox(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(WORDS * 4));
}

/** Writes s and wakes the worker; false when the worker was not idle (it is taken, or starting one already). */
export function handTo(box: Int32Array, s: ThreadStart, fresh = false): boolean {
  if (!fresh && Atomics.compareExchange(box, STATE, BOX_IDLE, BOX_CLAIMED) !== BOX_IDLE) return false;
  box[TID] = s.tid; box[CLEAR] = s.clearTid; box[FRM] = s.frm; box[FFLAGS] = s.fflags;
  box[PC_LO] = s.pc % 4294967296; box[PC_HI] = Math.floor(s.pc / 4294967296);
  box[MASK] = s.sigmask[0]; box[MASK + 1] = s.sigmask[1];
  box.set(s.lo, LO); box.set(s.hi, HI); box.set(s.fw, FW);
  Atomics.store(box, STATE, BOX_START);
  Atomics.notify(box, STATE);
  return true;
}

/** The worker's side: waits (idle) for a thread, and takes it. */
export function takeFrom(box: Int32Array): ThreadStart {
  if (Atomics.load(box, STATE) === BOX_RUNNING) Atomics.store(box, STATE, BOX_IDLE);
  for (let st = Atomics.load(box, STATE); st !== BOX_START; st = Atomics.load(box, STATE)) Atomics.wait(box, STATE, st);
  const s: ThreadStart = {
    tid: box[TID]!, clearTid: box[CLEAR]! >>> 0, frm: box[FRM]!, fflags: box[FFLAGS]!, pc: (box[PC_HI]! >>> 0) * 4294967296 + (box[PC_LO]! >>> 0),
    sigmask: [box[MASK]!, box[MASK + 1]!],
    lo: box.slice(LO, LO + 32), hi: box.slice(HI, HI + 32), fw: box.slice(FW, FW + 64),
  };
  Atomics.store(box, STATE, BOX_RUNNING);
  return s;
}
