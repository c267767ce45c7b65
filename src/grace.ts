// The writer lock and grace periods (quiescent-state based reclamation, after
// liburcu's QSBR flavour): readers announce quiescent points; a writer that
// took handlers out waits until every online thread has announced one since,
// and until their async calls in flight have settled.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import type { Thread } from './thread.js';
import { workerWord } from './records.js';
import { blockingAllowed } from './blocking.js';
import { carriedInFlight } from './call-records.js';
import { leaseWatch } from './lease.js';


/**
 * Takes the writer lock. A thread waiting for it outside any call passes a
 * quiescent point at each turn, so it holds no grace period back for long.
 * The lock is its holder's worker index + 1, and freeing that worker's
 * record frees it too (core workerRelease): it never outlives its holder. Waits at most `lockTimeout` ms, then throws ETIMEDOUT.
 */
export function lock(t: Thread): void {
  const owner = t.v.me + 1;
  if (t.closed) throw new SystabError('EBUSY', 'this table view is closed (close() gave its worker record back); attach again');
  if (Atomics.load(t.v.i32, L.H_LOCK) === owner) {
    throw new SystabError('EBUSY', 'this thread is already changing the table (a wrap factory, or a call served while it waits for the lock, may not change it too)');
  }
  // Outside any call this thread holds no handler: a quiescent point (a thread
  // that only changes or verifies the table, and never calls, passes grace periods).
  t.quiesce();
  if (t.v.core.lockTry(owner)) return;
  const deadline = performance.now() + t.v.lockTimeout;
  const soon = performance.now() + 50;
  // It stays online while it waits, with a quiescent point at each turn (outside
  // any call): the calls it serves meanwhile may reach handlers, and a grace
  // period must wait for those (offline, one could be freed under them).
  const shared = t.v.shared && blockingAllowed(t.v.i32);
  while (!t.v.core.lockTry(owner)) {
    const cur = Atomics.load(t.v.i32, L.H_LOCK);
    // A holder whose worker record is free is gone (freeing it frees the lock; damaged memory may not have).
    if (cur > 0 && Atomics.load(t.v.i32, workerWord(t.v, cur - 1, L.WR_STATE)) === L.WS_FREE) {
      if (Atomics.compareExchange(t.v.i32, L.H_LOCK, cur, 0) === cur) Atomics.or(t.v.i32, L.H_ORPHANS, L.ORPHANS_LOCK_LOST);
      continue;
    }
    // A holder this thread is terminating ends only once this thread's event
    // loop sees it: past a moment (it may still be finishing its change), waiting here cannot end well.
    if (performance.now() >= soon && t.terminating(cur - 1)) {
      throw new SystabError('ETIMEDOUT', `the writer lock is held by worker ${cur - 1} (thread ${t.v.i32[workerWord(t.v, cur - 1, L.WR_ID)]}), whose terminate() this thread asked for: its end is seen only from this thread's event loop (await worker.terminate() first); nothing was changed`);
    }
    if (performance.now() >= deadline) {
      const st = Atomics.load(t.v.i32, workerWord(t.v, cur - 1, L.WR_STATE));
      const thread = t.v.i32[workerWord(t.v, cur - 1, L.WR_ID)];
      throw new SystabError('ETIMEDOUT', `the writer lock is still held by worker ${cur - 1} (thread ${thread}, ${st === L.WS_ONLINE ? 'online' : 'offline'}) after ${t.v.lockTimeout} ms; if that thread was terminated, its exit has not been seen yet (await worker.terminate() first); nothing was changed`);
    }
    t.quiesce();
    t.serve(); // calls carried here must not wait for our lock
    if (cur !== 0 && shared) Atomics.wait(t.v.i32, L.H_LOCK, cur, 1);
  }
}

export function unlock(t: Thread): void {
  t.v.core.unlock(t.v.me + 1);
}

// One turn of the event loop; made on first use (nothing is created at import).
let tickFn: (() => Promise<void>) | undefined;
const makeTick = (): (() => Promise<void>) => {
  if (typeof setImmediate === 'function') return () => new Promise((r) => setImmediate(r));
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((r) => {
      waiting.push(r);
      ch.port2.postMessage(0);
    });
};
const tick = (): Promise<void> => (tickFn ??= makeTick())();

/** A handler of `ids` still running somewhere: an async call in flight, or a call carried to its home; `at.w` is the thread it runs in. */
function inflight(t: Thread, ids: readonly number[], at?: { w: number }): number {
  if (ids.length === 0) return 0;
  const maxW = t.v.i32[L.H_MAXW]!;
  const maxH = t.v.i32[L.H_MAXH]!;
  // Per worker: a freed worker's bytes are ignored (a terminated thread's promises will never settle, nor run).
  for (let w = 0; w < maxW; w++) {
    if (Atomics.load(t.v.i32, workerWord(t.v, w, L.WR_STATE)) === L.WS_FREE) continue;
    const row = t.v.at.async + w * maxH;
    for (const h of ids) {
      if (Atomics.load(t.v.u8, row + h) === 0) continue;
      if (at !== undefined) at.w = w;
      return h;
    }
  }
  return carriedInFlight(t.v, new Set(ids), at);
}

/** The home of a call worker `w` has posted or sees running (the first such record), or -1. */
function homeAwaited(t: Thread, w: number): number {
  for (let k = 0; k < t.v.at.ncalls; k++) {
    const rec = t.v.at.calls + (w * t.v.at.ncalls + k) * L.CR_WORDS;
    const s = Atomics.load(t.v.i32, rec + L.CR_STATE);
    if (s === L.CS_POSTED || s === L.CS_TAKEN) return Atomics.load(t.v.i32, rec + L.CR_TARGET);
  }
  return -1;
}

/**
 * Starts a grace period and waits for it and for the async calls of `ids`.
 * Resolves undefined when done, or with a sentence naming what held it back
 * once `timeout` ms have passed.
 */
export async function graceFor(t: Thread, ids: readonly number[], timeout: number): Promise<string | undefined> {
  const gp = t.v.core.gpStart();
  const deadline = performance.now() + timeout;
  // A lagging thread that has gone unseen (a terminated Web Worker) is evicted once its lease is seen gone.
  const lagging = leaseWatch(t, (w, gen) => t.evictWorker(w, gen));
  // ...and the home a lagging thread waits on: a thread blocked in a carried call to a gone home cannot look itself.
  const waitedOn = leaseWatch(t, (w, gen) => t.evictWorker(w, gen));
  for (;;) {
    // This thread counts as passed only at a quiescent point: a change made
    // from inside a handler waits for that handler to return too.
    const w = t.v.core.gpWaiter(gp, t.quiesce() ? t.v.me : -1);
    const running = { w: -1 };
    const h = w < 0 ? inflight(t, ids, running) : 0;
    // The thread holding the period back, or running a call of `ids`.
    if (w >= 0 || running.w >= 0) lagging(w >= 0 ? w : running.w);
    if (w >= 0) {
      const home = homeAwaited(t, w);
      if (home >= 0) waitedOn(home);
    }
    if (w < 0 && h === 0) return undefined;
    if (performance.now() >= deadline) {
      return w >= 0 ? `worker ${w} has not reached a quiescent point (it may be stuck in a long call or a guest loop)` : `a call of handler ${h} is still in flight (async, or carried to its home)`;
    }
    t.serve(); // a caller blocked on us is in a call: serving it lets it reach its quiescent point
    // Where this thread may block, sleep briefly on the lagging worker's
    // quiescent word (it notifies when it writes it): no busy polling, and the
    // wake-up comes as soon as it answers. Then let the event loop run.
    if (w >= 0 && w !== t.v.me && t.v.shared && blockingAllowed(t.v.i32)) {
      const at = workerWord(t.v, w, L.WR_QS);
      const seen = Atomics.load(t.v.i32, at);
      if (seen - gp < 0) Atomics.wait(t.v.i32, at, seen, 0.5);
    }
    await tick();
  }
}

/**
 * Handlers taken out without a wait of their own; freed once a later grace
 * period has passed. Owned by the writer side (writer.ts); `freed` drops
 * this thread's code for them.
 */
export class Limbo {
  #parked: { ids: number[]; gp: number; done: () => void; fail: (e: unknown) => void }[] = [];
  #running = false;
  #lagging: ((w: number) => void) | undefined;
  readonly #freed: (ids: readonly number[]) => void;

  constructor(freed: (ids: readonly number[]) => void) {
    this.#freed = freed;
  }

  /** Retire `ids` and resolve once they have drained (a replace's `drained`). */
  retire(t: Thread, ids: number[]): Promise<void> {
    return new Promise((done, fail) => {
      this.#parked.push({ ids, gp: t.v.core.gpStart(), done, fail });
      void this.#run(t);
    });
  }

  /** Frees whatever has drained by now. */
  collect(t: Thread): void {
    const self = t.quiesce() ? t.v.me : -1;
    this.#parked = this.#parked.filter((p) => {
      const w = t.v.core.gpWaiter(p.gp, self);
      const running = { w: -1 };
      const busy = w >= 0 || inflight(t, p.ids, running) !== 0;
      if (busy && (w >= 0 || running.w >= 0)) (this.#lagging ??= leaseWatch(t, (x, gen) => t.evictWorker(x, gen)))(w >= 0 ? w : running.w);
      if (busy) return true;
      for (const h of p.ids) t.v.core.handlerFree(h);
      this.#freed(p.ids);
      p.done();
      return false;
    });
  }

  async #run(t: Thread): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#parked.length > 0 && !t.closed) {
        this.collect(t);
        if (this.#parked.length > 0) await tick();
      }
    } finally {
      this.#running = false;
    }
  }
}
