// Registration changes: load (with replace and wraps), reserve, release,
// and provide. Each holds the writer lock (lockForChange) and publishes with
// one CAS per slot; unload is the module's own (module.ts).
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { moduleNameBytes, normalizeModule, show, slotsFor, type Entry, type ModuleSpec } from './handlers.js';
import { describeSlot } from './slots.js';
import { unlock } from './grace.js';
import { handlerWord, moduleWord } from './records.js';
import { beingUnloaded, chain, dropUnpublished, handlersOf, hasStubs, insertAbove, kindOf, moduleOf, notUnloading, ownerName, stubsOf, swapIn, unlink } from './chains.js';
import { forget, keep, resolve, discard, setProvided } from './code.js';
import { lockForChange } from './orphans.js';
import { Module } from './module.js';
import type { Writer } from './writer.js';

function findModule(wr: Writer, name: Uint8Array): number {
  const n = wr.v.i32[L.H_MAXM]!;
  outer: for (let id = 1; id < n; id++) {
    if (Atomics.load(wr.v.i32, moduleWord(wr.v, id, L.MR_STATE)) !== L.MS_LIVE) continue;
    if (wr.v.i32[moduleWord(wr.v, id, L.MR_NAMELEN)] !== name.length) continue;
    const bytes = new Uint8Array(wr.v.i32.buffer, moduleWord(wr.v, id, L.MR_NAME) * 4, name.length);
    for (let i = 0; i < name.length; i++) if (bytes[i] !== name[i]) continue outer;
    return id;
  }
  return 0;
}

function claimModule(wr: Writer, name: Uint8Array): number {
  const id = wr.v.core.moduleClaim();
  if (id < 0) throw new SystabError('EFULL', `all ${wr.v.i32[L.H_MAXM]! - 1} module records of this table are taken`);
  // The claimer alone writes the name before publishing the record.
  new Uint8Array(wr.v.i32.buffer, moduleWord(wr.v, id, L.MR_NAME) * 4, L.NAME_MAX_BYTES).fill(0).set(name);
  Atomics.store(wr.v.i32, moduleWord(wr.v, id, L.MR_NAMELEN), name.length);
  Atomics.store(wr.v.i32, moduleWord(wr.v, id, L.MR_HOME), 0);
  const secret = new Uint32Array(2);
  crypto.getRandomValues(secret);
  Atomics.store(wr.v.i32, moduleWord(wr.v, id, L.MR_SECRET), secret[0]! | 0);
  Atomics.store(wr.v.i32, moduleWord(wr.v, id, L.MR_SECRET + 1), secret[1]! | 0);
  wr.v.core.modulePublish(id);
  return id;
}

interface Plan {
  entry: Entry;
  below: number; // insert directly above this (0: bottom)
  replaces: number; // a handler of the old version to take out, 0 none
}

/** Loads a module (see Table.load). */
export function loadModule(wr: Writer, spec: ModuleSpec): Module {
  const mod = normalizeModule(wr.v.abi, wr.v.map, spec);
  lockForChange(wr);
  try {
    let mid = findModule(wr, mod.nameBytes);
    notUnloading(wr, mid, mod.name);
    const loaded = mid !== 0 && wr.v.i32[moduleWord(wr.v, mid, L.MR_HOME)]! > 0;
    if (loaded && !mod.replace) throw new SystabError('EEXIST', `module "${mod.name}" is already loaded`);
    const plans: Plan[] = [];
    for (const e of mod.entries) plans.push(plan(wr, mod.name, mid, loaded, mod.replace, e));
    const leaving: number[] = [];
    if (loaded) {
      const keep = new Set(plans.map((p) => p.replaces));
      for (const h of handlersOf(wr, mid)) if (!keep.has(h)) leaving.push(h);
    }
    // Allocate every record before publishing any, so a full table changes nothing.
    const ids: number[] = [];
    if (mid === 0) mid = claimModule(wr, mod.nameBytes);
    for (const p of plans) {
      const id = wr.v.core.handlerAlloc(p.entry.kind, mid, p.entry.slot, 0, wr.v.me);
      if (id === 0) {
        dropUnpublished(wr, ids);
        if (!loaded && !hasStubs(wr, mid)) wr.v.core.moduleFree(mid);
        wr.limbo.collect(wr.thread);
        throw new SystabError('EFULL', `all ${wr.v.i32[L.H_MAXH]! - 1} handler records of this table are taken (unloads still draining hold some)`);
      }
      ids.push(id);
    }
    const gen = loaded ? wr.v.core.moduleBump(mid) : Atomics.load(wr.v.i32, moduleWord(wr.v, mid, L.MR_GEN));
    // This thread's code, by handler id: the old version's stays until its records are freed.
    for (let i = 0; i < plans.length; i++) keep(wr.code, ids[i]!, plans[i]!.entry);
    // Wraps are made now, with their `below`, so a bad factory fails the load before anything is published.
    try {
      for (let i = 0; i < plans.length; i++) if ((plans[i]!.entry.kind & L.HK_WRAP) !== 0) resolve(wr.code, ids[i]!);
    } catch (e) {
      dropUnpublished(wr, ids);
      discard(wr.code, ids);
      if (!loaded && !hasStubs(wr, mid)) wr.v.core.moduleFree(mid);
      throw e;
    }
    // Publish: one CAS each.
    const retired: number[] = [];
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i]!;
      const id = ids[i]!;
      if (p.replaces !== 0) {
        swapIn(wr, p.entry.slot, p.replaces, id);
        retired.push(p.replaces);
      } else {
        insertAbove(wr, p.entry.slot, id, p.below);
      }
    }
    for (const h of leaving) {
      unlink(wr, wr.v.i32[handlerWord(wr.v, h, L.HR_SLOT)]!, h);
      retired.push(h);
    }
    for (const h of retired) wr.v.core.handlerRetire(h, wr.v.me);
    Atomics.store(wr.v.i32, moduleWord(wr.v, mid, L.MR_HOME), wr.v.me + 1);
    const drained = retired.length === 0 ? Promise.resolve() : wr.limbo.retire(wr.thread, retired);
    drained.catch(() => {});
    wr.becameHome();
    return new Module(wr, mod.name, mid, gen, drained);
  } finally {
    unlock(wr.thread);
  }
}

function plan(wr: Writer, name: string, mid: number, loaded: boolean, replace: boolean, e: Entry): Plan {
  const c = chain(wr, e.slot);
  // Hot swap: the new version takes the old version's place on the slot.
  if (loaded) {
    const own = c.find((h) => moduleOf(wr, h) === mid && (kindOf(wr, h) & L.HK_STUB) === 0 && (kindOf(wr, h) & L.HK_WRAP) === (e.kind & L.HK_WRAP));
    if (own !== undefined) return { entry: e, below: 0, replaces: own };
  }
  if ((e.kind & L.HK_WRAP) !== 0) return { entry: e, below: c[0] ?? 0, replaces: 0 };
  // A plain handler sits on the chain's base: the first handler from the top that is not a wrap.
  const base = c.find((h) => (kindOf(wr, h) & L.HK_WRAP) === 0);
  if (base === undefined) return { entry: e, below: 0, replaces: 0 };
  if ((kindOf(wr, base) & L.HK_STUB) !== 0) {
    if ((kindOf(wr, base) & L.HK_UNLOAD) !== 0) throw beingUnloaded(wr, e.slot, base);
    if (moduleOf(wr, base) === mid) return { entry: e, below: base, replaces: 0 };
    throw new SystabError('ERESERVED', `call ${e.label} is reserved for module "${ownerName(wr, base)}"`);
  }
  if (replace) throw new SystabError('ENOTOWNER', `call ${e.label} belongs to module "${ownerName(wr, base)}"; replace takes only "${name}"'s own or free slots`);
  throw new SystabError('EEXIST', `call ${e.label} is taken by module "${ownerName(wr, base)}"`);
}


/** Holds `names` for module `name` as stubs that answer ENOSYS until it loads. */
export function reserveSlots(wr: Writer, name: string, names: readonly (string | number)[]): void {
  const bytes = moduleNameBytes(name);
  if (!Array.isArray(names) || names.length === 0) throw new SystabError('EBADSPEC', `reserve() takes a module name and a non-empty array of call names or numbers (got ${show(names)})`);
  const slots = [...new Set(slotsFor(wr.v.abi, wr.v.map, names, 'reserve', false))];
  lockForChange(wr);
  try {
    let mid = findModule(wr, bytes);
    notUnloading(wr, mid, name);
    const todo: { slot: number; below: number }[] = [];
    for (const slot of slots) {
      const c = chain(wr, slot);
      const baseAt = c.findIndex((h) => (kindOf(wr, h) & L.HK_WRAP) === 0);
      if (baseAt >= 0) {
        const base = c[baseAt]!;
        if ((kindOf(wr, base) & L.HK_UNLOAD) !== 0) throw beingUnloaded(wr, slot, base);
        if (moduleOf(wr, base) === mid && (kindOf(wr, base) & L.HK_STUB) !== 0) continue; // already held
        const what = (kindOf(wr, base) & L.HK_STUB) !== 0 ? 'reserved for' : 'taken by';
        throw new SystabError('EEXIST', `call ${describeSlot(wr.v.map, slot)} is ${what} module "${ownerName(wr, base)}"`);
      }
      todo.push({ slot, below: 0 });
    }
    if (todo.length === 0) return;
    const fresh = mid === 0;
    if (fresh) mid = claimModule(wr, bytes);
    const ids: number[] = [];
    for (const x of todo) {
      const id = wr.v.core.handlerAlloc(L.HK_STUB, mid, x.slot, 0, wr.v.me);
      if (id === 0) {
        dropUnpublished(wr, ids);
        if (fresh) wr.v.core.moduleFree(mid);
        throw new SystabError('EFULL', `all ${wr.v.i32[L.H_MAXH]! - 1} handler records of this table are taken`);
      }
      ids.push(id);
    }
    for (let i = 0; i < todo.length; i++) insertAbove(wr, todo[i]!.slot, ids[i]!, 0);
  } finally {
    unlock(wr.thread);
  }
}

/** Gives reservations back (all of the module's, or those named). Stubs under the loaded module go too. */
export function releaseSlots(wr: Writer, name: string, names?: readonly (string | number)[]): void {
  const bytes = moduleNameBytes(name);
  const only = names === undefined ? undefined : new Set(slotsFor(wr.v.abi, wr.v.map, names, 'release', false));
  lockForChange(wr);
  try {
    const mid = findModule(wr, bytes);
    if (mid === 0) throw new SystabError('ENOTLOADED', `module "${name}" holds no reservations`);
    notUnloading(wr, mid, name);
    const stubs = stubsOf(wr, mid).filter((h) => only === undefined || only.has(wr.v.i32[handlerWord(wr.v, h, L.HR_SLOT)]!));
    if (only !== undefined && stubs.length !== only.size) {
      throw new SystabError('ENOTOWNER', `module "${name}" does not hold every one of the named reservations`);
    }
    for (const h of stubs) {
      unlink(wr, wr.v.i32[handlerWord(wr.v, h, L.HR_SLOT)]!, h);
      wr.v.core.handlerRetire(h, wr.v.me);
    }
    wr.limbo.retire(wr.thread, stubs).catch(() => {});
    if (wr.v.i32[moduleWord(wr.v, mid, L.MR_HOME)] === 0 && !hasStubs(wr, mid)) wr.v.core.moduleFree(mid);
  } finally {
    unlock(wr.thread);
  }
}

/**
 * Gives this thread its own code for module `spec.name`, loaded (now or
 * later) by any thread: calls made here run this code instead of being
 * carried to the module's home.
 */
export function provideCode(wr: Writer, spec: ModuleSpec): void {
  const mod = normalizeModule(wr.v.abi, wr.v.map, spec);
  const bySlot = new Map<number, Entry>();
  for (const e of mod.entries) bySlot.set(e.slot, e);
  setProvided(wr.code, mod.name, bySlot);
  const mid = findModule(wr, mod.nameBytes);
  if (mid !== 0) forget(wr.code, handlersOf(wr, mid));
}
