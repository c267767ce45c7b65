// The adversary's helpers: a worker that runs code it is sent (test/workers/adv-eval-worker.mjs)
// against a table, and one-instruction seccomp programs.
import { Worker } from 'node:worker_threads';
import type { Table } from 'systab';

export interface EvalWorker {
  worker: Worker;
  threadId: number;
  /** Runs `code` (an async function body over ctx: systab, seccomp, trace, wasi, t, state, post, data) in the worker; resolves with its result, rejects with the error code it threw. */
  run<T = unknown>(code: string, arg?: unknown): Promise<T>;
  /** Starts a synchronous loop in the worker (the body returns true to stop); the worker answers nothing meanwhile. */
  spin(body: string, arg?: unknown): void;
  /** Resolves with the next message the worker posts through ctx.post() that has `key`. */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  exited: Promise<number>;
}

let ids = 0;

export async function evalWorker(t: Table<string, number | Promise<number>>, data: Record<string, unknown> = {}): Promise<EvalWorker> {
  const worker = new Worker(new URL('../workers/adv-eval-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), ...data } });
  const exited = new Promise<number>((res) => worker.once('exit', res));
  const waiting = new Map<number, { res: (v: unknown) => void; rej: (e: unknown) => void }>();
  const keyed: { key: string; res: (m: never) => void }[] = [];
  const kept: Record<string, unknown>[] = [];
  let failure: unknown;
  worker.on('error', (e) => {
    failure = e;
    for (const w of waiting.values()) w.rej(e);
  });
  void exited.then((code) => {
    for (const w of waiting.values()) w.rej(new Error(`worker exited (${code})`));
  });
  worker.on('message', (m: Record<string, unknown>) => {
    if (typeof m.id === 'number' && waiting.has(m.id)) {
      const w = waiting.get(m.id)!;
      waiting.delete(m.id);
      if ('error' in m) w.rej(Object.assign(new Error(String(m.message)), { code: m.error }));
      else w.res(m.result);
      return;
    }
    const i = keyed.findIndex((k) => k.key in m);
    if (i >= 0) keyed.splice(i, 1)[0]!.res(m as never);
    else kept.push(m);
  });
  const next = <T>(key: string): Promise<T> => {
    const i = kept.findIndex((m) => key in m);
    if (i >= 0) return Promise.resolve(kept.splice(i, 1)[0] as T);
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise<T>((res) => keyed.push({ key, res: res as (m: never) => void }));
  };
  const ready = await next<{ ready: number }>('ready');
  return {
    worker,
    threadId: ready.ready,
    exited,
    next,
    run: <T>(code: string, arg?: unknown) =>
      new Promise<T>((res, rej) => {
        const id = ++ids;
        waiting.set(id, { res: res as (v: unknown) => void, rej });
        worker.postMessage({ id, code, arg });
      }),
    spin: (body: string, arg?: unknown) => worker.postMessage({ id: ++ids, sync: body, arg }),
  };
}

/** A one-instruction program: return `k`. */
export const ret = (k: number) => [{ code: 0x06, jt: 0, jf: 0, k }];

/** Waits until `cond()` holds (polling every 5 ms), or throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
