// This thread's code: its functions for handler ids, the cache of its slots'
// functions that the hot path reads, and the code it loaded or provides.
// JS functions cannot be shared, so each thread maps the ids in shared
// memory to functions of its own, made here on first use (resolve()).
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { show, type Entry, type Handler } from './handlers.js';
import { handlerWord, moduleName } from './records.js';
import { inFlight, type Pending } from './pending.js';
import { bigArg, wasmArg } from './results.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';

/**
 * Fields set once by the constructor are `declare`d (as the Table's are):
 * written once, V8 folds them where the Code is a constant.
 * The functions here are the only writers of its fields, but for two: the
 * Table's slow path also fills `direct` and `lane` entries (valid until the
 * next doorbell), and the writer side records what it loads with keep().
 */
export class Code {
  declare readonly v: View;
  /** The thread: calls below a wrap raise its depth. */
  declare readonly t: Thread;
  declare readonly pending: Pending;
  /** Makes the function that carries a call of handler `id` to its home. */
  declare readonly remote: (id: number) => Function;
  /** The main range of slot words (read by refresh). */
  declare readonly slots: Int32Array;
  /** This thread's functions by handler id. */
  declare readonly fns: (Function | undefined)[];
  /** The generation of each handler record whose function `fns` holds: a record freed and reused has another. */
  declare readonly gens: Int32Array;
  /** The ids `fns` holds a function for. */
  cached: number[] = [];
  /** This thread's row of the resolution bytes (what the core's dispatch may call directly). */
  declare readonly resolved: Uint8Array;
  /** Ids whose function carries calls to another thread. */
  readonly remoteIds = new Set<number>();
  /** This thread's code for the handlers it loaded, by handler id and the record's generation then, until their records are freed. */
  readonly local = new Map<number, { entry: Entry; gen: number }>();
  /** Code other threads load, by module name (see provide()). */
  readonly provided = new Map<string, Map<number, Entry>>();
  // slot -> its handler's function, refreshed when the doorbell rings; null:
  // empty, no switches, plain ENOSYS; undefined: look closer (slow path).
  declare readonly direct: (Function | null | undefined)[];
  // slot -> the plain handler of a number whose count switch alone is on, null
  // if it is empty (its own array: the main one must read undefined beyond the table).
  declare readonly lane: (Function | null | undefined)[];

  constructor(v: View, t: Thread, pending: Pending, remote: (id: number) => Function) {
    this.v = v;
    this.t = t;
    this.pending = pending;
    this.remote = remote;
    const maxH = v.i32[L.H_MAXH]!;
    this.slots = new Int32Array(v.memory.buffer, v.at.slots * 4, v.abi.count);
    this.fns = new Array<Function | undefined>(maxH).fill(undefined);
    this.gens = new Int32Array(maxH);
    this.resolved = new Uint8Array(v.memory.buffer, v.at.resolved + v.me * maxH, maxH);
    // What the previous holder of this worker record resolved is not this thread's.
    this.resolved.fill(L.RK_NONE);
    // Packed: no hole checks on the hot path.
    this.direct = Array.from({ length: v.abi.count }, () => undefined);
    this.lane = Array.from({ length: v.abi.count }, () => undefined);
  }
}

/** Records this thread's code for handler `id`, which it has just allocated (load()). */
export function keep(c: Code, id: number, entry: Entry): void {
  c.local.set(id, { entry, gen: Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_GEN)) });
}

/** This thread's code for module `name` from now on (provide()). */
export function setProvided(c: Code, name: string, bySlot: Map<number, Entry>): void {
  c.provided.set(name, bySlot);
}

/** At a quiescent point: drops the functions of handlers that left their slots (their ids may be reused after this grace period). */
export function sweep(c: Code): void {
  const live: number[] = [];
  const gone: number[] = [];
  // A record freed and reused while this thread was offline (waiting for the lock) is live again: its generation tells.
  for (const id of c.cached) (Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_STATE)) === L.HS_LIVE && Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_GEN)) === c.gens[id] ? live : gone).push(id);
  if (gone.length > 0) {
    c.cached = live;
    // Their slots changed before they left, and that rang this thread's
    // doorbell: the cache is re-read before its next use, no refresh here.
    drop(c, gone);
  }
}

/**
 * The handler whose function `f` answered in slot `i` (the slot may hold
 * another by now): off the hot path, so the hot path reads no handler id.
 */
export function idOf(c: Code, i: number, f: Function): number {
  let found = 0;
  for (const id of c.cached) {
    if (c.fns[id] !== f || c.v.i32[handlerWord(c.v, id, L.HR_SLOT)] !== i) continue;
    found = id;
    // One function loaded twice in a slot: the draining one, so its drain waits for this call.
    if (Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_STATE)) !== L.HS_LIVE) break;
  }
  return found;
}

/** Re-reads every slot word of the main range into this thread's cache of functions. */
export function refresh(c: Code): void {
  const slots = c.slots;
  const fns = c.fns;
  const gens = c.gens;
  const i32 = c.v.i32;
  const genAt = c.v.at.handlers + L.HR_GEN;
  const direct = c.direct;
  const lane = c.lane;
  for (let i = 0; i < slots.length; i++) {
    const w = slots[i]!;
    const id = w & L.ID_MASK;
    // A function cached for an earlier life of this record is not its handler's.
    const f = id === 0 ? null : gens[id] === Atomics.load(i32, genAt + id * L.HR_WORDS) ? fns[id] : undefined;
    // Switches, a stub or a policy: look closer, except a count switch alone (the lane).
    const extra = w & L.FAST_MASK & ~L.ID_MASK;
    direct[i] = extra !== 0 ? undefined : f;
    lane[i] = extra !== L.HOOK_COUNT ? undefined : f;
  }
}

/** This thread's code for handler `id` if it takes exact 64-bit values (bigint or WebAssembly, not a wrap). */
export function exact(c: Code, id: number): Entry | undefined {
  const e = entryOf(c, id);
  return e !== undefined && (e.kind & (L.HK_BIGINT | L.HK_WASM)) !== 0 && (e.kind & L.HK_WRAP) === 0 ? e : undefined;
}

/** This thread's code for handler `id`: loaded here, or provided here. */
export function entryOf(c: Code, id: number): Entry | undefined {
  const r = handlerWord(c.v, id, 0);
  const mid = c.v.i32[r + L.HR_MODULE]!;
  const slot = c.v.i32[r + L.HR_SLOT]!;
  const mine = c.local.get(id);
  // A record freed (by another thread, say) and allocated again is another handler: that code is not its.
  if (mine !== undefined && mine.gen !== Atomics.load(c.v.i32, r + L.HR_GEN)) c.local.delete(id);
  const local = mine !== undefined && c.local.has(id) ? mine.entry : undefined;
  if (local !== undefined || c.provided.size === 0) return local;
  const e = c.provided.get(moduleName(c.v, mid))?.get(slot);
  // Provided code must be of the same kind as what the loader put there.
  return e !== undefined && (e.kind & (L.HK_WRAP | L.HK_WASM)) === (c.v.i32[r + L.HR_KIND]! & (L.HK_WRAP | L.HK_WASM)) ? e : undefined;
}

/** This thread's function for handler `id`, cached for the hot path; undefined if the handler is not live. */
export function resolve(c: Code, id: number, draining = false): Function | undefined {
  const r = handlerWord(c.v, id, 0);
  const cached = c.fns[id];
  // Read before the state: a record freed and allocated again meanwhile shows another generation.
  const gen = Atomics.load(c.v.i32, r + L.HR_GEN);
  if (cached !== undefined && !draining && c.gens[id] === gen) return cached;
  const state = Atomics.load(c.v.i32, r + L.HR_STATE);
  if (state !== L.HS_LIVE && !(draining && (state & L.HS_MASK) === L.HS_GOING)) return undefined;
  const entry = entryOf(c, id);
  const kind = entry?.kind ?? c.v.i32[r + L.HR_KIND]!;
  let f: Function;
  let rk: number = L.RK_JS;
  if (entry === undefined) {
    f = c.remote(id);
    c.remoteIds.add(id);
  } else if ((kind & L.HK_WRAP) !== 0) {
    // The wrap's record as it is now (its slot and generation): the record may be freed and reused while an async wrap still runs.
    const slot = c.v.i32[r + L.HR_SLOT]!;
    const below = ((a0, a1, a2, a3, a4, a5) => callBelow(c, id, gen, slot, a0, a1, a2, a3, a4, a5)) as Handler;
    // Inside a call while the factory runs: one that calls the table reaches no quiescent point while `id` is held.
    let made: unknown;
    c.t.depth++;
    try {
      made = (entry.fn as (b: Handler) => unknown)(below);
    } finally {
      c.t.depth--;
    }
    if (typeof made !== 'function') throw new SystabError('EBADHANDLER', `wrap for ${entry.label} returned ${show(made)}, not a function`);
    f = made;
  } else if ((kind & L.HK_WASM) !== 0) {
    const t = c.v.core.table;
    if (t.length <= id) t.grow(id + 1 - t.length);
    t.set(id, entry.fn as never);
    const core = c.v.core;
    const label = entry.label;
    f = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) =>
      core.callWasm(id, wasmArg(a0, 0, label), wasmArg(a1, 1, label), wasmArg(a2, 2, label), wasmArg(a3, 3, label), wasmArg(a4, 4, label), wasmArg(a5, 5, label));
    rk = L.RK_WASM;
  } else if ((kind & L.HK_BIGINT) !== 0) {
    const fn = entry.fn as (...a: bigint[]) => unknown;
    const label = entry.label;
    f = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => {
      const v = fn(bigArg(a0, 0, label), bigArg(a1, 1, label), bigArg(a2, 2, label), bigArg(a3, 3, label), bigArg(a4, 4, label), bigArg(a5, 5, label));
      if (typeof v === 'bigint') {
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new SystabError('EBADRESULT', `handler for ${label} returned ${v}n, which a number cannot hold exactly; use call64()`);
        }
        return Number(v);
      }
      return v;
    };
    rk = L.RK_JS64;
  } else {
    f = entry.fn;
    // One function for two handler records (provided code serves every
    // version of its module; a replace may load the same function): each
    // record gets its own, so the call and its promise count on the one that answered.
    if (c.cached.some((o) => o !== id && c.fns[o] === f)) {
      const fn = entry.fn;
      f = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => fn(a0, a1, a2, a3, a4, a5);
    }
  }
  if (cached !== undefined) forget(c, [id]); // a draining handler resolved again: drop the old function everywhere
  c.fns[id] = f;
  c.gens[id] = gen;
  c.resolved[id] = rk;
  if (cached === undefined) c.cached.push(id);
  return f;
}

/**
 * Calls the handler below wrap `id` (ENOSYS when there is none or it is a
 * stub), as a call of its own: this thread is inside a call while it runs,
 * and a promise it returns is counted in flight on it, so unloading it waits
 * for that call however the wrap above reached it (sync or async, later).
 */
function callBelow(c: Code, id: number, gen: number, slot: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): unknown {
  const n = c.v.i32[L.H_MAXH]!;
  // Bounded: each retry means the chain changed under us.
  for (let tries = 0; tries < n; tries++) {
    // A wrap still in the table has its below link kept current under the
    // writer lock; one that has left it (an async wrap finishing after its
    // unload) has a link nobody keeps, to a handler that may have drained:
    // only a live handler of the same slot is followed from there, else the
    // slot's plain handler as it is now answers. A record freed and reused
    // since (another generation) is not this wrap at all.
    const state0 = Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_STATE));
    const link = Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_BELOW));
    const same = Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_GEN)) === gen;
    let below = link >>> 0 < n >>> 0 ? link : 0;
    if (!same || state0 !== L.HS_LIVE) {
      if (below === 0 || !same || Atomics.load(c.v.i32, handlerWord(c.v, below, L.HR_STATE)) !== L.HS_LIVE || c.v.i32[handlerWord(c.v, below, L.HR_SLOT)] !== slot) below = baseOf(c, slot);
    }
    if (below === 0) return c.v.abi.enosys;
    const state = Atomics.load(c.v.i32, handlerWord(c.v, below, L.HR_STATE));
    if ((c.v.i32[handlerWord(c.v, below, L.HR_KIND)]! & L.HK_STUB) !== 0) return c.v.abi.enosys;
    // Linked from a live wrap and draining: its grace period waits for this thread, which is in this call.
    const f = resolve(c, below, (state & L.HS_MASK) === L.HS_GOING);
    if (f === undefined) continue;
    let r;
    c.t.depth++;
    try {
      r = f(a0, a1, a2, a3, a4, a5);
    } finally {
      c.t.depth--;
    }
    if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') inFlight(c.pending, below, r as Promise<unknown>);
    return r;
  }
  return c.v.abi.enosys;
}

/** The plain handler (or stub) a slot's chain ends in now, under its wraps; 0 if none. */
function baseOf(c: Code, slot: number): number {
  const n = c.v.i32[L.H_MAXH]!;
  let h = Atomics.load(c.v.i32, c.v.at.slots + slot) & L.ID_MASK;
  for (let k = 0; h !== 0 && h >>> 0 < n >>> 0 && k < n; k++) {
    if ((c.v.i32[handlerWord(c.v, h, L.HR_KIND)]! & L.HK_WRAP) === 0) return h;
    h = Atomics.load(c.v.i32, handlerWord(c.v, h, L.HR_BELOW));
  }
  return 0;
}

/** This thread's own function for handler `id` (never a carrier), even while it drains. */
export function localFn(c: Code, id: number): Function | undefined {
  if (entryOf(c, id) === undefined) return undefined;
  const f = c.fns[id];
  if (f !== undefined && !c.remoteIds.has(id) && c.gens[id] === Atomics.load(c.v.i32, handlerWord(c.v, id, L.HR_GEN))) return f;
  return resolve(c, id, true);
}

/** Handlers `ids` were freed: drops this thread's code for them too. */
export function discard(c: Code, ids: Iterable<number>): void {
  for (const id of ids) c.local.delete(id);
  forget(c, ids);
}

/** Drops this thread's functions for `ids` (local code changed) and re-reads the cache. */
export function forget(c: Code, ids: Iterable<number>): void {
  drop(c, ids);
  refresh(c);
}

export function drop(c: Code, ids: Iterable<number>): void {
  for (const id of ids) {
    c.fns[id] = undefined;
    c.resolved[id] = L.RK_NONE;
    c.remoteIds.delete(id);
  }
}
