// systab core: owns every state change of the shared table and dispatches
// calls made from WebAssembly. It allocates nothing and has no static data,
// so any number of instances (one per worker) can share one memory; each
// instance's globals describe only its own view (its worker index).
import {
  MAGIC, LAYOUT_VERSION, HEADER_WORDS,
  H_MAGIC, H_VERSION, H_ABI, H_SLOTS, H_BASE, H_MAIN, H_MAXH, H_MAXM, H_MAXW,
  H_STATE, H_GP, H_CHANGES, H_LOCK, H_ENOSYS, H_NEXTH, H_BYTES, H_OOR_COUNT, H_CALLS, H_ORPHANS, H_FILTERED, ORPHANS_LOCK_LOST, ORPHANS_ALL, STATE_EMPTY, STATE_INIT, STATE_READY,
  SLOTS_MAX, MODULES_MAX, WORKERS_MAX, HANDLERS_MIN, MODULES_MIN, WORD_SHIFT, PAGE_SHIFT, LAYOUT_ALIGN_BYTES, BYTE_ROWS, ERRNO_MAX,
  ID_MASK, HOOK_COUNT, HOOK_MASK, HOOK_TRACE, PR_REASONS, PR_PLUGS, PR_COUNTS, PR_COUNT_HOOKS, SLOW, FAST_MASK, GEN_SHIFT, GEN_MASK, POLICY_SHIFT, POLICY_MASK,
  POLICY_LOG_ONCE, POLICY_LOGGED,
  HR_WORDS, HR_STATE, HR_KIND, HR_MODULE, HR_SLOT, HR_BELOW, HR_HOME, HR_HOMEGEN, HR_GEN,
  HS_FREE, HS_LIVE, HS_GOING, HS_MASK, HS_BY_SHIFT, HK_ALL, HK_STUB, HK_JS, HK_WASM,
  MR_WORDS, MR_STATE, MR_GEN, MR_NAMELEN, MS_FREE, MS_CLAIMED, MS_LIVE, NAME_MAX_BYTES,
  WR_WORDS, WR_STATE, WR_QS, WR_DEPTH, WR_WAKE, WR_ID, WR_GEN, WR_LEASE, WR_DYING, WS_FREE, WS_ONLINE, WS_OFFLINE, WR_OOR, OOR_SLOW, OOR_COUNT,
  SAMPLE_FIRST, C_WORDS, C_CALLS, C_ERRORS, C_ENOSYS, CALLS_MAX, CR_WORDS, CR_STATE, CR_TARGET, CR_HANDLER, CS_FREE, CS_TAKEN, CS_ABANDONED,
  RK_WASM, RK_JS, RK_JS64,
  V_OK, V_HEADER, V_SLOT_ID, V_SLOT_BITS, V_SLOT_HANDLER, V_HANDLER_STATE,
  V_HANDLER_MODULE, V_HANDLER_BELOW, V_HANDLER_REFS, V_MODULE, V_WORKER, V_POLICY, V_CALL, V_PLUG, V_CODE_SHIFT, V_INDEX_MASK,
} from "./layout";

// Calls back into the JS side of this worker.
// @ts-ignore: decorator
@external("env", "js_call") declare function js_call(id: i32, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64, a5: f64): f64;
// @ts-ignore: decorator
@external("env", "js_call64") declare function js_call64(id: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;
// @ts-ignore: decorator
@external("env", "js_slow") declare function js_slow(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;
// The clock, and a sampled call's time given to the thread's timer (it answers the next countdown).
// @ts-ignore: decorator
@external("env", "js_now") declare function js_now(): f64;
// @ts-ignore: decorator
@external("env", "js_timed") declare function js_timed(slot: i32, t0: f64, n: i32): i32;

// This instance's view (per instance, never shared).
let seenWake: i32 = 0;
let wakeAddr: usize = 0;
// Addresses dispatch needs, fixed once bound (the header never changes after init).
let slotsAddr: usize = 0;
let countsAddr: usize = 0;
let resolvedAddr: usize = 0;
let depthAddr: usize = 0;
let dirty: bool = false; // this thread changed a slot word and has not rung the doorbells yet
let oorMode: i32 = OOR_SLOW; // out-of-range numbers: OOR_SLOW, OOR_ANSWER or OOR_COUNT (layout.ts)
let oorAddr: usize = 0;
let base: i32 = 0;
let main: i32 = 0;
let maxh: i32 = 0;
let enosys: i64 = 0;
let sampling: bool = false; // this thread times some counted calls (setSampling)
let down: i32 = 0; // counted calls to the next timed one

// @ts-ignore: decorator
@inline function w(word: i32): usize { return <usize>word << WORD_SHIFT; }
// @ts-ignore: decorator
@inline function hdr(i: i32): i32 { return atomic.load<i32>(w(i)); }

/** The layout this build reads and writes (attach() checks a module's against its own). */
export function layoutVersion(): i32 { return LAYOUT_VERSION; }

// Region offsets in words, derived from the header sizes alone.
export function slotsAt(): i32 { return HEADER_WORDS; }
export function handlersAt(): i32 { return HEADER_WORDS + hdr(H_SLOTS); }
export function modulesAt(): i32 { return handlersAt() + hdr(H_MAXH) * HR_WORDS; }
export function workersAt(): i32 { return modulesAt() + hdr(H_MAXM) * MR_WORDS; }
export function countersAt(): i32 { return workersAt() + hdr(H_MAXW) * WR_WORDS; }
export function stripeWords(): i32 { return hdr(H_SLOTS) * C_WORDS; }
export function callsAt(): i32 { return (countersAt() + hdr(H_MAXW) * stripeWords() + 1) & ~1; }
export function resolvedAtBytes(): i32 { return (callsAt() + hdr(H_MAXW) * hdr(H_CALLS) * CR_WORDS) << WORD_SHIFT; }
export function asyncAtBytes(): i32 { return resolvedAtBytes() + hdr(H_MAXW) * hdr(H_MAXH); }
export function reasonsAtBytes(): i32 { return asyncAtBytes() + hdr(H_MAXW) * hdr(H_MAXH); }

/** Bytes a layout of these sizes needs. */
export function layoutBytes(slots: i32, maxH: i32, maxM: i32, maxW: i32, calls: i32): i32 {
  const words = ((HEADER_WORDS + slots + maxH * HR_WORDS + maxM * MR_WORDS + maxW * WR_WORDS + maxW * slots * C_WORDS + 1) & ~1) + maxW * calls * CR_WORDS;
  return ((words << WORD_SHIFT) + BYTE_ROWS * maxW * maxH + slots + LAYOUT_ALIGN_BYTES - 1) & ~(LAYOUT_ALIGN_BYTES - 1);
}

/** Writes a fresh layout. Only the instance that wins the header CAS does it. Returns 0, or 1 if another instance initialised (or is initialising) this memory. */
export function init(abiHash: i32, slots: i32, nrBase: i32, mainSlots: i32, maxH: i32, maxM: i32, maxW: i32, enosysValue: i32, calls: i32): i32 {
  if (atomic.cmpxchg<i32>(w(H_STATE), STATE_EMPTY, STATE_INIT) != STATE_EMPTY) return 1;
  // Everything below is written before the state flips to ready, so no
  // reader can see a half-built layout.
  const bytes = layoutBytes(slots, maxH, maxM, maxW, calls);
  memory.fill(w(HEADER_WORDS), 0, <usize>bytes - w(HEADER_WORDS));
  store<i32>(w(H_MAGIC), MAGIC);
  store<i32>(w(H_VERSION), LAYOUT_VERSION);
  store<i32>(w(H_ABI), abiHash);
  store<i32>(w(H_SLOTS), slots);
  store<i32>(w(H_BASE), nrBase);
  store<i32>(w(H_MAIN), mainSlots);
  store<i32>(w(H_MAXH), maxH);
  store<i32>(w(H_MAXM), maxM);
  store<i32>(w(H_MAXW), maxW);
  store<i32>(w(H_CALLS), calls);
  store<i32>(w(H_ORPHANS), 0);
  store<i32>(w(H_GP), 1);
  store<i32>(w(H_CHANGES), 0);
  store<i32>(w(H_LOCK), 0);
  store<i32>(w(H_OOR_COUNT), 0);
  store<i32>(w(H_ENOSYS), enosysValue);
  store<i32>(w(H_NEXTH), 1);
  store<i32>(w(H_BYTES), bytes);
  atomic.store<i32>(w(H_STATE), STATE_READY);
  return 0;
}

/** Binds this instance to a worker record. Called once per instance. */
export function bind(worker: i32): void {
  base = hdr(H_BASE);
  main = hdr(H_MAIN);
  maxh = hdr(H_MAXH);
  enosys = <i64>hdr(H_ENOSYS);
  wakeAddr = w(workersAt() + worker * WR_WORDS + WR_WAKE);
  slotsAddr = w(slotsAt());
  countsAddr = w(countersAt() + worker * stripeWords());
  resolvedAddr = <usize>resolvedAtBytes() + <usize>(worker * maxh);
  depthAddr = w(workersAt() + worker * WR_WORDS + WR_DEPTH);
  seenWake = atomic.load<i32>(wakeAddr);
  oorAddr = w(workersAt() + worker * WR_WORDS + WR_OOR);
}

// ---- writer lock: all registration changes hold it, readers never do ----

/** Tries to take the writer lock for `owner` (worker index + 1). */
export function lockTry(owner: i32): bool {
  return atomic.cmpxchg<i32>(w(H_LOCK), 0, owner) == 0;
}
export function unlock(owner: i32): bool {
  if (atomic.cmpxchg<i32>(w(H_LOCK), owner, 0) != owner) return false;
  atomic.notify(w(H_LOCK));
  publish();
  return true;
}
/** A slot word changed: threads re-read their slots after the next ring (only then: rings for calls or grace periods do not). */
function changed(): void {
  atomic.add<i32>(w(H_CHANGES), 1);
  dirty = true;
}
/**
 * Rings every thread's doorbell if this thread changed a slot word since it
 * last did: threads keep a cache of their slots' functions and refresh it at
 * their next call after a ring.
 */
export function publish(): void {
  if (!dirty) return;
  dirty = false;
  ringAll();
}
function ringAll(): void {
  const at = workersAt();
  const n = hdr(H_MAXW);
  for (let i = 0; i < n; i++) {
    atomic.add<i32>(w(at + i * WR_WORDS + WR_WAKE), 1);
    atomic.notify(w(at + i * WR_WORDS + WR_WAKE));
  }
}

// ---- workers ----

/** Claims a free worker record; returns its index or -1 when full. */
export function workerClaim(ident: i32): i32 {
  const at = workersAt();
  const n = hdr(H_MAXW);
  for (let i = 0; i < n; i++) {
    const p = w(at + i * WR_WORDS + WR_STATE);
    if (atomic.cmpxchg<i32>(p, WS_FREE, WS_ONLINE) == WS_FREE) {
      atomic.store<i32>(w(at + i * WR_WORDS + WR_QS), hdr(H_GP));
      atomic.store<i32>(w(at + i * WR_WORDS + WR_DEPTH), 0);
      atomic.store<i32>(w(at + i * WR_WORDS + WR_ID), ident);
      atomic.store<i32>(w(at + i * WR_WORDS + WR_LEASE), 0);
      atomic.store<i32>(w(at + i * WR_WORDS + WR_DYING), 0);
      atomic.add<i32>(w(at + i * WR_WORDS + WR_GEN), 1);
      callsReset(i);
      return i;
    }
  }
  return -1;
}
/** Marks a worker offline (idle: it holds no grace period back) or online again. */
export function workerSetOnline(i: i32, online: bool): void {
  const at = workersAt() + i * WR_WORDS;
  if (online) atomic.store<i32>(w(at + WR_QS), hdr(H_GP));
  atomic.store<i32>(w(at + WR_STATE), online ? WS_ONLINE : WS_OFFLINE);
}
/** Frees worker record `i`; the writer lock, if it held it, goes with it (no lock outlives its holder). */
export function workerRelease(i: i32): void {
  const r = workersAt() + i * WR_WORDS;
  callsReset(i);
  // A new generation before FREE: whatever names the old claim sees it gone at once, before any reclaim.
  atomic.add<i32>(w(r + WR_GEN), 1);
  atomic.store<i32>(w(r + WR_STATE), WS_FREE);
  if (atomic.cmpxchg<i32>(w(H_LOCK), i + 1, 0) == i + 1) {
    atomic.or<i32>(w(H_ORPHANS), ORPHANS_LOCK_LOST); // its change may be half made: the next writer repairs it
    atomic.notify(w(H_LOCK));
  }
  ringAll(); // callers waiting on this worker see it gone
}

// A record moves at most a few steps (layout.ts CS_*): more failed CASes than this mean damage, not a race.
// @ts-ignore: decorator
@inline const RESET_TRIES = 8;

/**
 * Takes back the call records of worker `i` (its thread ended or a new one
 * took the record): one its home is running is left ABANDONED, for the home
 * to free when it replies; every other goes FREE.
 */
function callsReset(i: i32): void {
  const nc = hdr(H_CALLS);
  for (let k = 0; k < nc; k++) {
    const p = w(callsAt() + (i * nc + k) * CR_WORDS + CR_STATE);
    // Bounded: each failed CAS means a home moved the record one step on.
    for (let tries = 0; tries < RESET_TRIES; tries++) {
      const cs = atomic.load<i32>(p);
      if (cs == CS_FREE || cs == CS_ABANDONED) break;
      if (atomic.cmpxchg<i32>(p, cs, cs == CS_TAKEN ? CS_ABANDONED : CS_FREE) == cs) break;
    }
  }
}

// ---- grace periods (QSBR) ----

/** Starts a grace period and returns its number. */
export function gpStart(): i32 {
  const gp = atomic.add<i32>(w(H_GP), 1) + 1;
  dirty = false;
  ringAll();
  return gp;
}
/** Announces that worker `i` holds no reference from before grace period `gp`. */
export function quiesce(i: i32): void {
  atomic.store<i32>(w(workersAt() + i * WR_WORDS + WR_QS), hdr(H_GP));
}
/** Returns -1 when every online worker except `self` has passed `gp`, else the index of one that has not. */
export function gpWaiter(gp: i32, self: i32): i32 {
  const at = workersAt();
  const n = hdr(H_MAXW);
  for (let i = 0; i < n; i++) {
    if (i == self) continue;
    const r = at + i * WR_WORDS;
    if (atomic.load<i32>(w(r + WR_STATE)) != WS_ONLINE) continue;
    if (atomic.load<i32>(w(r + WR_QS)) - gp >= 0) continue;
    return i;
  }
  return -1;
}

// ---- handlers ----

// @ts-ignore: decorator
@inline function hrec(id: i32): i32 { return handlersAt() + id * HR_WORDS; }

/** Allocates a handler record (one CAS FREE -> LIVE); returns its id or 0 when full. */
export function handlerAlloc(kind: i32, module: i32, slot: i32, below: i32, home: i32): i32 {
  const n = hdr(H_MAXH);
  let cur = hdr(H_NEXTH);
  for (let k = 1; k < n; k++) {
    let id = cur + k - 1;
    if (id >= n) id -= n - 1;
    const r = hrec(id);
    if (atomic.load<i32>(w(r + HR_STATE)) != HS_FREE) continue;
    // Fields first, state last: a reader that sees LIVE sees the fields.
    atomic.store<i32>(w(r + HR_KIND), kind);
    atomic.store<i32>(w(r + HR_MODULE), module);
    atomic.store<i32>(w(r + HR_SLOT), slot);
    atomic.store<i32>(w(r + HR_BELOW), below);
    atomic.store<i32>(w(r + HR_HOME), home);
    // The home is the thread allocating (its record is held): its generation names this claim of the index.
    atomic.store<i32>(w(r + HR_HOMEGEN), atomic.load<i32>(w(workersAt() + home * WR_WORDS + WR_GEN)));
    atomic.add<i32>(w(r + HR_GEN), 1);
    if (atomic.cmpxchg<i32>(w(r + HR_STATE), HS_FREE, HS_LIVE) != HS_FREE) continue;
    atomic.store<i32>(w(H_NEXTH), id + 1 < n ? id + 1 : 1);
    return id;
  }
  return 0;
}
/** LIVE -> GOING by worker `by`: the handler is out of every slot and waits for a grace period `by` watches. */
export function handlerRetire(id: i32, by: i32): bool {
  return atomic.cmpxchg<i32>(w(hrec(id) + HR_STATE), HS_LIVE, HS_GOING | ((by + 1) << HS_BY_SHIFT)) == HS_LIVE;
}
/** GOING -> LIVE: an unload that timed out puts its handler back. */
export function handlerRevive(id: i32): bool {
  const p = w(hrec(id) + HR_STATE);
  const s = atomic.load<i32>(p);
  return (s & HS_MASK) == HS_GOING && atomic.cmpxchg<i32>(p, s, HS_LIVE) == s;
}
/** GOING -> FREE, after a grace period. */
export function handlerFree(id: i32): bool {
  const p = w(hrec(id) + HR_STATE);
  const s = atomic.load<i32>(p);
  return (s & HS_MASK) == HS_GOING && atomic.cmpxchg<i32>(p, s, HS_FREE) == s;
}
/** Re-links a handler over a different one below (splicing out an unloaded module). */
export function handlerSetBelow(id: i32, expect: i32, below: i32): bool {
  return atomic.cmpxchg<i32>(w(hrec(id) + HR_BELOW), expect, below) == expect;
}

// ---- slots ----

/**
 * Replaces the handler in a slot: one CAS that keeps the hook bits and bumps
 * the generation. `expect` is the (id | generation) the caller last saw; a
 * concurrent hook flip is retried, any other change fails. Returns the new
 * slot word, or 0 on conflict.
 */
export function slotSwap(slot: i32, expect: i32, id: i32, slow: bool): i32 {
  const p = w(slotsAt() + slot);
  for (;;) {
    const cur = atomic.load<i32>(p);
    if ((cur & (ID_MASK | GEN_MASK)) != expect) return 0;
    const gen = ((cur >>> GEN_SHIFT) + 1) << GEN_SHIFT;
    let next = (cur & (HOOK_MASK | POLICY_MASK)) | id | gen;
    if (slow) next |= SLOW;
    if (next == 0) next = 1 << GEN_SHIFT; // 0 would read as "never set"
    if (atomic.cmpxchg<i32>(p, cur, next) == cur) {
      changed();
      return next;
    }
  }
  return 0;
}
/** Sets and clears hook bits in one atomic operation each; rings (at publish) only if a bit flipped. */
export function hooksSet(slot: i32, on: i32, off: i32): i32 {
  const p = w(slotsAt() + slot);
  // HOOK_TRACE and HOOK_COUNT are plugSet's (the reasons byte says why they are on): count is hooks()' reason.
  const clear = off & HOOK_MASK & ~(HOOK_TRACE | HOOK_COUNT);
  const set = on & HOOK_MASK & ~(HOOK_TRACE | HOOK_COUNT);
  let v = atomic.load<i32>(p);
  let flipped = 0;
  if (clear) {
    const was = atomic.and<i32>(p, ~clear);
    flipped |= was & clear;
    v = was & ~clear;
  }
  if (set) {
    const was = atomic.or<i32>(p, set);
    flipped |= ~was & set;
    v = was | set;
  }
  if (flipped) changed();
  if ((on | off) & HOOK_COUNT) v = plugSet(slot, PR_COUNT_HOOKS, (on & HOOK_COUNT) != 0);
  return v;
}
/**
 * Sets (`on`) or clears `reason` bits (PR_REASONS) of a slot's reasons and
 * keeps its HOOK_TRACE bit equal to (reasons & PR_PLUGS != 0) and its
 * HOOK_COUNT bit to (reasons & PR_COUNTS != 0); rings (at publish) if a bit
 * flipped. Returns the slot word it left.
 *
 * Race-free without the writer lock: the reasons change is one atomic or/and,
 * and the bits then only move by CAS, each toward a fresh read of the reasons.
 * A call returns only after reading the slot word and then the reasons and
 * finding them agree. Take the last reasons change R and the last flip F of
 * the slot: if R came after F, R's caller then reads the final bits and the
 * final reasons, and disagreeing would make it flip after F; if F came after
 * R, F's caller loops once more and reads both final, with the same
 * contradiction. So once every call on the slot has returned, the bits equal
 * what the reasons say, whatever the interleaving; other writers of the slot
 * word (slotSwap, hooksSet, policySet) keep the bits and only make a CAS retry.
 * While a call is in progress the two may differ (verify() looks again).
 */
export function plugSet(slot: i32, reason: i32, on: bool): i32 {
  const r = <usize>(reasonsAtBytes() + slot);
  const p = w(slotsAt() + slot);
  const bits = <u8>(reason & PR_REASONS);
  if (on) atomic.or<u8>(r, bits);
  else atomic.and<u8>(r, ~bits);
  let cur: i32;
  for (;;) {
    cur = atomic.load<i32>(p);
    const want = reasonBits(atomic.load<u8>(r));
    if ((cur & (HOOK_TRACE | HOOK_COUNT)) == want) break;
    if (atomic.cmpxchg<i32>(p, cur, (cur & ~(HOOK_TRACE | HOOK_COUNT)) | want) == cur) changed();
  }
  return cur;
}
// @ts-ignore: decorator
@inline function reasonBits(reasons: u8): i32 { return ((reasons & PR_PLUGS) != 0 ? HOOK_TRACE : 0) | ((reasons & PR_COUNTS) != 0 ? HOOK_COUNT : 0); }
/** Counts table-wide filters in or out (H_FILTERED); rings at publish, so every thread looks again at numbers beyond the table. */
export function filteredAdd(d: i32): void {
  atomic.add<i32>(w(H_FILTERED), d);
  changed();
}
/** The count switch of out-of-range numbers (they have no slot word); a flip rings like a slot's. */
export function oorCountSet(on: bool): void {
  if (atomic.xchg<i32>(w(H_OOR_COUNT), on ? 1 : 0) != (on ? 1 : 0)) changed();
}
/**
 * Sets a slot's missing-call policy in its slot word (one CAS, so a reader
 * sees the policy with the handler and switches of the same state). Threads'
 * caches tell only plain ENOSYS from the rest, so only that flip rings.
 */
export function policySet(slot: i32, policy: i32): void {
  const p = w(slotsAt() + slot);
  for (;;) {
    const cur = atomic.load<i32>(p);
    const next = (cur & ~POLICY_MASK) | ((policy << POLICY_SHIFT) & POLICY_MASK);
    if (atomic.cmpxchg<i32>(p, cur, next) != cur) continue;
    if (((cur & POLICY_MASK) != 0) != (policy != 0)) changed();
    return;
  }
}
/** Log-once policies flip to "logged" once; returns true for the one caller that flipped it. */
export function policyLogged(slot: i32): bool {
  const p = w(slotsAt() + slot);
  for (;;) {
    const cur = atomic.load<i32>(p);
    if ((cur & POLICY_MASK) != POLICY_LOG_ONCE << POLICY_SHIFT) return false;
    if (atomic.cmpxchg<i32>(p, cur, (cur & ~POLICY_MASK) | (POLICY_LOGGED << POLICY_SHIFT)) == cur) return true;
  }
  return false;
}

// ---- modules ----

// @ts-ignore: decorator
@inline function mrec(id: i32): i32 { return modulesAt() + id * MR_WORDS; }

/** Claims a free module record (FREE -> CLAIMED); the claimer then writes its name. Returns the id or -1. */
export function moduleClaim(): i32 {
  const n = hdr(H_MAXM);
  for (let i = 1; i < n; i++) {
    const p = w(mrec(i) + MR_STATE);
    if (atomic.cmpxchg<i32>(p, MS_FREE, MS_CLAIMED) == MS_FREE) {
      atomic.add<i32>(w(mrec(i) + MR_GEN), 1);
      return i;
    }
  }
  return -1;
}
export function modulePublish(id: i32): bool {
  return atomic.cmpxchg<i32>(w(mrec(id) + MR_STATE), MS_CLAIMED, MS_LIVE) == MS_CLAIMED;
}
export function moduleFree(id: i32): bool {
  const p = w(mrec(id) + MR_STATE);
  const s = atomic.load<i32>(p);
  if (s == MS_FREE) return false;
  return atomic.cmpxchg<i32>(p, s, MS_FREE) == s;
}
/** Bumps a module's generation: handles taken before a replace go stale. */
export function moduleBump(id: i32): i32 {
  return atomic.add<i32>(w(mrec(id) + MR_GEN), 1) + 1;
}

// ---- dispatch for WebAssembly callers ----

// @ts-ignore: decorator
@inline function countAt(slot: i32, which: i32): usize {
  return countsAddr + w(slot * C_WORDS + which);
}

/**
 * Dispatches call `nr` from WebAssembly: a plain handler in this worker's
 * table is one call_indirect away; JS handlers go through js_call; hooks,
 * stubs, missing numbers and anything unresolved go to the JS slow path.
 */
export function dispatch(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64 {
  const i = nr - base;
  // A bumped doorbell (grace period, carried call) is handled by the JS slow path.
  if (load<i32>(wakeAddr) != seenWake) return js_slow(nr, a0, a1, a2, a3, a4, a5);
  if (<u32>i >= <u32>main) {
    if (oorMode == OOR_SLOW) return js_slow(nr, a0, a1, a2, a3, a4, a5);
    if (oorMode == OOR_COUNT) store<i32>(oorAddr, load<i32>(oorAddr) + 1);
    return enosys;
  }
  const word = load<i32>(slotsAddr + w(i));
  const id = word & ID_MASK;
  // Counting alone stays in WebAssembly; other switches, stubs and policies go to JS.
  const extra = word & (FAST_MASK & ~ID_MASK);
  if (extra != 0 && extra != HOOK_COUNT) return js_slow(nr, a0, a1, a2, a3, a4, a5);
  if (id == 0) {
    // A missing call; counted while the slot's count switch is on.
    if (extra != 0) {
      const c = countAt(i, C_ENOSYS);
      store<i32>(c, load<i32>(c) + 1);
    }
    return enosys;
  }
  const kind = load<u8>(resolvedAddr + <usize>id);
  // Not yet resolved in this worker: JS resolves (and counts) this first call.
  if (kind == 0) return js_slow(nr, a0, a1, a2, a3, a4, a5);
  if (extra != 0) return counted(i, id, kind, a0, a1, a2, a3, a4, a5);
  return run(id, kind, a0, a1, a2, a3, a4, a5);
}

/** Calls a resolved handler with this thread's depth word raised (a handler that throws skips the lowering; js_call's JS side mends it). */
// @ts-ignore: decorator
@inline function run(id: i32, kind: u8, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64 {
  const d = depthAddr;
  store<i32>(d, load<i32>(d) + 1);
  let r: i64;
  if (kind == RK_WASM) r = call_indirect<i64>(<u32>id, a0, a1, a2, a3, a4, a5);
  else if (kind == RK_JS) r = <i64>js_call(id, <f64>a0, <f64>a1, <f64>a2, <f64>a3, <f64>a4, <f64>a5);
  else r = js_call64(id, a0, a1, a2, a3, a4, a5);
  store<i32>(d, load<i32>(d) - 1);
  return r;
}

/** A call while the slot's count switch is on: counted, and its error result too (out of line: the plain path keeps nothing live across its call). */
function counted(i: i32, id: i32, kind: u8, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64 {
  const c = countAt(i, C_CALLS);
  const n = load<i32>(c);
  store<i32>(c, n + 1);
  let r: i64;
  if (sampling && (<u32>n < <u32>SAMPLE_FIRST || --down <= 0)) {
    const t0 = js_now();
    r = run(id, kind, a0, a1, a2, a3, a4, a5);
    down = js_timed(i, t0, n);
  } else r = run(id, kind, a0, a1, a2, a3, a4, a5);
  if (enosys < 0 ? r < 0 && r > <i64>(-ERRNO_MAX - 1) : r != 0) {
    const e = countAt(i, C_ERRORS);
    store<i32>(e, load<i32>(e) + 1);
  }
  return r;
}
/** How out-of-range numbers are answered here (see oorMode; JS keeps the policy). */
export function setOorMode(mode: i32): void { oorMode = mode; }

/** Whether this thread times sampled counted calls (js_timed), and the countdown to the first. */
export function setSampling(on: bool, next: i32): void { sampling = on; down = next; }

/** Lets JS record the doorbell value it has handled. */
export function setSeenWake(v: i32): void { seenWake = v; }

/** Calls a WebAssembly handler of this worker's table from JS, with f64 arguments (exact up to 2^53). */
export function callWasm(id: i32, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64, a5: f64): f64 {
  return <f64>call_indirect<i64>(<u32>id, <i64>a0, <i64>a1, <i64>a2, <i64>a3, <i64>a4, <i64>a5);
}
export function callWasm64(id: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64 {
  return call_indirect<i64>(<u32>id, a0, a1, a2, a3, a4, a5);
}

// ---- verify: every invariant of the layout ----

// @ts-ignore: decorator
@inline function fail(code: i32, index: i32): i32 { return (code << V_CODE_SHIFT) | (index & V_INDEX_MASK); }

/** Checks every invariant; returns 0 or (code << V_CODE_SHIFT | index). Linear in the layout's size; every walk is bounded. */
export function verify(): i32 {
  if (hdr(H_MAGIC) != MAGIC || hdr(H_VERSION) != LAYOUT_VERSION || hdr(H_STATE) != STATE_READY) return fail(V_HEADER, 0);
  const slots = hdr(H_SLOTS), mainN = hdr(H_MAIN), mh = hdr(H_MAXH), mm = hdr(H_MAXM), mw = hdr(H_MAXW), nc = hdr(H_CALLS);
  if (slots <= 0 || slots > SLOTS_MAX || mainN <= 0 || mainN > slots || mh < HANDLERS_MIN || mh > ID_MASK + 1 || mm < MODULES_MIN || mm > MODULES_MAX || mw < 1 || mw > WORKERS_MAX || nc < 1 || nc > CALLS_MAX) return fail(V_HEADER, 1);
  if (hdr(H_BYTES) != layoutBytes(slots, mh, mm, mw, nc) || <i64>memory.size() << PAGE_SHIFT < <i64>hdr(H_BYTES)) return fail(V_HEADER, 2);
  if (<u32>hdr(H_OOR_COUNT) > 1 || <u32>hdr(H_ORPHANS) > <u32>ORPHANS_ALL) return fail(V_HEADER, 3);
  if (<u32>hdr(H_LOCK) > <u32>mw || hdr(H_NEXTH) < 1 || hdr(H_NEXTH) >= mh) return fail(V_HEADER, 4);
  // Slots and their chains: each slot's top handler, then each handler below
  // it, is LIVE and on that slot; stubs only at the top set the slow bit.
  let reached = 0;
  for (let s = 0; s < slots; s++) {
    const word = atomic.load<i32>(w(slotsAt() + s));
    if (<u32>(word & POLICY_MASK) >> POLICY_SHIFT > <u32>POLICY_LOGGED) return fail(V_POLICY, s);
    // The trace and count bits are on exactly while the slot has reasons for them (a plugSet() in progress may differ: JS looks again).
    if (reasonBits(atomic.load<u8>(<usize>(reasonsAtBytes() + s))) != (word & (HOOK_TRACE | HOOK_COUNT))) return fail(V_PLUG, s);
    const id = word & ID_MASK;
    if (id >= mh) return fail(V_SLOT_ID, s);
    if (id == 0) { if (word & SLOW) return fail(V_SLOT_BITS, s); continue; }
    const top = hrec(id);
    if (atomic.load<i32>(w(top + HR_STATE)) != HS_LIVE || atomic.load<i32>(w(top + HR_SLOT)) != s) return fail(V_SLOT_HANDLER, s);
    if (((atomic.load<i32>(w(top + HR_KIND)) & HK_STUB) != 0) != ((word & SLOW) != 0)) return fail(V_SLOT_BITS, s);
    let h = id;
    for (let steps = 0; h != 0; steps++) {
      if (steps >= mh) return fail(V_HANDLER_BELOW, h); // a cycle
      reached++;
      const below = atomic.load<i32>(w(hrec(h) + HR_BELOW));
      if (below < 0 || below >= mh || below == h) return fail(V_HANDLER_BELOW, h);
      if (below != 0) {
        const b = hrec(below);
        if (atomic.load<i32>(w(b + HR_STATE)) != HS_LIVE || atomic.load<i32>(w(b + HR_SLOT)) != s) return fail(V_HANDLER_BELOW, h);
      }
      h = below;
    }
  }
  // Handlers: valid state and kind, owned by a live or claimed module. Every
  // chain ends and holds only its own slot's handlers, so each LIVE handler is
  // referenced exactly once iff the chains reach as many as are LIVE.
  let live = 0;
  for (let id = 1; id < mh; id++) {
    const r = hrec(id);
    const st = atomic.load<i32>(w(r + HR_STATE));
    const by = st >>> HS_BY_SHIFT;
    if ((st & HS_MASK) == HS_GOING ? by > mw : st != HS_FREE && st != HS_LIVE) return fail(V_HANDLER_STATE, id);
    if (st != HS_LIVE) continue;
    live++;
    const kind = atomic.load<i32>(w(r + HR_KIND));
    if ((kind & ~HK_ALL) != 0 || (kind & (HK_JS | HK_WASM | HK_STUB)) == 0) return fail(V_HANDLER_STATE, id);
    const m = atomic.load<i32>(w(r + HR_MODULE));
    if (m <= 0 || m >= mm || atomic.load<i32>(w(mrec(m) + MR_STATE)) == MS_FREE) return fail(V_HANDLER_MODULE, id);
    const slot = atomic.load<i32>(w(r + HR_SLOT));
    if (slot < 0 || slot >= slots) return fail(V_HANDLER_STATE, id);
    const home = atomic.load<i32>(w(r + HR_HOME));
    if (home < 0 || home >= mw) return fail(V_HANDLER_STATE, id);
  }
  if (live != reached) return fail(V_HANDLER_REFS, unreached(mh));
  for (let m = 0; m < mm; m++) {
    const st = atomic.load<i32>(w(mrec(m) + MR_STATE));
    if (st != MS_FREE && st != MS_CLAIMED && st != MS_LIVE) return fail(V_MODULE, m);
    if (m == 0 && st != MS_FREE) return fail(V_MODULE, m);
    const len = atomic.load<i32>(w(mrec(m) + MR_NAMELEN));
    if (st == MS_LIVE && (len <= 0 || len > NAME_MAX_BYTES)) return fail(V_MODULE, m);
  }
  for (let i = 0; i < mw; i++) {
    const r = workersAt() + i * WR_WORDS;
    const st = atomic.load<i32>(w(r + WR_STATE));
    if (st != WS_FREE && st != WS_ONLINE && st != WS_OFFLINE) return fail(V_WORKER, i);
    // The counter is read after the worker's word: it only grows, so no worker is ahead of it.
    if (st != WS_FREE) { const qs = atomic.load<i32>(w(r + WR_QS)); if (qs - hdr(H_GP) > 0) return fail(V_WORKER, i); }
    // Call records: a known state, in bounds; a freed worker's are free or left to the home that runs them.
    for (let k = 0; k < nc; k++) {
      const c = callsAt() + (i * nc + k) * CR_WORDS;
      const cs = atomic.load<i32>(w(c + CR_STATE));
      if (<u32>cs > <u32>CS_ABANDONED) return fail(V_CALL, i * nc + k);
      if (cs == CS_FREE) continue;
      if (st == WS_FREE && cs != CS_ABANDONED) return fail(V_CALL, i * nc + k);
      if (<u32>atomic.load<i32>(w(c + CR_TARGET)) >= <u32>mw || <u32>atomic.load<i32>(w(c + CR_HANDLER)) >= <u32>mh) return fail(V_CALL, i * nc + k);
    }
  }
  return V_OK;
}

/** The first LIVE handler no slot's chain reaches (only on verify's failure path). */
function unreached(mh: i32): i32 {
  for (let id = 1; id < mh; id++) {
    const r = hrec(id);
    if (atomic.load<i32>(w(r + HR_STATE)) != HS_LIVE) continue;
    const s = atomic.load<i32>(w(r + HR_SLOT));
    let h = atomic.load<i32>(w(slotsAt() + s)) & ID_MASK;
    let found = 0;
    for (let steps = 0; h != 0 && steps < mh; steps++) {
      if (h == id) found++;
      h = atomic.load<i32>(w(hrec(h) + HR_BELOW));
    }
    if (found != 1) return id;
  }
  return 0;
}
