// strace -f for guest threads: each worker joins the leader's trace
// (systab/trace's attachTrace) and prints its own calls, `[pid TID] ` before
// each line, through the same descriptor. A worker's line is written whole
// when its call ends (a call that blocks shows once it returns).
import { writeSync } from 'node:fs';
import type { Table } from 'systab';
import { attachTrace, type Trace, type TraceDescriptor } from 'systab/trace';
import type { Memory } from './memory.js';

/** What a worker needs to join the trace: all of it can be posted. */
export interface ThreadTrace {
  desc: TraceDescriptor;
  /** The descriptor the lines go to (the leader's -o file or stderr); -1: no lines (-c). */
  fd: number;
  strSize?: number;
}

/** Joins the trace on this worker; the prefix follows the thread that is running. */
export function joinTrace(t: Table, mem: Pick<Memory, 'valid' | 'bytes'>, tt: ThreadTrace, tid: () => number, rewrite?: (line: string) => string | null): Trace {
  const read = (a: number, n: number) => (mem.valid(a, n) ? mem.bytes(a, n) : null);
  if (tt.fd < 0) return attachTrace(t, tt.desc);
  const sink = (line: string) => {
    const l = rewrite ? rewrite(line) : line; // a process's worker drops its "would block" attempts (proc-worker.ts)
    if (l !== null) writeSync(tt.fd, `[pid ${String(tid()).padStart(5)}] ${l}`);
  };
  return attachTrace(t, tt.desc, { sink, format: { read, strSize: tt.strSize } });
}
