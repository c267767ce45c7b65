// A table's trace, as one thread uses it: the shared switches (what is
// traced, what is injected: any thread sets them, every thread that traces
// sees them at its next call) and this thread's output (its plug).
import { SystabError } from '../errors.js';
import { show, slotsFor } from '../handlers.js';
import type { Table } from '../table.js';
import { attachState, createState, CTL_INJECT, CTL_PRINT, publish, setControl, writeInject, type InjectWords, type TraceDescriptor, type TraceState } from './control.js';
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
    return { state: this.s.words.buffer };
  }

  /** Traces exactly these calls from now on (every thread that traces this table prints them). */
  select(calls: CallSet): void {
    this.#set(calls, CTL_PRINT);
  }

  /** Injects `inj` into these calls (and stops injecting into the others). */
  inject(calls: CallSet, inj: InjectWords): void {
    const slots = this.#slots(calls, 'inject');
    const chosen = new Set(slots);
    for (let slot = 0; slot < this.s.slots; slot++) if (!chosen.has(slot)) setControl(this.s, slot, CTL_INJECT, false);
    for (const slot of slots) {
      // Off while its words change: a call sees the old injection or the new, never a mix (the words are a seqlock too).
      writeInject(this.s, slot, inj);
      setControl(this.s, slot, CTL_INJECT, true);
    }
    publish(this.s);
  }

  /** Stops tracing and injecting on this thread (the shared switches stay as they are for other threads). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#t.policy.plug = undefined;
  }

  #slots(calls: CallSet, what: string): number[] {
    if (this.#closed) throw new SystabError('EBUSY', `${what}() on a closed trace`);
    const t = this.#t;
    return slotsFor(t.abi, t.v.map, calls, what, true);
  }

  #set(calls: CallSet, bit: number): void {
    const slots = new Set(this.#slots(calls, 'select'));
    for (let slot = 0; slot < this.s.slots; slot++) setControl(this.s, slot, bit, slots.has(slot));
    publish(this.s);
  }
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
