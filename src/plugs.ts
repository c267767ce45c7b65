// Plug reasons: why a slot's HOOK_TRACE bit routes its calls to this thread's
// plug (policy.ts hooked()). Each capability that plugs into the table (trace,
// seccomp's table-wide set, threads' own seccomp chains) owns one reason bit per slot; the core's plugSet() keeps the slot
// word's bit on exactly while any reason is, so one capability switching off
// never switches off another's. The count switch has reasons too (hooks()'
// own, the trace's summary), kept the same way. Internal: capabilities call
// it, users do not.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import type { View } from './view.js';

export const PLUG_TRACE = L.PR_TRACE;
export const PLUG_SECCOMP = L.PR_SECCOMP;
export const PLUG_THREAD = L.PR_THREAD;
/** Not a plug: the trace's summary keeps the slot's count switch on (its calls counted on every thread, sampled for time). */
export const COUNT_SUMMARY = L.PR_COUNT_SUMMARY;

/** Sets or clears `reason` (one PLUG_* bit) on `slot`; returns the slot word left. Threads see it at their next call after plugPublish(). */
export function setPlug(v: View, slot: number, reason: number, on: boolean): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= v.map.total) throw new SystabError('EBADSPEC', `setPlug: slot ${slot} is not one of this table's 0..${v.map.total - 1}`);
  if (reason !== PLUG_TRACE && reason !== PLUG_SECCOMP && reason !== PLUG_THREAD && reason !== COUNT_SUMMARY) throw new SystabError('EBADSPEC', `setPlug: reason ${reason} is not PLUG_TRACE (1), PLUG_SECCOMP (2), PLUG_THREAD (4) or COUNT_SUMMARY (128); the other bits are reserved`);
  return v.core.plugSet(slot, reason, on ? 1 : 0);
}

/** The slot's plug reasons (PLUG_* bits). */
export function plugReasons(v: View, slot: number): number {
  return Atomics.load(v.u8, v.at.reasons + slot);
}

/** Ends a batch of setPlug(): rings every thread's doorbell if a slot's bit flipped. */
export function plugPublish(v: View): void {
  v.core.publish();
}
