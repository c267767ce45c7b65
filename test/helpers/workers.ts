// Starts role workers (test/workers/role-worker.mjs) and talks to them;
// listen() is the message plumbing every worker helper here shares.
import { Worker } from 'node:worker_threads';
import type { Table } from 'systab';

export interface Listener {
  /** The next message that has `key` (messages are kept until asked for); rejects if the worker fails or exits first. */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  /** The role's final result (its { result } message). */
  result<T = Record<string, unknown>>(): Promise<T>;
  /** Resolves with the exit code once the worker has ended. */
  exited: Promise<number>;
}

export function listen(worker: Worker, label: string): Listener {
  const exited = new Promise<number>((res) => worker.once('exit', res));
  const seen: Record<string, unknown>[] = [];
  const waiters: { key: string; res: (m: never) => void }[] = [];
  let failure: unknown;
  worker.on('error', (e) => (failure = e));
  worker.on('message', (m: Record<string, unknown>) => {
    const i = waiters.findIndex((w) => w.key in m);
    if (i >= 0) waiters.splice(i, 1)[0]!.res(m as never);
    else seen.push(m);
  });
  const next = <T>(key: string): Promise<T> => {
    const i = seen.findIndex((m) => key in m);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0] as T);
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise<T>((res, rej) => {
      waiters.push({ key, res: res as (m: never) => void });
      worker.once('error', rej);
      void exited.then((code) => rej(new Error(`worker (${label}) exited with ${code} before sending "${key}"`)));
    });
  };
  return { next, result: async <T>() => (await next<{ result: T }>('result')).result, exited };
}

export interface RoleWorker extends Listener {
  worker: Worker;
  send(msg: unknown): void;
}

export function startRole(t: Table, role: string, opts: Record<string, unknown> = {}): RoleWorker {
  const worker = new Worker(new URL('../workers/role-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), role, opts } });
  return { worker, ...listen(worker, role), send: (msg) => worker.postMessage(msg) };
}
