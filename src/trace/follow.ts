// A trace's follow mode (strace -f) on one thread: the relay's writer for
// this thread's pieces and, on the thread that owns the sink, the reader that
// prints every thread's: after each of its own calls, at its quiescent points
// (t.poll(): a guest loop's), every 50 ms while its event loop runs, at
// flush() and at close().
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import type { PrefixStyle } from './interleave.js';
import { RELAY_BYTES_MAX, relayExited, relayReader } from './relay.js';
import type { SinkWriter } from './sinks.js';

export interface Follow {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** What the plug calls after each line of this thread (the owner prints what the rings hold). */
  readonly written: (line: string) => void;
  drain(all: boolean): void;
  exited(code: number): void;
  stop(): void;
  /** The owner only: what its quiescent points run. */
  readonly poll?: () => void;
}

const EVERY_MS = 50;

export function startFollow(buffer: SharedArrayBuffer | ArrayBuffer, put: (kind: number, tid: number, text: string) => void, tid: number, owner: { prefix?: PrefixStyle; column?: number; sink: SinkWriter } | undefined): Follow {
  if (owner === undefined) {
    return { buffer, written: () => {}, drain() {}, exited: (code) => relayExited(put, tid, code), stop() {} };
  }
  const reader = relayReader(buffer, (l) => owner.sink.write(l), owner.prefix ?? 'pid', owner.column ?? 40);
  const timer: { unref?: () => void } | number = setInterval(() => reader.drain(false), EVERY_MS) as unknown as { unref?: () => void };
  // A Node process need not stay alive for the trace.
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  return {
    buffer,
    written: () => reader.drain(false),
    poll: () => reader.drain(false),
    drain: (all) => reader.drain(all),
    exited(code) {
      relayExited(put, tid, code);
      reader.drain(false);
    },
    stop() {
      clearInterval(timer as unknown as number);
      reader.drain(true);
    },
  };
}

const PREFIXES = ['pid', 'bracket', 'none'];

/** traceTable()'s follow and tid options, read once and checked. */
export function checkFollow(follow: unknown, tid: unknown, sink: unknown, what: string): { follow?: { bytes?: number; prefix?: PrefixStyle; column?: number }; tid?: number } {
  const out: { follow?: { bytes?: number; prefix?: PrefixStyle; column?: number }; tid?: number } = {};
  if (tid !== undefined) {
    if (typeof tid !== 'number' || !Number.isInteger(tid) || tid < 0 || tid > 0x7fffffff) throw new SystabError('EBADSPEC', `${what}() output tid must be a thread id, an integer from 0 to 2^31 - 1 (got ${show(tid)})`);
    out.tid = tid;
  }
  if (follow === undefined) return out;
  if (follow === null || typeof follow !== 'object') throw new SystabError('EBADSPEC', `${what}() output follow must be an object like { prefix: 'pid' } (got ${show(follow)})`);
  for (const k of Object.keys(follow)) if (!['bytes', 'prefix', 'column'].includes(k)) throw new SystabError('EBADSPEC', `${what}() output follow has no "${k}" (it takes bytes, prefix, column)`);
  const { bytes, prefix, column } = follow as { bytes?: unknown; prefix?: unknown; column?: unknown };
  // A power of two: a ring's cursors count bytes modulo 2^32, and only a size that divides 2^32 maps them to the same place across that wrap.
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 256 || bytes > RELAY_BYTES_MAX || (bytes & (bytes - 1)) !== 0)) {
    throw new SystabError('EBADSPEC', `${what}() output follow.bytes must be a power of two from 256 to ${RELAY_BYTES_MAX} (bytes per thread's ring; got ${show(bytes)})`);
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || !PREFIXES.includes(prefix))) throw new SystabError('EBADSPEC', `${what}() output follow.prefix must be 'pid', 'bracket' or 'none' (got ${show(prefix)})`);
  if (column !== undefined && (typeof column !== 'number' || !Number.isInteger(column) || column < 0 || column > 1000)) throw new SystabError('EBADSPEC', `${what}() output follow.column must be an integer from 0 to 1000 (got ${show(column)})`);
  if (sink === undefined) throw new SystabError('EBADSPEC', `${what}() output follow needs a sink: every thread's lines go to it`);
  out.follow = { ...(bytes !== undefined ? { bytes: bytes as number } : {}), ...(prefix !== undefined ? { prefix: prefix as PrefixStyle } : {}), ...(column !== undefined ? { column: column as number } : {}) };
  return out;
}
