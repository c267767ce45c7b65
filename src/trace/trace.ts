// A table's trace, as one thread uses it: the shared switches (what is
// traced, injected, summed: any thread sets them, every thread that traces
// sees them at its next call), this thread's outputs (its plug and sinks),
// and the shared counts and event rings, which any thread reads.
import { SystabError } from '../errors.js';
import { show, slotsFor } from '../handlers.js';
import type { Table } from '../table.js';
import { oorModeNow } from '../policy.js';
import type { Abi } from '../abi/types.js';
import { slotOf } from '../slots.js';
import * as L from '../../assembly/layout.js';
import { workerWord } from '../records.js';
import { entryOf } from '../code.js';
import { attachState, createState, CTL_BITS, CTL_INJECT, CTL_PRINT, CTL_TIME, INJ_DELAY_ONLY, INJ_ERROR, INJ_RETVAL, publish, setControl, setInjection, type InjectWords, type TraceDescriptor, type TraceState } from './control.js';
import { parseInject, WORD32, type InjectSpec } from './inject.js';
import { parseTraceSet } from './select.js';
import { releaseEntry, takeEntry } from './injections.js';
import { makePlug, type LineMaker } from './plug.js';
import { straceLines, type StraceFormat } from './lines.js';
import { checkRelay, createRelay, RELAY_BYTES_DEFAULT, relayLines, relayWhole, relayWriter } from './relay.js';
import { checkFollow, startFollow, type Follow } from './follow.js';
import type { PrefixStyle } from './interleave.js';
import { exitedLine } from './format.js';
import { openSink, type Sink, type SinkWriter } from './sinks.js';
import { readRings, type CallEvent } from './events.js';
import { jsonLines, mergeRings, perfetto, recordMaker, type CallRecord } from './export.js';
import { readSummary, resetSummary, sortKey, summaryText, switchSummary, type Summary } from './summary.js';
import { makeTimer } from './timer.js';
import { claimTrace, releaseTrace } from './claim.js';

/** What this thread does with the calls it prints (selected with select()). Every output is optional. */
export interface TraceOutput {
  /** Where this thread's lines go (each ends in a newline): a function, a Node writable stream, or { path } (see Sink). */
  sink?: Sink;
  /** Makes each line (default: strace's, see format). */
  lines?: LineMaker;
  /** How strace's lines look when `lines` is not given: the guest memory reader (`read`), -s (`strSize`), -x/-xx (`hex`), -a (`column`). */
  format?: StraceFormat;
  /** Where this thread's calls go as JSON lines (one CallRecord per call, written as it ends). */
  json?: Sink;
  /**
   * traceTable() only: keep the last `capacity` printed calls of every thread
   * in shared memory (a ring per thread; older ones drop, counted), for
   * events(), exportPerfetto() and exportJsonLines() on any thread.
   */
  events?: { capacity: number };
  /** inject's signal=: delivers signal `sig` to the guest thread that made call `nr`. */
  signal?: (sig: number, nr: number) => void;
  /**
   * traceTable() only, with a sink: strace -f. Every thread that joins with
   * attachTrace() and no sink of its own sends its lines to this sink, in
   * the order the calls entered and ended (` <unfinished ...>`, `<... read
   * resumed>`), through a ring per thread of `bytes` (64 KiB; a full ring
   * drops pieces and says so); `prefix` as createInterleaver()'s ('pid').
   */
  follow?: { bytes?: number; prefix?: PrefixStyle; column?: number };
  /** The thread id this thread's lines show with follow (default: its worker record's index). */
  tid?: number;
}

/** Options of summaryTable() and summaryRows(). */
export interface SummaryOptions {
  /** strace's -S key: time (the default), avg-time, calls, errors, name, nothing (and strace's aliases of these). */
  sort?: string;
}

/** The biggest ring: 2^20 events of 96 bytes per thread. */
const CAPACITY_MAX = 1 << 20;

/** Calls to trace or inject: an array of call names or numbers (or '*': every number of the ABI). */
export type CallSet = readonly (string | number)[] | '*';

export class Trace {
  /** @internal */ readonly s: TraceState;
  readonly #t: Table<string, number | Promise<number>>;
  readonly #sinks: SinkWriter[] = [];
  readonly #record: (e: CallEvent) => CallRecord;
  readonly #follow: Follow | undefined;
  #closed = false;
  readonly #made: boolean;
  /** @internal */
  constructor(t: Table<string, number | Promise<number>>, s: TraceState, out: TraceOutput, follow?: SharedArrayBuffer | ArrayBuffer, made = false) {
    this.#t = t;
    this.s = s;
    this.#made = made;
    const p = t.policy;
    if (p.plug !== undefined) throw new SystabError('EBUSY', `this thread already traces this ${t.abi.id} table: close() that trace first`);
    this.#record = recordMaker(t.abi, t.v.map);
    // Before any sink opens: a bad format leaves no file behind.
    const owner = follow !== undefined && out.follow !== undefined;
    const relayed = follow !== undefined && (owner || out.sink === undefined);
    const put = relayed ? relayWriter(follow, t.v.me) : undefined;
    const tid = out.tid ?? t.v.me;
    const make = put !== undefined ? (out.lines !== undefined ? relayWhole(out.lines, put, tid) : relayLines(t.abi, out.format, put, tid)) : out.sink !== undefined ? (out.lines ?? straceLines(t.abi, out.format)) : undefined;
    const lines = out.sink !== undefined ? openSink(out.sink, 'trace output sink') : undefined;
    if (lines !== undefined) this.#sinks.push(lines);
    this.#follow = put !== undefined ? startFollow(follow!, put, tid, owner ? { ...out.follow, sink: lines! } : undefined) : undefined;
    let json: SinkWriter | undefined;
    try {
      json = out.json !== undefined ? openSink(out.json, 'trace output json') : undefined;
    } catch (e) {
      lines?.close();
      throw e;
    }
    if (json !== undefined) this.#sinks.push(json);
    const record = this.#record;
    p.plug = makePlug(s, {
      ...(this.#follow !== undefined ? { lines: { make: make!, write: this.#follow.written } } : lines !== undefined ? { lines: { make: make!, write: (l: string) => lines.write(l) } } : {}),
      ...(json !== undefined ? { events: (e) => json.write(JSON.stringify(record(e)) + '\n') } : {}),
      ring: s.at.capacity > 0,
      here: (id: number) => entryOf(t.code, id) !== undefined,
      ...(this.#follow?.poll !== undefined ? { poll: this.#follow.poll } : {}),
      ...(out.signal !== undefined ? { signal: out.signal } : {}),
    });
    t.setTimer(makeTimer(s));
    oorMode(t);
  }

  /** What another thread passes to attachTrace(). */
  describe(): TraceDescriptor {
    if (!(this.s.words.buffer instanceof SharedArrayBuffer)) throw new SystabError('EATTACH', 'describe() is for attachTrace() in another thread, which needs a shared table; this one was made with shared: false');
    return { state: this.s.words.buffer, injections: this.s.entries.buffer, ...(this.#follow !== undefined ? { follow: this.#follow.buffer as SharedArrayBuffer } : {}) };
  }

  /**
   * Traces exactly these calls from now on, on every thread that traces this
   * table: an `-e trace=` expression (`'%file,!openat'`, see parseTraceSet),
   * or an array of call names or numbers, or '*'.
   */
  select(calls: string | CallSet): void {
    const slots = new Set(this.#slots(calls, 'select'));
    for (let slot = 0; slot < this.s.slots; slot++) setControl(this.s, slot, CTL_PRINT, slots.has(slot));
    publish(this.s);
  }

  /**
   * Adds an `-e inject=` expression (`'openat:error=ENOENT:when=3+'`): its
   * calls are tampered with from now on, on every thread that traces this
   * table, each thread counting its own calls of each number (strace counts
   * per tracee). A later expression naming a number replaces what an earlier
   * one said for it. Returns the spec as parsed.
   */
  inject(expr: string): InjectSpec {
    return this.#inject(expr, 'inject');
  }

  /** Adds an `-e fault=` expression: inject's `error=` (ENOSYS unless told). */
  fault(expr: string): InjectSpec {
    return this.#inject(expr, 'fault');
  }

  /** Stops every injection (or those of the calls given). */
  clearInjections(calls: string | CallSet = '*'): void {
    for (const slot of this.#slots(calls, 'clearInjections')) setControl(this.s, slot, CTL_INJECT, false);
    publish(this.s);
  }

  #inject(expr: string, kind: 'inject' | 'fault'): InjectSpec {
    this.#open(kind);
    const spec = parseInject(expr, this.#t.abi, kind);
    const words = injectWords(spec, this.#t.abi);
    // Named calls only: the numbers no call has are in every set (strace traces them raw), not tampered with.
    const named = new Set(Object.values(this.#t.abi.names));
    const slots = numbersToSlots(this.#t, spec.set.numbers.filter((nr) => named.has(nr)));
    if (slots.length > 0) {
      // One entry for the whole set, written before any slot points at it (injections.ts).
      const entry = takeEntry(this.s, words);
      try {
        for (const slot of slots) setInjection(this.s, slot, entry);
      } finally {
        releaseEntry(this.s, entry);
      }
    }
    publish(this.s);
    return spec;
  }

  /**
   * Switches the summary (strace -c) on for exactly these calls, on every
   * thread that traces this table: true for every number, false for none,
   * or calls as select() takes them. Each call is counted, with its errors,
   * on every thread (the table's own counters: the summary keeps the count
   * switch on), and its wall time around the handler (strace -c -w) is taken
   * by each thread that traces the table: every call its plug runs (a traced
   * or injected one), a slot's first 16 calls on the thread and every call of
   * a slow one, else a sample (about one in 64, their mean standing for the
   * calls not timed; see timer.ts). summaryTable() adds them up
   * from any thread. With select() on the same calls it is strace -C. Calls
   * made before stay counted.
   */
  summary(on: boolean | string | CallSet): void {
    const slots = new Set(on === true ? this.#slots('*', 'summary') : on === false ? (this.#open('summary'), []) : this.#slots(on, 'summary'));
    switchSummary(this.s, slots);
    publish(this.s);
  }

  /** The summary now, summed over every thread, as rows (strace -c's columns) and a total. */
  summaryRows(options: SummaryOptions = {}): Summary {
    return readSummary(this.s, sortKey(checkSummaryOptions(options).sort));
  }

  /** The summary now as strace -c prints it (`% time     seconds  usecs/call ...`), sorted as -S `sort` says. */
  summaryTable(options: SummaryOptions = {}): string {
    return summaryText(this.summaryRows(options));
  }

  /** Zeroes the summary's counts on every thread. */
  resetSummary(): void {
    resetSummary(this.s);
  }

  /** The printed calls every thread's ring holds, oldest first, and how many older ones were dropped. */
  events(): { calls: CallRecord[]; dropped: number } {
    const rings = this.#rings('events');
    return { calls: mergeRings(rings).map(this.#record), dropped: rings.reduce((a, r) => a + r.dropped, 0) };
  }

  /** Every thread's ring as JSON lines: a `{"tid","dropped"}` line per thread that dropped calls, then a CallRecord per call. */
  exportJsonLines(): string {
    return jsonLines(this.#rings('exportJsonLines'), this.#record);
  }

  /** Every thread's ring as Chrome/Perfetto Trace Event JSON (open it in ui.perfetto.dev); otherData.dropped counts the calls dropped. */
  exportPerfetto(): string {
    const v = this.#t.v;
    return JSON.stringify(perfetto(this.#rings('exportPerfetto'), this.#record, v.abi.id, (tid) => (tid < v.i32[L.H_MAXW]! ? v.i32[workerWord(v, tid, L.WR_ID)]! : -1)));
  }

  /** Writes what this thread's file outputs hold buffered. */
  flush(): void {
    this.#follow?.drain(false);
    for (const w of this.#sinks) w.flush();
  }

  /** strace's `+++ exited with N +++` for this thread: into the follow sink (or this thread's own). */
  exited(code: number): void {
    this.#open('exited');
    if (!Number.isInteger(code)) throw new SystabError('EBADSPEC', `exited() takes the exit code, an integer (got ${show(code)})`);
    if (this.#follow !== undefined) this.#follow.exited(code);
    else for (const w of this.#sinks.slice(0, 1)) w.write(`${exitedLine(code)}\n`);
  }

  /** Stops tracing and injecting on this thread, and flushes and closes its file outputs (the shared switches stay as they are for other threads). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#t.policy.plug = undefined;
    this.#t.setTimer(undefined);
    if (this.#made) releaseTrace(this.#t.v);
    oorMode(this.#t);
    const here = traces.get(this.#t.v.memory);
    if (here !== undefined && here.s === this.s) here.open--;
    this.#follow?.stop();
    for (const w of this.#sinks) w.close();
  }

  #rings(what: string) {
    if (this.s.at.capacity === 0) throw new SystabError('EBADSPEC', `${what}() needs the event rings: traceTable(t, { events: { capacity } })`);
    return readRings(this.s);
  }

  #open(what: string): void {
    if (this.#closed) throw new SystabError('EBUSY', `${what}() on a closed trace`);
  }

  #slots(calls: string | CallSet, what: string): number[] {
    this.#open(what);
    const t = this.#t;
    if (typeof calls === 'string' && calls !== '*') return numbersToSlots(t, parseTraceSet(calls, t.abi).numbers);
    return slotsFor(t.abi, t.v.map, calls, what, true);
  }
}

function numbersToSlots(t: Table<string, number | Promise<number>>, numbers: readonly number[]): number[] {
  return numbers.map((nr) => slotOf(t.v.map, nr)).filter((s) => s >= 0);
}

/** A delay in whole microseconds, as a shared word holds it: up to 2^31-1 (about 35 minutes). */
function delayOf(spec: InjectSpec, us: number | undefined): number {
  const d = Math.round(us ?? 0);
  if (d > 0x7fffffff) throw new SystabError('EBADSPEC', `${spec.kind} expression "${spec.expr}": a delay of ${d} microseconds is more than systab keeps (2147483647, about 35 minutes)`);
  return d;
}

/** An injection spec as the shared words hold it. */
function injectWords(spec: InjectSpec, abi: Abi): InjectWords {
  if (spec.pokeEnter !== undefined || spec.pokeExit !== undefined) {
    throw new SystabError('EBADSPEC', `${spec.kind} expression "${spec.expr}": poke_enter= and poke_exit= are not supported (systab does not write guest memory)`);
  }
  const bits = WORD32.has(abi.id) ? 32 : 64;
  const kind = spec.error !== undefined ? INJ_ERROR : spec.retval !== undefined ? INJ_RETVAL : INJ_DELAY_ONLY;
  return {
    kind,
    // retval= is the register's value, unsigned: the caller sees it signed, as the ABI's call returns it.
    value: spec.error ?? (spec.retval !== undefined ? BigInt.asIntN(bits, spec.retval) : 0),
    first: spec.when.first,
    last: spec.when.last === Infinity ? 0 : spec.when.last,
    step: spec.when.step,
    signal: spec.signal ?? 0,
    delayEnter: delayOf(spec, spec.delayEnter),
    delayExit: delayOf(spec, spec.delayExit),
  };
}

/**
 * One trace per table: the traces this thread has made or joined, by the
 * table's memory (every view of a table on a thread shares it). Their
 * switches share the slot words' one trace bit, so a second trace's select()
 * would switch off the first's. Across threads the table's own claim word
 * (claim.ts) refuses a second traceTable(); attachTrace() joins the one there is.
 */
const traces = new WeakMap<WebAssembly.Memory, { s: TraceState; open: number }>();

const busy = (t: Table<string, number | Promise<number>>): SystabError => new SystabError('EBUSY', `this ${t.abi.id} table already has a trace on this thread: one trace per table (attachTrace(table, tr.describe()) joins it)`);

/** Records a trace this thread makes (`made`) or joins; the caller has refused another one open. */
function register(t: Table<string, number | Promise<number>>, s: TraceState, made: boolean): void {
  const m = t.v.memory;
  const here = traces.get(m);
  if (here !== undefined && here.s !== s && made) {
    // The trace this thread made before, closed: the new one starts from nothing, its switches cleared.
    for (let slot = 0; slot < here.s.slots; slot++) setControl(here.s, slot, CTL_BITS, false);
    publish(here.s);
  }
  if (here !== undefined && here.s === s) here.open++;
  else traces.set(m, { s, open: 1 });
}

/** Starts tracing table `t` on this thread; the trace state is new (other threads attach to it). */
export function traceTable(t: Table<string, number | Promise<number>>, out: TraceOutput = {}): Trace {
  checkTable(t, 'traceTable');
  const o = checkOutput(out, 'traceTable');
  const here = traces.get(t.v.memory);
  if (here !== undefined && here.open > 0) throw busy(t);
  claimTrace(t.v);
  let tr: Trace;
  try {
    const s = createState(t.v, capacityOf(o.events));
    tr = new Trace(t, s, o, o.follow !== undefined ? createRelay(t.v.i32[L.H_MAXW]!, o.follow.bytes ?? RELAY_BYTES_DEFAULT, t.v.shared) : undefined, true);
    register(t, s, true);
  } catch (e) {
    releaseTrace(t.v); // nothing made: the table is free to trace
    throw e;
  }
  return tr;
}

/** Joins, on this thread, the trace another thread started on the same table (from its describe()). */
export function attachTrace(t: Table<string, number | Promise<number>>, desc: TraceDescriptor, out: TraceOutput = {}): Trace {
  checkTable(t, 'attachTrace');
  const o = checkOutput(out, 'attachTrace');
  if (o.events !== undefined) throw new SystabError('EBADSPEC', 'attachTrace() takes no events option: the rings are the trace state\'s, sized by traceTable() (every thread that attaches records into its own)');
  const attached = attachState(t.v, desc);
  const here = traces.get(t.v.memory);
  const same = here !== undefined && here.s.words.buffer === attached.words.buffer;
  if (here !== undefined && here.open > 0 && !same) throw busy(t);
  // The trace this thread already knows, if it is that one: one state per trace on a thread.
  const s = same ? here.s : attached;
  if (o.follow !== undefined) throw new SystabError('EBADSPEC', 'attachTrace() takes no follow option: the thread that made the trace owns the follow sink (join without a sink to print into it)');
  const follow = (desc as { follow?: unknown }).follow;
  const tr = new Trace(t, s, o, follow !== undefined ? checkRelay(follow, t.v.i32[L.H_MAXW]!) : undefined);
  register(t, s, false);
  return tr;
}

const OUTPUT_KEYS = ['sink', 'lines', 'format', 'json', 'events', 'signal', 'follow', 'tid'];

/** This thread's hot paths (JS and the core's) send numbers beyond the table to the slow path while its plug prints them (see policy.ts oorModeNow). */
function oorMode(t: Table<string, number | Promise<number>>): void {
  t.setOorMode(oorModeNow(t.policy));
}

/** A table of this package, on this thread: anything else is EBADSPEC (a value whose looks throw included). */
function checkTable(t: unknown, what: string): void {
  let ok = false;
  try {
    const v = (t as { v?: { core?: unknown; map?: unknown } } | null)?.v;
    ok = t !== null && typeof t === 'object' && typeof v === 'object' && v !== null && typeof v.core === 'object' && typeof (t as { policy?: unknown }).policy === 'object';
  } catch {
    ok = false;
  }
  if (!ok) throw new SystabError('EBADSPEC', `${what}() takes a systab Table (from createTable() or attach()) (got ${t === null ? 'null' : typeof t})`);
  // A closed view gave its worker record back: a trace there would write into that record's counters, rings and relay ring, another thread's now.
  if ((t as { closed?: unknown }).closed === true) throw new SystabError('EBUSY', `${what}(): this table view is closed (close() gave its worker record back); attach again`);
}

/** The output's options, each read once: a getter cannot answer one thing to a check and another to its use. */
function checkOutput(given: TraceOutput, what: string): TraceOutput {
  if (given === null || typeof given !== 'object') throw new SystabError('EBADSPEC', `${what}() output must be an object like { sink } (got ${show(given)})`);
  for (const k of Object.keys(given)) if (!OUTPUT_KEYS.includes(k)) throw new SystabError('EBADSPEC', `${what}() has no output option "${k}" (it takes ${OUTPUT_KEYS.join(', ')})`);
  const { sink, lines, format, json, events, signal, follow, tid } = given;
  const out: TraceOutput = { sink, lines, format, json, events, signal, ...checkFollow(follow, tid, sink, what) };
  if (lines !== undefined) {
    // Its two functions, read once too.
    const enter = lines !== null && typeof lines === 'object' ? lines.enter : undefined;
    const exit = lines !== null && typeof lines === 'object' ? lines.exit : undefined;
    if (typeof enter !== 'function' || typeof exit !== 'function') throw new SystabError('EBADSPEC', `${what}() output lines must be a LineMaker { enter(nr, args), exit(pending, result, note) } (got ${show(lines)})`);
    out.lines = { enter: (nr, args) => enter.call(lines, nr, args), exit: (p, r, n) => exit.call(lines, p, r, n) };
  }
  if (out.lines !== undefined && out.format !== undefined) throw new SystabError('EBADSPEC', `${what}() output takes lines or format, not both (format shapes strace's own lines)`);
  if (out.signal !== undefined && typeof out.signal !== 'function') throw new SystabError('EBADSPEC', `${what}() output signal must be a function (sig, nr) (got ${show(out.signal)})`);
  return out;
}

function capacityOf(events: unknown): number {
  if (events === undefined) return 0;
  const c = (events as { capacity?: unknown } | null)?.capacity;
  if (events === null || typeof events !== 'object' || typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > CAPACITY_MAX) {
    throw new SystabError('EBADSPEC', `traceTable() events must be { capacity }, a whole number of calls per thread from 1 to ${CAPACITY_MAX} (got ${events !== null && typeof events === 'object' ? `capacity ${show(c)}` : show(events)})`);
  }
  return c;
}

function checkSummaryOptions(o: SummaryOptions): SummaryOptions {
  if (o === null || typeof o !== 'object') throw new SystabError('EBADSPEC', `summary options must be an object like { sort: 'calls' } (got ${show(o)})`);
  for (const k of Object.keys(o)) if (k !== 'sort') throw new SystabError('EBADSPEC', `summary options have no "${k}" (only sort, strace's -S key)`);
  return o;
}
