// Registration changes: load, replace, wrap, unload, reserve, release. Every
// change holds the table's writer lock and publishes with one CAS in the core
// (a slot word, or the `below` link of the handler above); readers never lock.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { moduleNameBytes, normalizeModule, show, slotsFor, type Entry, type ModuleSpec } from './handlers.js';
import { describeSlot } from './slots.js';
import type { Table } from './table.js';
import { graceFor, lock, unlock } from './grace.js';
import { handlerWord, moduleWord } from './records.js';

/** A loaded module; its holder is its owner. */
export class Module {
  readonly name: string;
  /** Resolves when every handler this load displaced (a replace) has drained. */
  readonly drained: Promise<void>;
  /** @internal */ readonly table: Table;
  /** @internal */ readonly id: number;
  /** @internal */ readonly gen: number;

  /** @internal */
  constructor(table: Table, name: string, id: number, gen: number, drained: Promise<void>) {
    this.table = table;
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
    const r = moduleWord(this.table, this.id, 0);
    const a = this.table.i32[r + L.MR_SECRET]! >>> 0;
    const b = this.table.i32[r + L.MR_SECRET + 1]! >>> 0;
    return `${this.id}.${this.gen}.${a.toString(36)}.${b.toString(36)}`;
  }

  /** True while this load is the one in the table (not unloaded, not replaced). */
  get loaded(): boolean {
    const r = moduleWord(this.table, this.id, 0);
    return Atomics.load(this.table.i32, r + L.MR_GEN) === this.gen && Atomics.load(this.table.i32, r + L.MR_HOME) > 0;
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

const utf8 = /* @__PURE__ */ new TextDecoder();

/** @internal The name of module record `id`. */
export function moduleName(t: Table, id: number): string {
  const len = t.i32[moduleWord(t, id, L.MR_NAMELEN)]!;
  const start = moduleWord(t, id, L.MR_NAME) * 4;
  return utf8.decode(new Uint8Array(t.i32.buffer, start, len).slice());
}

function findModule(t: Table, name: Uint8Array): number {
  const n = t.i32[L.H_MAXM]!;
  outer: for (let id = 1; id < n; id++) {
    if (Atomics.load(t.i32, moduleWord(t, id, L.MR_STATE)) !== L.MS_LIVE) continue;
    if (t.i32[moduleWord(t, id, L.MR_NAMELEN)] !== name.length) continue;
    const bytes = new Uint8Array(t.i32.buffer, moduleWord(t, id, L.MR_NAME) * 4, name.length);
    for (let i = 0; i < name.length; i++) if (bytes[i] !== name[i]) continue outer;
    return id;
  }
  return 0;
}

function claimModule(t: Table, name: Uint8Array): number {
  const id = t.core.moduleClaim();
  if (id < 0) throw new SystabError('EFULL', `all ${t.i32[L.H_MAXM]! - 1} module records of this table are taken`);
  // The claimer alone writes the name before publishing the record.
  new Uint8Array(t.i32.buffer, moduleWord(t, id, L.MR_NAME) * 4, L.NAME_MAX_BYTES).fill(0).set(name);
  Atomics.store(t.i32, moduleWord(t, id, L.MR_NAMELEN), name.length);
  Atomics.store(t.i32, moduleWord(t, id, L.MR_HOME), 0);
  const secret = new Uint32Array(2);
  crypto.getRandomValues(secret);
  Atomics.store(t.i32, moduleWord(t, id, L.MR_SECRET), secret[0]! | 0);
  Atomics.store(t.i32, moduleWord(t, id, L.MR_SECRET + 1), secret[1]! | 0);
  t.core.modulePublish(id);
  return id;
}

function kindOf(t: Table, h: number): number {
  return t.i32[handlerWord(t, h, L.HR_KIND)]!;
}
function belowOf(t: Table, h: number): number {
  return Atomics.load(t.i32, handlerWord(t, h, L.HR_BELOW));
}
function moduleOf(t: Table, h: number): number {
  return t.i32[handlerWord(t, h, L.HR_MODULE)]!;
}
function topOf(t: Table, slot: number): number {
  return Atomics.load(t.i32, t.at.slots + slot) & L.ID_MASK;
}

/** The handlers on a slot, top first. */
function chain(t: Table, slot: number): number[] {
  const out: number[] = [];
  const n = t.i32[L.H_MAXH]!;
  // Bounded: a chain in damaged memory may loop or point past the records.
  for (let h = topOf(t, slot); h !== 0; h = belowOf(t, h)) {
    if (h >>> 0 >= n >>> 0 || out.length >= n) throw new SystabError('ELAYOUT', `verify: the handler chain of slot ${describeSlot(t.map, slot)} is damaged`);
    out.push(h);
  }
  return out;
}

/** Links handler `h` in directly above `below` (0: at the bottom) on `slot`. One CAS publishes it. */
function insertAbove(t: Table, slot: number, h: number, below: number): void {
  const c = chain(t, slot);
  const i = below === 0 ? c.length : c.indexOf(below);
  if (i < 0) throw new Error(`systab: handler ${below} is not on slot ${slot}`);
  Atomics.store(t.i32, handlerWord(t, h, L.HR_BELOW), below);
  if (i === 0) publishTop(t, slot, h);
  else if (!t.core.handlerSetBelow(c[i - 1]!, below, h)) throw new Error('systab: lost a link race under the writer lock');
}

/** Unlinks handler `h` from its slot's chain; returns the handler that was below it. */
function unlink(t: Table, slot: number, h: number): number {
  const below = belowOf(t, h);
  const c = chain(t, slot);
  const i = c.indexOf(h);
  if (i < 0) throw new Error(`systab: handler ${h} is not on slot ${slot}`);
  if (i === 0) publishTop(t, slot, below);
  else if (!t.core.handlerSetBelow(c[i - 1]!, h, below)) throw new Error('systab: lost a link race under the writer lock');
  return below;
}

/** Puts handler `h` where `old` is, over what `old` had below, in one CAS. */
function swapIn(t: Table, slot: number, old: number, h: number): void {
  const c = chain(t, slot);
  const i = c.indexOf(old);
  if (i < 0) throw new Error(`systab: handler ${old} is not on slot ${slot}`);
  Atomics.store(t.i32, handlerWord(t, h, L.HR_BELOW), belowOf(t, old));
  if (i === 0) publishTop(t, slot, h);
  else if (!t.core.handlerSetBelow(c[i - 1]!, old, h)) throw new Error('systab: lost a link race under the writer lock');
}

function publishTop(t: Table, slot: number, h: number): void {
  const word = Atomics.load(t.i32, t.at.slots + slot);
  const slow = h !== 0 && (kindOf(t, h) & L.HK_STUB) !== 0;
  if (t.core.slotSwap(slot, word & (L.ID_MASK | L.GEN_MASK), h, slow ? 1 : 0) === 0) throw new Error('systab: lost a slot race under the writer lock');
}

function ownerName(t: Table, h: number): string {
  return moduleName(t, moduleOf(t, h));
}

interface Plan {
  entry: Entry;
  below: number; // insert directly above this (0: bottom)
  replaces: number; // a handler of the old version to take out, 0 none
}

/** Loads a module (see Table.load). */
export function loadModule(t: Table, spec: ModuleSpec): Module {
  const mod = normalizeModule(t.abi, t.map, spec);
  lockForChange(t);
  try {
    let mid = findModule(t, mod.nameBytes);
    notUnloading(t, mid, mod.name);
    const loaded = mid !== 0 && t.i32[moduleWord(t, mid, L.MR_HOME)]! > 0;
    if (loaded && !mod.replace) throw new SystabError('EEXIST', `module "${mod.name}" is already loaded`);
    const plans: Plan[] = [];
    for (const e of mod.entries) plans.push(plan(t, mod.name, mid, loaded, mod.replace, e));
    const leaving: number[] = [];
    if (loaded) {
      const keep = new Set(plans.map((p) => p.replaces));
      for (const h of handlersOf(t, mid)) if (!keep.has(h)) leaving.push(h);
    }
    // Allocate every record before publishing any, so a full table changes nothing.
    const ids: number[] = [];
    if (mid === 0) mid = claimModule(t, mod.nameBytes);
    for (const p of plans) {
      const id = t.core.handlerAlloc(p.entry.kind, mid, p.entry.slot, 0, t.me);
      if (id === 0) {
        dropUnpublished(t, ids);
        if (!loaded && !hasStubs(t, mid)) t.core.moduleFree(mid);
        t.limbo.collect(t);
        throw new SystabError('EFULL', `all ${t.i32[L.H_MAXH]! - 1} handler records of this table are taken (unloads still draining hold some)`);
      }
      ids.push(id);
    }
    const gen = loaded ? t.core.moduleBump(mid) : Atomics.load(t.i32, moduleWord(t, mid, L.MR_GEN));
    // This thread's code, by handler id: the old version's stays until its records are freed.
    for (let i = 0; i < plans.length; i++) t.local.set(ids[i]!, { entry: plans[i]!.entry, gen: Atomics.load(t.i32, handlerWord(t, ids[i]!, L.HR_GEN)) });
    // Wraps are made now, with their `below`, so a bad factory fails the load before anything is published.
    try {
      for (let i = 0; i < plans.length; i++) if ((plans[i]!.entry.kind & L.HK_WRAP) !== 0) t.prepare(ids[i]!);
    } catch (e) {
      dropUnpublished(t, ids);
      t.discard(ids);
      if (!loaded && !hasStubs(t, mid)) t.core.moduleFree(mid);
      throw e;
    }
    // Publish: one CAS each.
    const retired: number[] = [];
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i]!;
      const id = ids[i]!;
      if (p.replaces !== 0) {
        swapIn(t, p.entry.slot, p.replaces, id);
        retired.push(p.replaces);
      } else {
        insertAbove(t, p.entry.slot, id, p.below);
      }
    }
    for (const h of leaving) {
      unlink(t, t.i32[handlerWord(t, h, L.HR_SLOT)]!, h);
      retired.push(h);
    }
    for (const h of retired) t.core.handlerRetire(h, t.me);
    Atomics.store(t.i32, moduleWord(t, mid, L.MR_HOME), t.me + 1);
    const drained = retired.length === 0 ? Promise.resolve() : t.limbo.retire(t, retired);
    drained.catch(() => {});
    t.becameHome();
    return new Module(t, mod.name, mid, gen, drained);
  } finally {
    unlock(t);
  }
}

function plan(t: Table, name: string, mid: number, loaded: boolean, replace: boolean, e: Entry): Plan {
  const c = chain(t, e.slot);
  // Hot swap: the new version takes the old version's place on the slot.
  if (loaded) {
    const own = c.find((h) => moduleOf(t, h) === mid && (kindOf(t, h) & L.HK_STUB) === 0 && (kindOf(t, h) & L.HK_WRAP) === (e.kind & L.HK_WRAP));
    if (own !== undefined) return { entry: e, below: 0, replaces: own };
  }
  if ((e.kind & L.HK_WRAP) !== 0) return { entry: e, below: c[0] ?? 0, replaces: 0 };
  // A plain handler sits on the chain's base: the first handler from the top that is not a wrap.
  const base = c.find((h) => (kindOf(t, h) & L.HK_WRAP) === 0);
  if (base === undefined) return { entry: e, below: 0, replaces: 0 };
  if ((kindOf(t, base) & L.HK_STUB) !== 0) {
    if ((kindOf(t, base) & L.HK_UNLOAD) !== 0) throw beingUnloaded(t, e.slot, base);
    if (moduleOf(t, base) === mid) return { entry: e, below: base, replaces: 0 };
    throw new SystabError('ERESERVED', `call ${e.label} is reserved for module "${ownerName(t, base)}"`);
  }
  if (replace) throw new SystabError('ENOTOWNER', `call ${e.label} belongs to module "${ownerName(t, base)}"; replace takes only "${name}"'s own or free slots`);
  throw new SystabError('EEXIST', `call ${e.label} is taken by module "${ownerName(t, base)}"`);
}

/** Live handlers of a module of one sort: its code (wraps included), its reservation stubs, or its unload's stubs. */
type Sort = 'code' | 'reserved' | 'unload';
function recordsOf(t: Table, mid: number, sort: Sort): number[] {
  const out: number[] = [];
  const n = t.i32[L.H_MAXH]!;
  for (let h = 1; h < n; h++) {
    if (Atomics.load(t.i32, handlerWord(t, h, L.HR_STATE)) !== L.HS_LIVE || moduleOf(t, h) !== mid) continue;
    const k = kindOf(t, h);
    if (((k & L.HK_UNLOAD) !== 0 ? 'unload' : (k & L.HK_STUB) !== 0 ? 'reserved' : 'code') === sort) out.push(h);
  }
  return out;
}
const handlersOf = (t: Table, mid: number): number[] => recordsOf(t, mid, 'code');
const stubsOf = (t: Table, mid: number): number[] => recordsOf(t, mid, 'reserved');

/** Frees records allocated but never published. */
function dropUnpublished(t: Table, ids: readonly number[]): void {
  for (const a of ids) {
    t.core.handlerRetire(a, t.me);
    t.core.handlerFree(a);
  }
}

function hasStubs(t: Table, mid: number): boolean {
  return stubsOf(t, mid).length > 0;
}

function notUnloading(t: Table, mid: number, name: string): void {
  if (mid !== 0 && t.i32[moduleWord(t, mid, L.MR_HOME)]! < 0) {
    throw new SystabError('EBUSY', `module "${name}" is being unloaded (its unload waits for a grace period); await that unload first`);
  }
}

function beingUnloaded(t: Table, slot: number, stub: number): SystabError {
  return new SystabError('EBUSY', `call ${describeSlot(t.map, slot)} is being unloaded from module "${ownerName(t, stub)}" (its unload waits for a grace period); await that unload first`);
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
  const t = m.table;
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `unload() takes { timeout?, force? } (got ${show(options)})`);
  const timeout = options.timeout ?? 5000;
  if (typeof timeout !== 'number' || !(timeout >= 0)) throw new SystabError('EBADSPEC', `unload() timeout must be a number of milliseconds >= 0 (got ${show(timeout)})`);
  const force = options.force ?? false;
  if (typeof force !== 'boolean') throw new SystabError('EBADSPEC', `unload() force must be true or false (got ${show(force)})`);
  const removed: Removed[] = [];
  let home = 0;
  lockForChange(t);
  try {
    if (!m.loaded) throw new SystabError('ENOTLOADED', `module "${m.name}" is not loaded (unloaded already, or replaced by a newer load)`);
    // "Being unloaded by this thread" before anything changes: if this thread
    // dies at any point of this step, the module is an orphan and the next
    // writer finishes the unload (adoptOrphans), whatever was taken out by then.
    home = t.i32[moduleWord(t, m.id, L.MR_HOME)]!;
    Atomics.store(t.i32, moduleWord(t, m.id, L.MR_HOME), -(t.me + 1));
    const plans = handlersOf(t, m.id).map((h) => {
      const below = belowOf(t, h);
      const held = (kindOf(t, h) & L.HK_WRAP) !== 0 || (below !== 0 && (kindOf(t, below) & L.HK_STUB) !== 0 && moduleOf(t, below) === m.id);
      return { h, slot: t.i32[handlerWord(t, h, L.HR_SLOT)]!, below, needsStub: !held };
    });
    // Every stub is allocated before anything changes, so a full table changes nothing.
    const stubs: number[] = [];
    for (const p of plans) {
      if (!p.needsStub) continue;
      const id = t.core.handlerAlloc(L.HK_STUB | L.HK_UNLOAD, m.id, p.slot, 0, t.me);
      if (id === 0) {
        dropUnpublished(t, stubs);
        Atomics.store(t.i32, moduleWord(t, m.id, L.MR_HOME), home);
        throw new SystabError('EFULL', `all ${t.i32[L.H_MAXH]! - 1} handler records of this table are taken (an unload holds each plain handler's place with one while it waits)`);
      }
      stubs.push(id);
    }
    let k = 0;
    for (const p of plans) {
      const stub = p.needsStub ? stubs[k++]! : 0;
      if (stub !== 0) swapIn(t, p.slot, p.h, stub);
      else unlink(t, p.slot, p.h);
      t.core.handlerRetire(p.h, t.me);
      removed.push({ h: p.h, slot: p.slot, below: p.below, stub });
    }
  } finally {
    unlock(t);
  }
  const ids = removed.map((r) => r.h);
  const waiter = await graceFor(t, ids, timeout);
  // Each try is bounded by lockTimeout; the lock is taken in the same turn as
  // the work below (never held across an await, where this thread's other
  // changes would find it taken).
  while (!tryLock(t)) await new Promise((r) => setTimeout(r, 1));
  try {
    if (waiter !== undefined && !force) {
      putBack(t, removed);
      Atomics.store(t.i32, moduleWord(t, m.id, L.MR_HOME), home);
      throw new SystabError('ETIMEDOUT', `unload of module "${m.name}" timed out after ${timeout} ms: ${waiter}; the module is still loaded`);
    }
    t.core.moduleBump(m.id);
    if (waiter === undefined) {
      for (const h of ids) t.core.handlerFree(h);
      t.discard(ids);
    } else {
      t.forget(ids);
      t.limbo.retire(t, ids).catch(() => {}); // forced: freed only after a later grace period
    }
    finishUnload(t, m.id);
  } finally {
    unlock(t);
  }
}

/** The lock for an unload's last step: false when it timed out (try again), true when held. */
function tryLock(t: Table): boolean {
  try {
    lock(t);
    return true;
  } catch (e) {
    if (!(e instanceof SystabError) || e.code !== 'ETIMEDOUT' || t.closed) throw e;
    return false;
  }
}

/** A timed-out unload: each handler back where it was (a wrap over what it sat on, or at the top if that has gone). */
function putBack(t: Table, removed: readonly Removed[]): void {
  for (const r of [...removed].reverse()) {
    t.core.handlerRevive(r.h);
    if (r.stub !== 0) {
      swapIn(t, r.slot, r.stub, r.h);
      t.core.handlerRetire(r.stub, t.me);
      t.limbo.retire(t, [r.stub]).catch(() => {});
      continue;
    }
    const c = chain(t, r.slot);
    insertAbove(t, r.slot, r.h, r.below === 0 || c.includes(r.below) ? r.below : (c[0] ?? 0));
  }
}

/**
 * An unload's end, under the lock: every record of module `mid` still in the
 * table leaves it (its unload stubs, and any handler an unloader that died
 * in step 1 had not taken out yet), the module record says "not loaded",
 * freed if it holds no reservation. Whatever leaves is freed after a grace period.
 */
export function finishUnload(t: Table, mid: number): void {
  const out = [...recordsOf(t, mid, 'unload'), ...handlersOf(t, mid)];
  for (const h of out) {
    const slot = t.i32[handlerWord(t, h, L.HR_SLOT)]!;
    if (chain(t, slot).includes(h)) unlink(t, slot, h);
    t.core.handlerRetire(h, t.me);
  }
  if (out.length > 0) t.limbo.retire(t, out).catch(() => {});
  Atomics.store(t.i32, moduleWord(t, mid, L.MR_HOME), 0);
  if (!hasStubs(t, mid)) t.core.moduleFree(mid);
}

/**
 * Marks what worker `w` leaves unfinished as orphans (it is closing, or it
 * died and is being evicted): handlers it retired and was waiting to free,
 * and modules it was unloading. The next writer adopts them (adoptOrphans).
 * Called before `w`'s record is freed, so no new thread of that index is confused with it.
 */
export function orphan(t: Table, w: number): void {
  const n = t.i32[L.H_MAXH]!;
  const from = L.HS_GOING | ((w + 1) << L.HS_BY_SHIFT);
  for (let h = 1; h < n; h++) Atomics.compareExchange(t.i32, handlerWord(t, h, L.HR_STATE), from, L.HS_GOING);
  const m = t.i32[L.H_MAXM]!;
  for (let id = 1; id < m; id++) Atomics.compareExchange(t.i32, moduleWord(t, id, L.MR_HOME), -(w + 1), L.MR_ORPHAN);
  Atomics.or(t.i32, L.H_ORPHANS, L.ORPHANS_LEFT);
}

/** The writer lock, and what threads that left behind: their retired handlers are freed after this thread's grace period, their unloads finished. */
export function lockForChange(t: Table): void {
  lock(t);
  if (Atomics.load(t.i32, L.H_ORPHANS) === 0) return;
  const left = Atomics.exchange(t.i32, L.H_ORPHANS, 0);
  if (left === 0) return;
  try {
    if ((left & L.ORPHANS_LOCK_LOST) !== 0) repairHalfMade(t);
    adoptOrphans(t);
  } catch (e) {
    unlock(t); // never leave the lock held on a failure here
    throw e;
  }
}

/**
 * A writer died holding the lock: its change may be half made. Outside a
 * change every LIVE handler record is on exactly one slot's chain (what
 * verify() checks), so a LIVE record on none was allocated or unlinked by
 * that change: it becomes an orphan (GOING, nobody's), freed after a grace
 * period like any other. Slots it had already changed keep their new state.
 */
function repairHalfMade(t: Table): void {
  const n = t.i32[L.H_MAXH]!;
  const on = new Uint8Array(n);
  for (let s = 0; s < t.map.total; s++) {
    let h = Atomics.load(t.i32, t.at.slots + s) & L.ID_MASK;
    for (let k = 0; h !== 0 && h >>> 0 < n >>> 0 && k < n; k++, h = Atomics.load(t.i32, handlerWord(t, h, L.HR_BELOW))) on[h] = 1;
  }
  for (let h = 1; h < n; h++) if (on[h] === 0) Atomics.compareExchange(t.i32, handlerWord(t, h, L.HR_STATE), L.HS_LIVE, L.HS_GOING);
}

function adoptOrphans(t: Table): void {
  const ids: number[] = [];
  const n = t.i32[L.H_MAXH]!;
  const mine = L.HS_GOING | ((t.me + 1) << L.HS_BY_SHIFT);
  for (let h = 1; h < n; h++) if (Atomics.compareExchange(t.i32, handlerWord(t, h, L.HR_STATE), L.HS_GOING, mine) === L.HS_GOING) ids.push(h);
  if (ids.length > 0) t.limbo.retire(t, ids).catch(() => {});
  const m = t.i32[L.H_MAXM]!;
  for (let id = 1; id < m; id++) {
    if (Atomics.load(t.i32, moduleWord(t, id, L.MR_STATE)) !== L.MS_LIVE || t.i32[moduleWord(t, id, L.MR_HOME)] !== L.MR_ORPHAN) continue;
    t.core.moduleBump(id);
    finishUnload(t, id);
  }
}


/** Holds `names` for module `name` as stubs that answer ENOSYS until it loads. */
export function reserveSlots(t: Table, name: string, names: readonly (string | number)[]): void {
  const bytes = moduleNameBytes(name);
  if (!Array.isArray(names) || names.length === 0) throw new SystabError('EBADSPEC', `reserve() takes a module name and a non-empty array of call names or numbers (got ${show(names)})`);
  const slots = [...new Set(slotsFor(t.abi, t.map, names, 'reserve', false))];
  lockForChange(t);
  try {
    let mid = findModule(t, bytes);
    notUnloading(t, mid, name);
    const todo: { slot: number; below: number }[] = [];
    for (const slot of slots) {
      const c = chain(t, slot);
      const baseAt = c.findIndex((h) => (kindOf(t, h) & L.HK_WRAP) === 0);
      if (baseAt >= 0) {
        const base = c[baseAt]!;
        if ((kindOf(t, base) & L.HK_UNLOAD) !== 0) throw beingUnloaded(t, slot, base);
        if (moduleOf(t, base) === mid && (kindOf(t, base) & L.HK_STUB) !== 0) continue; // already held
        const what = (kindOf(t, base) & L.HK_STUB) !== 0 ? 'reserved for' : 'taken by';
        throw new SystabError('EEXIST', `call ${describeSlot(t.map, slot)} is ${what} module "${ownerName(t, base)}"`);
      }
      todo.push({ slot, below: 0 });
    }
    if (todo.length === 0) return;
    const fresh = mid === 0;
    if (fresh) mid = claimModule(t, bytes);
    const ids: number[] = [];
    for (const x of todo) {
      const id = t.core.handlerAlloc(L.HK_STUB, mid, x.slot, 0, t.me);
      if (id === 0) {
        dropUnpublished(t, ids);
        if (fresh) t.core.moduleFree(mid);
        throw new SystabError('EFULL', `all ${t.i32[L.H_MAXH]! - 1} handler records of this table are taken`);
      }
      ids.push(id);
    }
    for (let i = 0; i < todo.length; i++) insertAbove(t, todo[i]!.slot, ids[i]!, 0);
  } finally {
    unlock(t);
  }
}

/** Gives reservations back (all of the module's, or those named). Stubs under the loaded module go too. */
export function releaseSlots(t: Table, name: string, names?: readonly (string | number)[]): void {
  const bytes = moduleNameBytes(name);
  const only = names === undefined ? undefined : new Set(slotsFor(t.abi, t.map, names, 'release', false));
  lockForChange(t);
  try {
    const mid = findModule(t, bytes);
    if (mid === 0) throw new SystabError('ENOTLOADED', `module "${name}" holds no reservations`);
    notUnloading(t, mid, name);
    const stubs = stubsOf(t, mid).filter((h) => only === undefined || only.has(t.i32[handlerWord(t, h, L.HR_SLOT)]!));
    if (only !== undefined && stubs.length !== only.size) {
      throw new SystabError('ENOTOWNER', `module "${name}" does not hold every one of the named reservations`);
    }
    for (const h of stubs) {
      unlink(t, t.i32[handlerWord(t, h, L.HR_SLOT)]!, h);
      t.core.handlerRetire(h, t.me);
    }
    t.limbo.retire(t, stubs).catch(() => {});
    if (t.i32[moduleWord(t, mid, L.MR_HOME)] === 0 && !hasStubs(t, mid)) t.core.moduleFree(mid);
  } finally {
    unlock(t);
  }
}

/** A handle for the module an owner token names (see Module.token). */
export function moduleByToken(t: Table, token: string): Module {
  const m = typeof token === 'string' ? /^(\d+)\.(-?\d+)\.([0-9a-z]+)\.([0-9a-z]+)$/.exec(token) : null;
  const id = m ? Number(m[1]) : 0;
  if (m === null || id <= 0 || id >= t.i32[L.H_MAXM]!) throw new SystabError('EBADSPEC', `not a module token: ${show(token)}`);
  const r = moduleWord(t, id, 0);
  const ok =
    Atomics.load(t.i32, r + L.MR_STATE) === L.MS_LIVE &&
    Atomics.load(t.i32, r + L.MR_GEN) === Number(m[2]) &&
    (t.i32[r + L.MR_SECRET]! >>> 0).toString(36) === m[3] &&
    (t.i32[r + L.MR_SECRET + 1]! >>> 0).toString(36) === m[4] &&
    t.i32[r + L.MR_HOME]! > 0;
  if (!ok) throw new SystabError('ENOTLOADED', `the module this token names is not loaded (unloaded, or replaced by a newer load)`);
  return new Module(t, moduleName(t, id), id, Number(m[2]), Promise.resolve());
}

/**
 * Gives this thread its own code for module `spec.name`, loaded (now or
 * later) by any thread: calls made here run this code instead of being
 * carried to the module's home.
 */
export function provideCode(t: Table, spec: ModuleSpec): void {
  const mod = normalizeModule(t.abi, t.map, spec);
  const bySlot = new Map<number, Entry>();
  for (const e of mod.entries) bySlot.set(e.slot, e);
  t.provided.set(mod.name, bySlot);
  const mid = findModule(t, mod.nameBytes);
  if (mid !== 0) t.forget(handlersOf(t, mid));
}

