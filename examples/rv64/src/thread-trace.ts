// strace -f for guest threads: each guest thread, on the worker that runs
// it, joins the leader's trace (systab/trace's attachTrace) without a sink of
// its own: its lines are made here (this worker reads the guest memory) and
// printed by the leader's sink in the order the calls happened, as strace -f
// prints them (<unfinished ...> and <... resumed> where threads overlap).
import type { Table } from 'systab';
import { attachTrace, type Trace, type TraceDescriptor } from 'systab/trace';
import type { Memory } from './memory.js';

/** What a worker needs to join the trace: all of it can be posted. */
export interface ThreadTrace {
  desc: TraceDescriptor;
  /** false: no lines (-c), only the summary's counts. */
  lines: boolean;
  strSize?: number;
}

/** Joins the trace for guest thread `tid` on this worker (close() it when the thread ends). */
export function joinTrace(t: Table, mem: Memory, tt: ThreadTrace, tid: number): Trace {
  const read = (a: number, n: number) => (mem.valid(a, n) ? mem.bytes(a, n) : null);
  if (!tt.lines) return attachTrace(t, tt.desc);
  return attachTrace(t, tt.desc, { format: { read, ...(tt.strSize !== undefined ? { strSize: tt.strSize } : {}) }, tid });
}
