// strace -c: the call summary. Calls and errors are the table's own counters
// (every thread counts a summarised slot: the summary keeps its count switch
// on), times are what each thread timed into its stripe of the trace state
// (its timer's samples, or every call its plug runs), and its text is in
// strace's own layout (strace's src/count.c, call_summary_pers:
// the column widths, the blank errors of a row with none, the total row).
// Times are wall time around the handler (strace -c -w), not system time.
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import * as L from '../../assembly/layout.js';
import { control, CTL_TIME, setControl, slotF64, S_ACC_CALLS, S_ACC_ERRORS, S_BASE_CALLS, S_BASE_ERRORS, SUM_EXACT, SUM_EXACT_MS, SUM_SAMPLED, SUM_SAMPLED_MS, SUM_WORDS, type TraceState } from './control.js';

/** One number's line of the summary. */
export interface SummaryRow {
  nr: number;
  /** The call's name, or strace's `syscall_0x<hex>` for a number the ABI does not name. */
  name: string;
  calls: number;
  /** Calls whose result was an error in the ABI's convention (or that threw). */
  errors: number;
  /** Wall time spent in the calls (the handler, the hooks below the trace switch, carried calls' round trips). */
  seconds: number;
  /** strace's usecs/call: whole microseconds, rounded down. */
  usecsPerCall: number;
  /** Share of the total time, 0-100. */
  percent: number;
}

export interface Summary {
  rows: SummaryRow[];
  total: { calls: number; errors: number; seconds: number; usecsPerCall: number };
}

/** strace's -S keys (and their aliases) this summary can sort by. */
export type SummarySort = 'time' | 'calls' | 'errors' | 'name' | 'avg-time' | 'nothing';

const SORT_ALIASES: Record<string, SummarySort> = {
  time: 'time', time_percent: 'time', 'time-percent': 'time', time_total: 'time', 'time-total': 'time', total_time: 'time', 'total-time': 'time',
  wall_total: 'time', 'wall-total': 'time', total_wall: 'time', 'total-wall': 'time',
  avg_time: 'avg-time', 'avg-time': 'avg-time', time_avg: 'avg-time', 'time-avg': 'avg-time', wall_avg: 'avg-time', 'wall-avg': 'avg-time', avg_wall: 'avg-time', 'avg-wall': 'avg-time',
  calls: 'calls', count: 'calls',
  errors: 'errors', error: 'errors',
  name: 'name', syscall: 'name', syscall_name: 'name', 'syscall-name': 'name',
  nothing: 'nothing', none: 'nothing',
};
const NOT_KEPT = ['min_time', 'min-time', 'shortest', 'time_min', 'time-min', 'longest', 'max_time', 'max-time', 'time_max', 'time-max', 'wall_min', 'wall-min', 'min_wall', 'min-wall', 'wall_max', 'wall-max', 'max_wall', 'max-wall'];

/** A -S key as strace takes it, or a typed error saying which keys there are. */
export function sortKey(key: unknown): SummarySort {
  if (key === undefined) return 'time';
  if (typeof key === 'string' && Object.hasOwn(SORT_ALIASES, key)) return SORT_ALIASES[key]!;
  if (typeof key === 'string' && NOT_KEPT.includes(key)) throw new SystabError('EBADSPEC', `summary sort "${key}": systab keeps no shortest or longest call times; sort by time, avg-time, calls, errors, name or nothing`);
  throw new SystabError('EBADSPEC', `summary sort must be one of strace's -S keys time, avg-time, calls, errors, name, nothing (got ${show(key)})`);
}

/** The table's calls and errors of `slot`, summed over every thread's counters (each thread counts its own). */
function counted(s: TraceState, slot: number): [number, number] {
  const v = s.v;
  const n = v.i32[L.H_MAXW]!;
  let calls = 0;
  let errors = 0;
  for (let w = 0; w < n; w++) {
    const at = v.at.counters + w * v.at.stripe + slot * L.C_WORDS;
    // A missing call counts as its ENOSYS answer only: strace counts it a call and an error.
    const missing = v.i32[at + L.C_ENOSYS]! >>> 0;
    calls += (v.i32[at + L.C_CALLS]! >>> 0) + missing;
    errors += (v.i32[at + L.C_ERRORS]! >>> 0) + missing;
  }
  return [calls, errors];
}

/**
 * Switches the summary of these slots on or off: a slot's calls are what the
 * table's counters counted while its switch was on (a base taken as it
 * switches on, the span added to the slot's earlier ones as it switches off).
 */
export function switchSummary(s: TraceState, on: ReadonlySet<number>): void {
  const f = s.f64;
  for (let slot = 0; slot < s.slots; slot++) {
    const was = (control(s, slot) & CTL_TIME) !== 0;
    const want = on.has(slot);
    if (was === want) continue;
    if (want) {
      const [c, e] = counted(s, slot);
      f[slotF64(s, slot, S_BASE_CALLS)] = c;
      f[slotF64(s, slot, S_BASE_ERRORS)] = e;
      setControl(s, slot, CTL_TIME, true);
    } else {
      setControl(s, slot, CTL_TIME, false);
      const [c, e] = counted(s, slot);
      f[slotF64(s, slot, S_ACC_CALLS)]! += c - f[slotF64(s, slot, S_BASE_CALLS)]!;
      f[slotF64(s, slot, S_ACC_ERRORS)]! += e - f[slotF64(s, slot, S_BASE_ERRORS)]!;
    }
  }
}

/**
 * Per slot: calls and errors (the table's counters while its summary was on)
 * and nanoseconds: the calls timed whole, the samples, and the samples' mean
 * for every call not timed (timer.ts says which calls are which).
 */
function sumStripes(s: TraceState): { calls: Float64Array; errors: Float64Array; ns: Float64Array } {
  const n = s.slots;
  const calls = new Float64Array(n);
  const errors = new Float64Array(n);
  const ns = new Float64Array(n);
  const { words: w, f64 } = s;
  for (let slot = 0; slot < n; slot++) {
    let c = f64[slotF64(s, slot, S_ACC_CALLS)]!;
    let e = f64[slotF64(s, slot, S_ACC_ERRORS)]!;
    if ((control(s, slot) & CTL_TIME) !== 0) {
      const [nc, ne] = counted(s, slot);
      c += nc - f64[slotF64(s, slot, S_BASE_CALLS)]!;
      e += ne - f64[slotF64(s, slot, S_BASE_ERRORS)]!;
    }
    if (c <= 0) continue;
    let exact = 0;
    let exactMs = 0;
    let sampled = 0;
    let sampledMs = 0;
    for (let t = 0; t < s.at.stripes; t++) {
      const at = s.at.sum + t * s.at.sumStripe + slot * SUM_WORDS;
      exact += w[at + SUM_EXACT]! >>> 0;
      sampled += w[at + SUM_SAMPLED]! >>> 0;
      exactMs += f64[(at + SUM_EXACT_MS) >> 1]!;
      sampledMs += f64[(at + SUM_SAMPLED_MS) >> 1]!;
    }
    calls[slot] = c;
    errors[slot] = Math.max(0, e);
    // The calls not timed take the samples' mean (else the whole calls' mean: a slot timed whole since its first calls).
    const mean = sampled > 0 ? sampledMs / sampled : exact > 0 ? exactMs / exact : 0;
    ns[slot] = Math.round((exactMs + mean * Math.max(0, c - exact - sampled) + sampledMs) * 1e6);
  }
  return { calls, errors, ns };
}

/** The summary now, from every thread's counts, sorted as strace's -S `sort` sorts (ties by number). */
export function readSummary(s: TraceState, sort: SummarySort): Summary {
  const { calls, errors, ns } = sumStripes(s);
  const map = s.v.map;
  let totalNs = 0;
  let totalCalls = 0;
  let totalErrors = 0;
  for (let slot = 0; slot < s.slots; slot++) {
    totalNs += ns[slot]!;
    totalCalls += calls[slot]!;
    totalErrors += errors[slot]!;
  }
  const rows: SummaryRow[] = [];
  const order: number[] = [];
  for (let slot = 0; slot < s.slots; slot++) if (calls[slot]! > 0) order.push(slot);
  // By number first (strace's table order), so a stable sort leaves ties in it.
  order.sort((a, b) => map.nrOfSlot[a]! - map.nrOfSlot[b]!);
  for (const slot of order) {
    const nr = map.nrOfSlot[slot]!;
    const c = calls[slot]!;
    rows.push({
      nr,
      name: map.nameOfSlot[slot] ?? `syscall_0x${nr.toString(16)}`,
      calls: c,
      errors: errors[slot]!,
      seconds: ns[slot]! / 1e9,
      usecsPerCall: Math.floor(Math.floor(ns[slot]! / c) / 1000),
      percent: ns[slot]! === 0 ? 0 : (100 * ns[slot]!) / totalNs,
    });
  }
  const by: Record<SummarySort, ((a: SummaryRow, b: SummaryRow) => number) | undefined> = {
    time: (a, b) => b.seconds - a.seconds,
    'avg-time': (a, b) => b.seconds / b.calls - a.seconds / a.calls,
    calls: (a, b) => b.calls - a.calls,
    errors: (a, b) => b.errors - a.errors,
    name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    nothing: undefined,
  };
  const cmp = by[sort];
  if (cmp !== undefined) rows.sort(cmp);
  const usecs = totalCalls === 0 ? 0 : Math.floor((totalNs / 1e9 / totalCalls) * 1e6);
  return { rows, total: { calls: totalCalls, errors: totalErrors, seconds: totalNs / 1e9, usecsPerCall: usecs } };
}

/** Zeroes the summary: its spans so far and every thread's timings (a thread timing meanwhile may keep a call or two). */
export function resetSummary(s: TraceState): void {
  const f = s.f64;
  for (let slot = 0; slot < s.slots; slot++) {
    const [c, e] = counted(s, slot);
    f[slotF64(s, slot, S_BASE_CALLS)] = c;
    f[slotF64(s, slot, S_BASE_ERRORS)] = e;
    f[slotF64(s, slot, S_ACC_CALLS)] = 0;
    f[slotF64(s, slot, S_ACC_ERRORS)] = 0;
  }
  s.words.fill(0, s.at.sum, s.at.sum + s.at.stripes * s.at.sumStripe);
}

/** The summary as strace -c prints it (each line ends in a newline). */
export function summaryText(sum: Summary): string {
  const { rows, total } = sum;
  const width = {
    seconds: Math.max(11, total.seconds.toFixed(6).length),
    usecs: Math.max(11, String(Math.max(0, ...rows.map((r) => r.usecsPerCall))).length),
    calls: Math.max(9, String(total.calls).length),
    errors: Math.max(9, String(total.errors).length),
    name: Math.max(16, Math.max(0, ...rows.map((r) => r.name.length)) + 1),
  };
  const dashes = ['-'.repeat(6), '-'.repeat(width.seconds), '-'.repeat(width.usecs), '-'.repeat(width.calls), '-'.repeat(width.errors), '-'.repeat(width.name)].join(' ') + '\n';
  // printf's "%.0u": a zero prints no digits.
  const errs = (n: number) => (n === 0 ? '' : String(n)).padStart(width.errors);
  const line = (pct: string, seconds: number, usecs: number, calls: number, errors: number, name: string) =>
    `${pct.padStart(6)} ${seconds.toFixed(6).padStart(width.seconds)} ${String(usecs).padStart(width.usecs)} ${String(calls).padStart(width.calls)} ${errs(errors)} ${name}\n`;
  let out = `${'% time'.padStart(6)} ${'seconds'.padStart(width.seconds)} ${'usecs/call'.padStart(width.usecs)} ${'calls'.padStart(width.calls)} ${'errors'.padStart(width.errors)} syscall\n`;
  out += dashes;
  for (const r of rows) out += line(r.percent.toFixed(2), r.seconds, r.usecsPerCall, r.calls, r.errors, r.name);
  out += dashes;
  out += line('100.00', total.seconds, total.usecsPerCall, total.calls, total.errors, 'total');
  return out;
}
