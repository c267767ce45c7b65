// A table's trace, as one thread uses it: the shared switches (what is
// traced, what is injected: any thread sets them, every thread that traces
// sees them at its next call) and this thread's output (its plug).
import { SystabError } from '../errors.js';
import { show, slotsFor } from '../handlers.js';
import type { Table } from '../table.js';
import type { Abi } from '../abi/types.js';
import { slotOf } from '../slots.js';
import { attachState, createState, CTL_INJECT, CTL_PRINT, INJ_DELAY_ONLY, INJ_ERROR, INJ_RETVAL, publish, setControl, setInjection, type InjectWords, type TraceDescriptor, type TraceState } from './control.js';
import { parseInject, WORD32, type InjectSpec } from './inject.js';
import { parseTraceSet } from './select.js';
import { releaseEntry, takeEntry } from './injections.js';
import { makePlug, type LineMaker } from './plug.js';

export interface TraceOutput {
  /** Where this thread's lines go (each ends in a newline). */
  sink: (line: string) => void;
  /** Makes each line (the strace format by default). */
  lines: LineMaker;
  /** inject's signal=: delivers signal `sig` to the guest thread that made call `nr`. */
  signal?: (sig: number, nr: number) => void;
}

/** Calls to trace or inject: an array of call names or numbers (or '*': every number of the ABI). */
export type CallSet = readonly (string | number)[] | '*';

export class Trace {
  /** @internal */ readonly s: TraceState;
  readonly #t: Table<string, number | Promise<number>>;
  #closed = false;
  /** @internal */
  constructor(t: Table<string, number | Promise<number>>, s: TraceState, out: TraceOutput) {
    this.#t = t;
    this.s = s;
    const p = t.policy;
    if (p.plug !== undefined) throw new SystabError('EBUSY', `this thread already traces this ${t.abi.id} table: close() that trace first`);
    p.plug = makePlug(s, out);
  }

  /** What another thread passes to attachTrace(). */
  describe(): TraceDescriptor {
    if (!(this.s.words.buffer instanceof SharedArrayBuffer)) throw new SystabError('EATTACH', 'describe() is for attachTrace() in another thread, which needs a shared table; this one was made with shared: false');
    return { state: this.s.words.buffer, injections: this.s.entries.buffer };
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
      for (const slot of slots) setInjection(this.s, slot, entry);
      releaseEntry(this.s, entry);
    }
    publish(this.s);
    return spec;
  }

  /** Stops tracing and injecting on this thread (the shared switches stay as they are for other threads). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#t.policy.plug = undefined;
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
    value: spec.error ?? (spec.retval !== undefined ? Number(BigInt.asIntN(bits, spec.retval)) : 0),
    first: spec.when.first,
    last: spec.when.last === Infinity ? 0 : spec.when.last,
    step: spec.when.step,
    signal: spec.signal ?? 0,
    delayEnter: Math.round(spec.delayEnter ?? 0),
    delayExit: Math.round(spec.delayExit ?? 0),
  };
}

/** Starts tracing table `t` on this thread; the trace state is new (other threads attach to it). */
export function traceTable(t: Table<string, number | Promise<number>>, out: TraceOutput): Trace {
  checkOutput(out);
  return new Trace(t, createState(t.v), out);
}

/** Joins, on this thread, the trace another thread started on the same table (from its describe()). */
export function attachTrace(t: Table<string, number | Promise<number>>, desc: TraceDescriptor, out: TraceOutput): Trace {
  checkOutput(out);
  return new Trace(t, attachState(t.v, desc), out);
}

function checkOutput(out: TraceOutput): void {
  if (out === null || typeof out !== 'object') throw new SystabError('EBADSPEC', `trace output must be an object like { sink } (got ${show(out)})`);
  if (typeof out.sink !== 'function') throw new SystabError('EBADSPEC', `trace output sink must be a function taking a line (got ${show(out.sink)})`);
}
