// Starts a fault-worker (test/workers/fault-worker.mjs) and collects its messages.
import { Worker } from 'node:worker_threads';
import type { Table } from 'systab';

export interface FaultWorker {
  worker: Worker;
  flags: Int32Array;
  /** The next message that has `key` (messages are kept until asked for). */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  result<T = Record<string, unknown>>(): Promise<T>;
  exited: Promise<number>;
}

export function startFault(t: Table, role: string, opts: Record<string, unknown> = {}): FaultWorker {
  const flags = new Int32Array(new SharedArrayBuffer(256));
  const worker = new Worker(new URL('../workers/fault-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), role, opts, flags: flags.buffer } });
  const exited = new Promise<number>((res) => worker.once('exit', res));
  const seen: Record<string, unknown>[] = [];
  const waiters: { key: string; res: (m: never) => void }[] = [];
  worker.on('message', (m: Record<string, unknown>) => {
    const i = waiters.findIndex((w) => w.key in m);
    if (i >= 0) waiters.splice(i, 1)[0]!.res(m as never);
    else seen.push(m);
  });
  const next = <T>(key: string): Promise<T> => {
    const i = seen.findIndex((m) => key in m);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0] as T);
    return new Promise<T>((res, rej) => {
      waiters.push({ key, res: res as (m: never) => void });
      worker.once('error', rej);
      void exited.then((code) => rej(new Error(`worker (${role}) exited with ${code} before sending "${key}"`)));
    });
  };
  return { worker, flags, next, result: async <T>() => (await next<{ result: T }>('result')).result, exited };
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
