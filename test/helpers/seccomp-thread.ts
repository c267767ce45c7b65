// What the per-thread filter tests (test/seccomp-thread*.test.ts) share:
// programs of the shape "this number (and this first argument) gets this
// errno", real worker_threads running test/workers/seccomp-thread-worker.mjs,
// and a look at a slot's plug reasons.
import { Worker } from 'node:worker_threads';
import type { Table } from 'systab';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import type { View } from '../../src/view.js';

export const GETPID = 39, GETUID = 102, GETPPID = 110, GETTID = 186;
export const NRS = [GETPID, GETUID, GETPPID, GETTID];
export const ARGS = [0, 1, 2];
const ENOSYS = -38;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });

/** A rule: `nr` (with first argument `arg`, if given) gets ERRNO `errno`; everything else ALLOW. */
export interface Rule {
  nr: number;
  arg?: number;
  errno: number;
}

export function program(r: Rule) {
  if (r.arg === undefined) return [ld(0), jeq(r.nr, 0, 1), ret(SECCOMP_RET_ERRNO | r.errno), ret(SECCOMP_RET_ALLOW)];
  return [ld(0), jeq(r.nr, 0, 3), ld(16), jeq(r.arg, 0, 1), ret(SECCOMP_RET_ERRNO | r.errno), ret(SECCOMP_RET_ALLOW)];
}

const view = (t: Table<string, number | Promise<number>>): View => (t as unknown as { v: View }).v;

/** The slot's plug reasons byte (PR_TRACE 1, PR_SECCOMP 2, PR_THREAD 4). */
export function reasons(t: Table<string, number | Promise<number>>, nr: number): number {
  const v = view(t);
  return Atomics.load(v.u8, v.at.reasons + nr - v.map.base); // the main range's slot
}

export interface Reply {
  result?: unknown;
  error?: { code?: string; name?: string; message?: string; threadId?: number };
}

/** A worker of table `t`; `join` is a filter descriptor to attach with (its chain inherited). */
export function startThread(t: Table<string, number | Promise<number>>, join?: unknown) {
  const w = new Worker(new URL('../workers/seccomp-thread-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), join } });
  const queue: Reply[] = [];
  let wake: (() => void) | undefined;
  w.on('message', (m: Reply) => {
    queue.push(m);
    wake?.();
  });
  let failure: unknown;
  w.on('error', (e) => {
    failure = e;
    wake?.();
  });
  const exited = new Promise<number>((r) => w.once('exit', r));
  const next = async (): Promise<Reply> => {
    while (queue.length === 0) {
      if (failure !== undefined) throw failure;
      await new Promise<void>((r) => (wake = r));
    }
    return queue.shift()!;
  };
  const ready = next();
  /** Sends a message, returns its reply (`child`: to the worker this one started). */
  const ask = async (m: object): Promise<Reply> => {
    w.postMessage(m);
    return next();
  };
  const result = async (m: object): Promise<unknown> => {
    const r = await ask(m);
    if (r.error !== undefined) throw Object.assign(new Error(r.error.message), r.error);
    return r.result;
  };
  return {
    worker: w,
    ready,
    exited,
    ask,
    result,
    calls: (calls: number[][]) => result({ calls }) as Promise<unknown[]>,
    close: async () => {
      w.postMessage({ close: true });
      await exited;
    },
  };
}
export type Thread = ReturnType<typeof startThread>;

/** The kernel's chains: filters (rules by id) per thread, oldest first; the table-wide set is below every joined thread's own. */
export class Model {
  rules: Rule[] = [];
  wide: number[] = [];
  own: number[][] = [[], [], []];
  joined = [true, false, false];
  rule(r: Omit<Rule, 'errno'>): number {
    this.rules.push({ ...r, errno: this.rules.length + 1 });
    return this.rules.length - 1;
  }
  /** seccomp_run_filters(): newest first, the lowest action wins, a tie keeps the newer; ALLOW is ENOSYS here (no handler). */
  answer(th: number, nr: number, arg: number): number | string {
    if (!this.joined[th]) return this.wide.some((id) => this.rules[id]!.nr === nr) ? 'ESECCOMP' : ENOSYS;
    const chain = [...this.wide, ...this.own[th]!];
    let best: number | undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const r = this.rules[chain[i]!]!;
      if (r.nr === nr && (r.arg === undefined || r.arg === arg) && best === undefined) best = r.errno; // every ERRNO ranks the same: the newest wins
    }
    return best === undefined ? ENOSYS : -best;
  }
  reasons(nr: number): number {
    const wide = this.wide.some((id) => this.rules[id]!.nr === nr) ? 2 : 0;
    const own = this.own.some((c, th) => this.joined[th] && c.some((id) => this.rules[id]!.nr === nr)) ? 4 : 0;
    return wide | own;
  }
}

