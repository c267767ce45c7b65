// Printed calls as data: a JSON object per call (the JSON-lines output and
// export), and Chrome's Trace Event JSON (what ui.perfetto.dev and
// chrome://tracing open): a complete slice per call named sys_<name> on a
// track per thread, its arguments, result and error in `args`.
import { isError } from '../results.js';
import type { Abi } from '../abi/types.js';
import type { SlotMap } from '../slots.js';
import { slotOf } from '../slots.js';
import { callClass } from './classes.js';
import type { CallEvent, RingRead } from './events.js';

/** A call as one JSON line says it. Times in microseconds, `start` from the trace's origin. */
export interface CallRecord {
  tid: number;
  nr: number;
  name: string;
  /** The call's arguments (as many as strace's table says it takes; six where it does not know). */
  args: number[];
  /** What the caller got; null when the handler threw. */
  result: number | null;
  /** The errno's name when the result is an error (ENOENT; WASI: its witx name, noent), else null. */
  error: string | null;
  injected: boolean;
  start: number;
  duration: number;
  /** Present when the handler threw. */
  threw?: true;
  /** Present when the handler's code lives on another thread (the call was carried there). */
  home?: number;
}

/** Turns events into records for one ABI (names, errno names, argument counts). */
export function recordMaker(abi: Abi, map: SlotMap): (e: CallEvent) => CallRecord {
  const errnoName = new Map<number, string>();
  for (const [name, n] of Object.entries(abi.errno)) if (!errnoName.has(n)) errnoName.set(n, name);
  const negative = abi.convention === 'negative';
  const nargs = new Map<number, number>();
  return (e) => {
    const slot = slotOf(map, e.nr);
    const name = (slot >= 0 ? map.nameOfSlot[slot] : undefined) ?? `syscall_0x${e.nr.toString(16)}`;
    let n = nargs.get(e.nr);
    if (n === undefined) nargs.set(e.nr, (n = slot >= 0 && map.nameOfSlot[slot] !== undefined ? callClass(abi, name).nargs : 6));
    const threw = e.threw !== undefined || Number.isNaN(e.result);
    const err = !threw && isError(e.result, negative) ? (errnoName.get(negative ? -e.result : e.result) ?? `errno ${negative ? -e.result : e.result}`) : null;
    const r: CallRecord = { tid: e.tid, nr: e.nr, name, args: e.args.slice(0, n), result: threw ? null : e.result, error: err, injected: e.injected, start: round3(e.start), duration: round3(round3(e.start + e.duration) - round3(e.start)) };
    if (threw) r.threw = true;
    if (e.home >= 0 && e.home !== e.tid) r.home = e.home;
    return r;
  };
}

/** Nanosecond precision, as microseconds (keeps the JSON short). Durations are rounded ends minus rounded starts, so a call inside another stays inside it. */
const round3 = (us: number): number => Math.round(us * 1000) / 1000;

/** Every thread's events, oldest first. */
export function mergeRings(rings: readonly RingRead[]): CallEvent[] {
  return rings.flatMap((r) => r.events).sort((a, b) => a.start - b.start || a.tid - b.tid);
}

/** JSON lines: first one line per thread that dropped events (`{"tid":T,"dropped":N}`), then one per call, oldest first. */
export function jsonLines(rings: readonly RingRead[], make: (e: CallEvent) => CallRecord): string {
  let out = '';
  for (const r of rings) if (r.dropped > 0) out += JSON.stringify({ tid: r.tid, dropped: r.dropped }) + '\n';
  for (const e of mergeRings(rings)) out += JSON.stringify(make(e)) + '\n';
  return out;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

/**
 * Chrome's Trace Event JSON (the JSON object form). One process (pid 1, the
 * table); a thread (tid) per worker record. A call carried to another
 * thread's code also gets an instant on the home thread's track, in the
 * middle of the caller's slice (when the home ran it is not recorded), and a
 * flow arrow from the caller's slice to it.
 */
export function perfetto(rings: readonly RingRead[], make: (e: CallEvent) => CallRecord, abiId: string, threadIds: (tid: number) => number): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, unknown> } {
  const ev: TraceEvent[] = [{ ph: 'M', name: 'process_name', pid: 1, tid: 0, ts: 0, args: { name: `systab ${abiId} table` } }];
  const tids = new Set<number>();
  const dropped: Record<string, number> = {};
  for (const r of rings) {
    tids.add(r.tid);
    if (r.dropped > 0) dropped[String(r.tid)] = r.dropped;
  }
  let flow = 0;
  const calls = mergeRings(rings);
  for (const e of calls) if (e.home >= 0) tids.add(e.home);
  for (const tid of [...tids].sort((a, b) => a - b)) {
    const id = threadIds(tid);
    const drops = dropped[String(tid)];
    ev.push({ ph: 'M', name: 'thread_name', pid: 1, tid, ts: 0, args: { name: `thread ${tid}${id >= 0 ? ` (threadId ${id})` : ''}${drops ? ` (${drops} older calls dropped)` : ''}` } });
  }
  for (const e of calls) {
    const r = make(e);
    const args: Record<string, unknown> = { nr: r.nr, args: r.args, result: r.result, error: r.error };
    if (r.injected) args.injected = true;
    if (r.threw) args.threw = true;
    if (r.home !== undefined) args.home = r.home;
    ev.push({ ph: 'X', cat: 'syscall', name: `sys_${r.name}`, pid: 1, tid: r.tid, ts: r.start, dur: r.duration, args });
    if (r.home !== undefined) {
      const id = ++flow;
      const mid = round3(r.start + r.duration / 2);
      ev.push({ ph: 's', cat: 'carried', name: 'carried', id, pid: 1, tid: r.tid, ts: r.start });
      ev.push({ ph: 'i', s: 't', cat: 'carried', name: `carried sys_${r.name} from thread ${r.tid}`, pid: 1, tid: r.home, ts: mid });
      ev.push({ ph: 'f', bp: 'e', cat: 'carried', name: 'carried', id, pid: 1, tid: r.home, ts: mid });
    }
  }
  const total = Object.values(dropped).reduce((a, b) => a + b, 0);
  return { traceEvents: ev, displayTimeUnit: 'ns', otherData: { source: 'systab/trace', abi: abiId, dropped: total, droppedPerThread: dropped } };
}
