// Plug reasons: why a slot's HOOK_TRACE bit routes its calls to this thread's
// plug (policy.ts hooked()). Each capability that plugs into the table (trace,
// seccomp's table-wide set, threads' own seccomp chains) owns one reason bit per slot; the core's plugSet() keeps the slot
// word's bit on exactly while any reason is, so one capability switching off
// never switches off another's. Internal: capabilities call it, users do not.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import type { View } from './view.js';

export const PLUG_TRACE = L.PR_TRACE;
export const PLUG_SECCOMP = L.PR_SECCOMP;
export const PLUG_THREAD = L.PR_THREAD;

/** Sets or clears `reason` (one PLUG_* bit) on `slot`; returns the slot word left. Threads see it at their next call after plugPublish(). */
export function setPlug(v: View, slot: number, reason: number, on: boolean): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= v.map.total) throw new SystabError('EBADSPEC', `setPlug: slot ${slot} is not one of this table's 0..${v.map.total - 1}`);
  if (reason !== PLUG_TRACE && reason !== PLUG_SECCOMP && reason !== PLUG_THREAD) throw new SystabError('EBADSPEC', `setPlug: reason ${reason} is not PLUG_TRACE (1), PLUG_SECCOMP (2) or PLUG_THREAD (4); the other bits are reserved`);
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
