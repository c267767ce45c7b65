// The layout check: verify() under the writer lock, and its code turned into a sentence.
import * as L from '../assembly/layout.js';
import { describeSlot, type SlotMap } from './slots.js';
import { SystabError } from './errors.js';
import { unlock } from './grace.js';
import { lockForChange } from './orphans.js';
import { leakedRecord } from './call-records.js';
import type { Writer } from './writer.js';

const what: Record<number, (i: string) => string> = {
  [L.V_HEADER]: (i) => `the header is damaged (check ${i})`,
  [L.V_SLOT_ID]: (i) => `slot ${i} holds a handler id beyond the handler records`,
  [L.V_SLOT_BITS]: (i) => `slot ${i} has bits that do not match its handler or policy`,
  [L.V_SLOT_HANDLER]: (i) => `slot ${i} points to a handler that is not live on that slot`,
  [L.V_HANDLER_STATE]: (i) => `handler ${i} has a bad state, kind, slot or home`,
  [L.V_HANDLER_MODULE]: (i) => `handler ${i} belongs to no module`,
  [L.V_HANDLER_BELOW]: (i) => `handler ${i} sits over a handler that is not live on its slot`,
  [L.V_HANDLER_REFS]: (i) => `handler ${i} is live but not referenced exactly once`,
  [L.V_MODULE]: (i) => `module record ${i} is damaged`,
  [L.V_WORKER]: (i) => `worker record ${i} is damaged`,
  [L.V_POLICY]: (i) => `slot ${i} has an unknown missing-call policy`,
  [L.V_PLUG]: (i) => `slot ${i} has its trace bit (HOOK_TRACE) or count bit (HOOK_COUNT) and its reasons out of step (each bit is on exactly while a reason for it is)`,
  [L.V_CALL]: (i) => `call record ${i} is damaged (or left held by a worker that is gone)`,
};

export function decodeVerify(v: number, map: SlotMap): string {
  const code = v >>> 24;
  const index = v & 0xffffff;
  const slotCodes = [L.V_SLOT_ID, L.V_SLOT_BITS, L.V_SLOT_HANDLER, L.V_POLICY, L.V_PLUG];
  const label = slotCodes.includes(code) && index < map.total ? describeSlot(map, index) : String(index);
  return `verify: ${(what[code] ?? (() => `unknown check ${code}`))(label)}`;
}

/**
 * Checks every invariant of the shared layout (Table.verify), under the
 * writer lock: every change waits, so what it checks is one state of the
 * table, from any thread (hook and policy flips keep every invariant). The
 * thread holds the lock already when called from inside a change (a wrap
 * factory). `carrying`: the calls this thread has carried and not finished.
 */
export function verifyTable(wr: Writer, carrying: number): void {
  const v = wr.v;
  const mine = Atomics.load(v.i32, L.H_LOCK) === v.me + 1;
  // lockForChange: a change a dead writer left half made is repaired first (it is flagged, not damage).
  if (!mine) lockForChange(wr);
  let code: number;
  try {
    code = v.core.verify();
    // plugSet() takes no lock: a call in progress on another thread may hold a slot's bit and reasons apart for a moment.
    for (let t0 = performance.now(); code >>> L.V_CODE_SHIFT === L.V_PLUG && performance.now() - t0 < 100; ) code = v.core.verify();
  } finally {
    if (!mine) unlock(wr.thread);
  }
  if (code !== 0) throw new SystabError('ELAYOUT', decodeVerify(code, v.map));
  const k = leakedRecord(v, carrying);
  if (k >= 0) throw new SystabError('ELAYOUT', `verify: call record ${k} of worker ${v.me} (this thread) is held with no call in progress`);
}
