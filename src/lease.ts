// Seeing a thread that has gone where nothing reports it (a browser's
// terminated Web Worker runs no more code and fires no event): every thread
// that attaches holds a Web Lock named for its worker record and claim for
// as long as it lives. The agent frees a dead thread's locks, so a waiter
// that finds a lagging thread's lock neither held nor requested knows it
// is gone, and evicts it.
import * as L from '../assembly/layout.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';
import { workerWord } from './records.js';

interface LockManager {
  request(name: string, cb: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
}

// Browsers only: Node 24 has navigator.locks, but a worker's locks do not
// show in another thread's query() there (and Node reports exits anyway).
const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

const locks = (): LockManager | undefined => {
  if (isNode()) return undefined;
  const l = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return typeof l?.request === 'function' && typeof l.query === 'function' ? l : undefined;
};

const leaseName = (v: View, w: number, gen: number): string => `systab:${Atomics.load(v.i32, L.H_LEASE_ID)}:${w}:${gen}`;

/** Takes this thread's lease (where Web Locks exist); returns what gives it back. */
export function holdLease(t: Thread): () => void {
  const l = locks();
  if (l === undefined || !t.v.shared) return () => {};
  let end = (): void => {};
  const held = new Promise<void>((res) => (end = res));
  const at = workerWord(t.v, t.v.me, L.WR_LEASE);
  const gen = t.v.claimGen;
  // Granted, the lock is held until this thread gives it back or dies; only
  // from then on does its absence mean the thread is gone (a request not yet
  // granted may not show: a thread that never yields to its event loop is
  // never judged by its lease).
  l.request(leaseName(t.v, t.v.me, gen), () => {
    if (Atomics.load(t.v.i32, workerWord(t.v, t.v.me, L.WR_GEN)) === gen) Atomics.store(t.v.i32, at, 1);
    return held;
  }).catch(() => {});
  return () => end();
}

/** The names of the locks held or requested now, or undefined where there are none. */
async function leaseNames(): Promise<Set<string> | undefined> {
  const l = locks();
  if (l === undefined) return undefined;
  const q = await l.query();
  return new Set([...(q.held ?? []), ...(q.pending ?? [])].map((x) => x.name ?? ''));
}

/**
 * Whether worker `w` (claim `gen`) is gone: it holds a granted lease and the
 * lease has been absent in two looks 100 ms apart. False where there are no Web Locks.
 */
export async function leaseGone(t: Thread, w: number, gen: number): Promise<boolean> {
  const alive = (): boolean => Atomics.load(t.v.i32, workerWord(t.v, w, L.WR_STATE)) !== L.WS_FREE && Atomics.load(t.v.i32, workerWord(t.v, w, L.WR_GEN)) === gen;
  if (!alive() || Atomics.load(t.v.i32, workerWord(t.v, w, L.WR_LEASE)) !== 1) return false;
  const name = leaseName(t.v, w, gen);
  for (let look = 0; look < 2; look++) {
    if (look > 0) await new Promise((r) => setTimeout(r, 100));
    const names = await leaseNames();
    if (names === undefined || names.has(name) || !alive()) return false;
  }
  return true;
}

/**
 * Watches the threads a wait is held back by: once one has lagged for
 * `afterMs`, its lease is looked at (at most one look at a time) and, if it
 * is gone, `evictWorker` frees it. Call `lagging(w)` on each round of a wait.
 */
export function leaseWatch(t: Thread, evictWorker: (w: number, gen: number) => void, afterMs = 300): (w: number) => void {
  if (locks() === undefined || !t.v.shared) return () => {};
  let since = new Map<number, number>();
  let looking = false;
  return (w: number) => {
    const now = performance.now();
    const first = since.get(w) ?? now;
    since = new Map([[w, first]]);
    if (looking || now - first < afterMs || w === t.v.me) return;
    looking = true;
    const gen = Atomics.load(t.v.i32, workerWord(t.v, w, L.WR_GEN));
    void leaseGone(t, w, gen)
      .then((gone) => {
        if (gone) evictWorker(w, gen);
      })
      .catch(() => {})
      .finally(() => {
        looking = false;
        since.set(w, performance.now()); // look again only after another wait
      });
  };
}

/**
 * Looks at every thread's lease once a second while this table is open (held
 * weakly, as the doorbell watch is): a thread whose granted lease is absent in
 * two sweeps in a row is evicted, even if nothing waits on it yet (an unload
 * it had begun, or its calls' records, are then finished and freed).
 */
export function sweepLeases(t: Thread, everyMs = 1000): void {
  if (locks() === undefined || !t.v.shared) return;
  const ref = new WeakRef(t);
  let absent = new Set<string>();
  let busy = false;
  const timer = setInterval(() => {
    const table = ref.deref();
    if (table === undefined || table.closed) return clearInterval(timer);
    if (busy) return;
    busy = true;
    void leaseNames()
      .then((names) => {
        if (names === undefined) return;
        const seen = new Set<string>();
        const i32 = table.v.i32;
        for (let w = 0; w < i32[L.H_MAXW]!; w++) {
          if (w === table.v.me || Atomics.load(i32, workerWord(table.v, w, L.WR_STATE)) === L.WS_FREE || Atomics.load(i32, workerWord(table.v, w, L.WR_LEASE)) !== 1) continue;
          const gen = Atomics.load(i32, workerWord(table.v, w, L.WR_GEN));
          const name = leaseName(table.v, w, gen);
          if (names.has(name)) continue;
          if (absent.has(name)) table.evictWorker(w, gen);
          else seen.add(name);
        }
        absent = seen;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, everyMs);
}
