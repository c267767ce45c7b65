// Starts a fault-worker (test/workers/fault-worker.mjs) and collects its messages.
import { Worker } from 'node:worker_threads';
import type { Table } from 'systab';
import { listen, type Listener } from './workers.js';

export interface FaultWorker extends Listener {
  worker: Worker;
  flags: Int32Array;
}

export function startFault(t: Table<string, number | Promise<number>>, role: string, opts: Record<string, unknown> = {}): FaultWorker {
  const flags = new Int32Array(new SharedArrayBuffer(256));
  const worker = new Worker(new URL('../workers/fault-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), role, opts, flags: flags.buffer } });
  return { worker, flags, ...listen(worker, role) };
}

/** Rejects after `ms` with `what`: a hang becomes a failure with a message. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Spins the calling thread until `flags[i]` is nonzero (bounded). */
export function spinUntil(flags: Int32Array, i: number, ms = 10_000): void {
  const end = performance.now() + ms;
  while (Atomics.load(flags, i) === 0) if (performance.now() > end) throw new Error(`flag ${i} never set`);
}

/** Resolves once `flags[i]` is nonzero, without blocking this thread's event loop. */
export async function flagged(flags: Int32Array, i: number, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (Atomics.load(flags, i) === 0) {
    if (performance.now() > end) throw new Error(`flag ${i} never set`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
