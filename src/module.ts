// A loaded module's handle (its holder is its owner), and unloading it: out
// of the table under the writer lock, a grace period with the lock free,
// then finished (or put back) under the lock again.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { show } from './handlers.js';
import { graceFor, lock, unlock } from './grace.js';
import { handlerWord, moduleName, moduleWord } from './records.js';
import { belowOf, chain, dropUnpublished, handlersOf, insertAbove, kindOf, moduleOf, swapIn, unlink } from './chains.js';
import { discard, forget } from './code.js';
import { finishUnload, lockForChange } from './orphans.js';
import type { Writer } from './writer.js';

/** A loaded module; its holder is its owner. */
export class Module {
  readonly name: string;
  /** Resolves when every handler this load displaced (a replace) has drained. */
  readonly drained: Promise<void>;
  /** @internal */ readonly wr: Writer;
  /** @internal */ readonly id: number;
  /** @internal */ readonly gen: number;

  /** @internal */
  constructor(wr: Writer, name: string, id: number, gen: number, drained: Promise<void>) {
    this.wr = wr;
    this.name = name;
    this.id = id;
    this.gen = gen;
    this.drained = drained;
  }

  /**
   * The owner token: post it to another thread and `table.module(token)`
   * there gives a handle that may unload this module. Nothing else can.
   */
  get token(): string {
    const r = moduleWord(this.wr.v, this.id, 0);
    const a = this.wr.v.i32[r + L.MR_SECRET]! >>> 0;
    const b = this.wr.v.i32[r + L.MR_SECRET + 1]! >>> 0;
    return `${this.id}.${this.gen}.${a.toString(36)}.${b.toString(36)}`;
  }

  /** True while this load is the one in the table (not unloaded, not replaced). */
  get loaded(): boolean {
    const r = moduleWord(this.wr.v, this.id, 0);
    return Atomics.load(this.wr.v.i32, r + L.MR_GEN) === this.gen && Atomics.load(this.wr.v.i32, r + L.MR_HOME) > 0;
  }

  /**
   * Takes the module's handlers out and restores what was below them. Resolves
   * once no call anywhere can start in them and every call that had started
   * has returned. After `timeout` ms (default 5000) without that, it rejects
   * with ETIMEDOUT and leaves the module loaded, unless `force` is set.
   */
  unload(options: { timeout?: number; force?: boolean } = {}): Promise<void> {
    return unloadModule(this, options);
  }
}

interface Removed {
  h: number;
  slot: number;
  below: number;
  stub: number; // the unload stub holding the slot in h's place, 0 none (a wrap, or a reservation below)
}

/**
 * Unloads a module in three steps, holding the writer lock only for the
 * first and the last, never across the grace period (so no writer ever
 * waits on another thread's quiescence, and a thread that dies meanwhile
 * leaves no lock behind):
 * 1. take out: each plain handler's place is held by an unload stub (calls
 *    answer as if it were gone; other loads there get EBUSY), wraps are
 *    unlinked (calls fall through), the module record says "unloading";
 * 2. wait for the grace period and for calls in flight;
 * 3. finish (free the handlers, drop the stubs) or, timed out, put every
 *    handler back where it was.
 */
async function unloadModule(m: Module, options: { timeout?: number; force?: boolean }): Promise<void> {
  const wr = m.wr;
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `unload() takes { timeout?, force? } (got ${show(options)})`);
  const timeout = options.timeout ?? 5000;
  if (typeof timeout !== 'number' || !(timeout >= 0)) throw new SystabError('EBADSPEC', `unload() timeout must be a number of milliseconds >= 0 (got ${show(timeout)})`);
  const force = options.force ?? false;
  if (typeof force !== 'boolean') throw new SystabError('EBADSPEC', `unload() force must be true or false (got ${show(force)})`);
  const removed: Removed[] = [];
  let home = 0;
  lockForChange(wr);
  try {
    if (!m.loaded) throw new SystabError('ENOTLOADED', `module "${m.name}" is not loaded (unloaded already, or replaced by a newer load)`);
    // "Being unloaded by this thread" before anything changes: if this thread
    // dies at any point of this step, the module is an orphan and the next
    // writer finishes the unload (adoptOrphans), whatever was taken out by then.
    home = wr.v.i32[moduleWord(wr.v, m.id, L.MR_HOME)]!;
    Atomics.store(wr.v.i32, moduleWord(wr.v, m.id, L.MR_HOME), -(wr.v.me + 1));
    const plans = handlersOf(wr, m.id).map((h) => {
      const below = belowOf(wr, h);
      const held = (kindOf(wr, h) & L.HK_WRAP) !== 0 || (below !== 0 && (kindOf(wr, below) & L.HK_STUB) !== 0 && moduleOf(wr, below) === m.id);
      return { h, slot: wr.v.i32[handlerWord(wr.v, h, L.HR_SLOT)]!, below, needsStub: !held };
    });
    // Every stub is allocated before anything changes, so a full table changes nothing.
    const stubs: number[] = [];
    for (const p of plans) {
      if (!p.needsStub) continue;
      const id = wr.v.core.handlerAlloc(L.HK_STUB | L.HK_UNLOAD, m.id, p.slot, 0, wr.v.me);
      if (id === 0) {
        dropUnpublished(wr, stubs);
        Atomics.store(wr.v.i32, moduleWord(wr.v, m.id, L.MR_HOME), home);
        throw new SystabError('EFULL', `all ${wr.v.i32[L.H_MAXH]! - 1} handler records of this table are taken (an unload holds each plain handler's place with one while it waits)`);
      }
      stubs.push(id);
    }
    let k = 0;
    for (const p of plans) {
      const stub = p.needsStub ? stubs[k++]! : 0;
      if (stub !== 0) swapIn(wr, p.slot, p.h, stub);
      else unlink(wr, p.slot, p.h);
      wr.v.core.handlerRetire(p.h, wr.v.me);
      removed.push({ h: p.h, slot: p.slot, below: p.below, stub });
    }
  } finally {
    unlock(wr.thread);
  }
  const ids = removed.map((r) => r.h);
  const waiter = await graceFor(wr.thread, ids, timeout);
  // Each try is bounded by lockTimeout; the lock is taken in the same turn as
  // the work below (never held across an await, where this thread's other
  // changes would find it taken).
  while (!tryLock(wr)) await new Promise((r) => setTimeout(r, 1));
  try {
    if (waiter !== undefined && !force) {
      putBack(wr, removed);
      Atomics.store(wr.v.i32, moduleWord(wr.v, m.id, L.MR_HOME), home);
      throw new SystabError('ETIMEDOUT', `unload of module "${m.name}" timed out after ${timeout} ms: ${waiter}; the module is still loaded`);
    }
    wr.v.core.moduleBump(m.id);
    if (waiter === undefined) {
      for (const h of ids) wr.v.core.handlerFree(h);
      discard(wr.code, ids);
    } else {
      forget(wr.code, ids);
      wr.limbo.retire(wr.thread, ids).catch(() => {}); // forced: freed only after a later grace period
    }
    finishUnload(wr, m.id);
  } finally {
    unlock(wr.thread);
  }
}

/** The lock for an unload's last step: false when it timed out (try again), true when held. */
function tryLock(wr: Writer): boolean {
  try {
    lock(wr.thread);
    return true;
  } catch (e) {
    if (!(e instanceof SystabError) || e.code !== 'ETIMEDOUT' || wr.thread.closed) throw e;
    return false;
  }
}

/** A timed-out unload: each handler back where it was (a wrap over what it sat on, or at the top if that has gone). */
function putBack(wr: Writer, removed: readonly Removed[]): void {
  for (const r of [...removed].reverse()) {
    wr.v.core.handlerRevive(r.h);
    if (r.stub !== 0) {
      swapIn(wr, r.slot, r.stub, r.h);
      wr.v.core.handlerRetire(r.stub, wr.v.me);
      wr.limbo.retire(wr.thread, [r.stub]).catch(() => {});
      continue;
    }
    const c = chain(wr, r.slot);
    insertAbove(wr, r.slot, r.h, r.below === 0 || c.includes(r.below) ? r.below : (c[0] ?? 0));
  }
}

/** A handle for the module an owner token names (see Module.token). */
export function moduleByToken(wr: Writer, token: string): Module {
  const m = typeof token === 'string' ? /^(\d+)\.(-?\d+)\.([0-9a-z]+)\.([0-9a-z]+)$/.exec(token) : null;
  const id = m ? Number(m[1]) : 0;
  if (m === null || id <= 0 || id >= wr.v.i32[L.H_MAXM]!) throw new SystabError('EBADSPEC', `not a module token: ${show(token)}`);
  const r = moduleWord(wr.v, id, 0);
  const ok =
    Atomics.load(wr.v.i32, r + L.MR_STATE) === L.MS_LIVE &&
    Atomics.load(wr.v.i32, r + L.MR_GEN) === Number(m[2]) &&
    (wr.v.i32[r + L.MR_SECRET]! >>> 0).toString(36) === m[3] &&
    (wr.v.i32[r + L.MR_SECRET + 1]! >>> 0).toString(36) === m[4] &&
    wr.v.i32[r + L.MR_HOME]! > 0;
  if (!ok) throw new SystabError('ENOTLOADED', `the module this token names is not loaded (unloaded, or replaced by a newer load)`);
  return new Module(wr, moduleName(wr.v, id), id, Number(m[2]), Promise.resolve());
}
