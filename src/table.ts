// The table as seen from one thread: the JS hot path, the slow path, hooks,
// counters and checks. Registration changes live in registry.ts.
import type { Abi } from './abi/types.js';
import * as L from '../assembly/layout.js';
import { canShare, coreModule, instantiateCore, isShared, type CoreExports } from './core.js';
import { SystabError } from './errors.js';
import { isArray, noOtherKeys, show, slotsFor, type Entry, type Handler } from './handlers.js';
import { describeSlot, slotMap, slotOf, type SlotMap } from './slots.js';
import { abiFingerprint, readAbi } from './abi/read.js';
import { checkCoreModule, checkCoreRegions, checkLayout, layoutBytes } from './attach-check.js';
import { decodeVerify } from './verify.js';
import { blockingAllowed } from './blocking.js';
import { lock, Limbo, unlock } from './grace.js';
import { lockForChange, orphan, loadModule, moduleByToken, moduleName, provideCode, releaseSlots, reserveSlots, type Module } from './registry.js';
import type { ModuleSpec } from './handlers.js';
import { carry, carryAsync, leakedRecord, serveCarried, spinFor, tryCarry, watchDoorbell } from './proxy.js';
import { handlerWord, workerWord } from './records.js';
import { holdLease, sweepLeases } from './lease.js';

export interface TableOptions {
  abi: Abi;
  /** Handler records (live handlers + stubs + handlers draining). Default 4096, at most 65536. */
  maxHandlers?: number;
  /** Module records. Default 256. */
  maxModules?: number;
  /** Threads that may attach. Default 16. */
  maxWorkers?: number;
  /** Share the memory between threads. Default: where SharedArrayBuffer exists. */
  shared?: boolean;
  /** Bring your own memory (it must be large enough; shared if `shared`). */
  memory?: WebAssembly.Memory;
  /** How long a call carried to another thread may take, in ms (then ETIMEDOUT). Default 1000. */
  callTimeout?: number;
  /** This thread's id for evict() (Node: its threadId by default). */
  threadId?: number;
  /** Call records per thread: how many calls one thread may have carried to others at once (more wait for one, within callTimeout). Default 16, at most 256. */
  callRecords?: number;
  /** How long a change (load, unload, reserve, release, verify) waits for the writer lock, in ms (then ETIMEDOUT). Default 10000. */
  lockTimeout?: number;
}

/** Options of attach(). */
export interface AttachOptions {
  callTimeout?: number;
  threadId?: number;
  lockTimeout?: number;
}

/** What attach() needs in another thread; every field can be posted. */
export interface TableDescriptor {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  abi: Abi;
}

export type MissingPolicy = 'enosys' | 'throw' | 'log-once' | ((nr: number, args: number[]) => number);
export type EnterHook = (nr: number, args: number[]) => number | void;
export type ExitHook = (nr: number, args: number[], result: unknown) => void;

export interface CallStats {
  nr: number;
  name: string | undefined;
  calls: number;
  errors: number;
  enosys: number;
}
export interface Stats {
  /** Every number with a nonzero counter, by number. Its `calls`, `errors` and `enosys` count while its count switch is on. */
  calls: CallStats[];
  /** Numbers answered with ENOSYS while counting, most frequent first. */
  missing: { nr: number; name: string | undefined; count: number }[];
  /** Calls with numbers no range of the ABI holds, while the count switch of '*' is on. */
  outOfRange: number;
}

const NO_SAB = 'needs SharedArrayBuffer, which this context lacks (a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';
const BLOCK = -1;
const ASYNC = -2;
/** What a carried call answers under tryCall() when its home did not take it (tryCall() returns undefined). */
const NOT_TAKEN = Symbol('not taken');

export class Table {
  // Fields the constructor sets once use `declare` (no class-field
  // definition): a defined field starts as undefined and is written again,
  // and V8 folds only fields written once into optimized code, as constants
  // of this table. Defined, they made a missing call cost 1.7x a bare array
  // instead of 1.4x. `declare` rules out #private, so the hot* members are
  // internal ones the build mangles.
  declare readonly abi: Abi;
  /** @internal */ declare readonly map: SlotMap;
  /** @internal */ declare readonly core: CoreExports;
  /** The table's memory (shared unless made with shared: false). */ declare readonly memory: WebAssembly.Memory;
  readonly #wasmModule: WebAssembly.Module;
  /** @internal */ declare readonly i32: Int32Array;
  /** @internal */ declare readonly me: number;
  /** @internal This thread's claim of its worker record (WR_GEN): handlers it loads are homed at (me, claimGen). */ declare readonly claimGen: number;
  /** @internal This thread's code for the handlers it loaded, by handler id and the record's generation then, until their records are freed. */ readonly local = new Map<number, { entry: Entry; gen: number }>();
  /** @internal */ declare readonly at: { slots: number; handlers: number; modules: number; workers: number; counters: number; stripe: number; calls: number; ncalls: number; resolved: number; async: number };
  /** @internal The whole memory as bytes (the async bytes). */ declare readonly u8: Uint8Array;
  // The main range of slot words (read by refresh), this thread's functions by handler id.
  readonly #slots: Int32Array;
  readonly #fns: (Function | undefined)[];
  // slot -> its handler's function, refreshed when the doorbell rings; null:
  // empty, no switches, plain ENOSYS; undefined: look closer (slow path).
  /** @internal */ declare readonly hotDirect: (Function | null | undefined)[];
  // slot -> the plain handler of a number whose count switch alone is on, null
  // if it is empty (its own array: the main one must read undefined beyond the table).
  /** @internal */ declare readonly hotLane: (Function | null | undefined)[];
  /** @internal This thread's doorbell word, rung at every slot change. */ declare readonly hotBell: Int32Array;
  /** @internal */ declare readonly hotBase: number;
  /** @internal */ declare readonly hotCount: number;
  /** @internal This thread's counters (calls, errors, ENOSYS per slot). */ declare readonly hotCounters: Int32Array;
  /** @internal */ declare readonly hotEnosys: number;
  /** @internal */ declare readonly hotNegative: boolean;
  /** @internal This thread's out-of-range counter (a one-word view: index 0 needs no range arithmetic). */ declare readonly hotOor: Int32Array;
  // Out-of-range numbers on the hot path (one range, default policy): OOR_SLOW
  // not there, OOR_ANSWER answered, OOR_COUNT counted and answered. Written
  // once by the constructor, so V8 folds it as a constant; a change writing
  // it again deoptimizes callers once and leaves it an ordinary field (a
  // byte array cost 9% always).
  /** @internal */ declare hotOorMode: number;
  #seenWake: number;
  #seenGp: number;
  #seenChanges = 0;
  /** @internal */ depth = 0;
  #cached: number[] = [];
  readonly #resolved: Uint8Array;
  // This thread's promises pending per handler id, and the shared byte that says "some" (see the async bytes).
  readonly #asyncFlags: Uint8Array;
  readonly #asyncCounts: Int32Array;
  // The generation of each handler record whose function #fns holds: a record freed and reused has another.
  readonly #gens: Int32Array;
  readonly #traps = new Map<number, (nr: number, args: number[]) => number>();
  #enterHook: EnterHook | undefined;
  #exitHook: ExitHook | undefined;
  #oorPolicy: MissingPolicy = 'enosys';
  #oorLogged = false;
  /** @internal */ closed = false;
  /** @internal */ readonly limbo = new Limbo();
  /** @internal */ declare readonly f64: Float64Array;
  /** @internal This thread's doorbell word (an index into i32). */ declare readonly wakeAt: number;
  /** @internal */ declare readonly proxyTimeout: number;
  /** @internal */ declare readonly lockTimeout: number;
  /** @internal Calls this thread has carried to others and not yet finished (verify() checks its records against it). */ carrying = 0;

  /** @internal */
  constructor(abi: Abi, memory: WebAssembly.Memory, module: WebAssembly.Module, init: { maxH: number; maxM: number; maxW: number; calls: number } | undefined, opts: { callTimeout: number; threadId: number; lockTimeout: number }) {
    this.abi = abi;
    this.map = slotMap(abi);
    this.memory = memory;
    this.#wasmModule = module;
    const fingerprint = abiFingerprint(abi);
    // Attaching: the module and every header word are checked before the core runs on the memory.
    if (init === undefined) {
      checkCoreModule(module);
      checkLayout(new Int32Array(memory.buffer), memory.buffer.byteLength, abi, fingerprint);
    }
    try {
      this.core = instantiateCore(module, memory, {
        js_call: (id, a0, a1, a2, a3, a4, a5) => this.#jsCall(id, a0, a1, a2, a3, a4, a5),
        js_call64: (id, a0, a1, a2, a3, a4, a5) => this.#jsCall64(id, a0, a1, a2, a3, a4, a5),
        js_slow: (nr, a0, a1, a2, a3, a4, a5) => this.#wasmSlow(nr, a0, a1, a2, a3, a4, a5),
      });
    } catch (e) {
      // A memory whose limits the core cannot import (a maximum beyond its own), a module of another shape.
      throw new SystabError('EATTACH', `the core cannot run on this memory (${e instanceof Error ? e.message : String(e)})`);
    }
    this.i32 = new Int32Array(memory.buffer);
    // Before anything is written through the core's offsets: they are the ones this code derives from the header.
    if (init === undefined) checkCoreRegions(this.core, this.i32);
    if (init !== undefined) {
      const need = this.core.layoutBytes(this.map.total, init.maxH, init.maxM, init.maxW, init.calls);
      if (memory.buffer.byteLength < need) {
        throw new SystabError('EATTACH', `memory holds ${memory.buffer.byteLength} bytes; a ${abi.id} table of these sizes needs ${need}`);
      }
      if (this.core.init(fingerprint, this.map.total, abi.base, abi.count, init.maxH, init.maxM, init.maxW, abi.enosys, init.calls) !== 0) {
        throw new SystabError('EATTACH', 'memory already holds a systab table; use attach()');
      }
      // Names this table's leases (Web Locks are per agent cluster, shared by every table in it).
      Atomics.store(this.i32, L.H_LEASE_ID, 1 + Math.floor(Math.random() * 0x7ffffffe));
    }
    this.at = {
      slots: this.core.slotsAt(),
      handlers: this.core.handlersAt(),
      modules: this.core.modulesAt(),
      workers: this.core.workersAt(),
      counters: this.core.countersAt(),
      stripe: this.core.stripeWords(),
      calls: this.core.callsAt(),
      ncalls: this.i32[L.H_CALLS]!,
      resolved: this.core.resolvedAtBytes(),
      async: this.core.asyncAtBytes(),
    };
    this.proxyTimeout = opts.callTimeout;
    this.lockTimeout = opts.lockTimeout;
    const me = this.core.workerClaim(opts.threadId);
    if (me < 0) throw new SystabError('EFULL', `all ${this.i32[L.H_MAXW]} worker records of this table are taken`);
    this.me = me;
    this.claimGen = Atomics.load(this.i32, workerWord(this, me, L.WR_GEN));
    this.core.bind(me);
    this.#slots = new Int32Array(memory.buffer, this.at.slots * 4, abi.count);
    this.#fns = new Array<Function | undefined>(this.i32[L.H_MAXH]!).fill(undefined);
    this.hotBase = abi.base;
    this.hotCount = abi.count;
    this.wakeAt = workerWord(this, me, L.WR_WAKE);
    this.hotBell = new Int32Array(memory.buffer, this.wakeAt * 4, 1);
    // Packed: no hole checks on the hot path.
    this.hotDirect = Array.from({ length: abi.count }, () => undefined);
    this.hotLane = Array.from({ length: abi.count }, () => undefined);
    this.f64 = new Float64Array(memory.buffer, 0, Math.floor(memory.buffer.byteLength / 8));
    // The doorbell is read before the quiescent point below: a grace period
    // begun after that point rings it, one begun before is passed there.
    this.#seenWake = Atomics.load(this.i32, this.wakeAt);
    this.#seenGp = 0;
    this.hotCounters = new Int32Array(memory.buffer, (this.at.counters + me * this.at.stripe) * 4, this.at.stripe);
    this.#resolved = new Uint8Array(memory.buffer, this.at.resolved + me * this.i32[L.H_MAXH]!, this.i32[L.H_MAXH]!);
    // What the previous holder of this worker record resolved or had in flight is not this thread's.
    this.#resolved.fill(L.RK_NONE);
    this.u8 = new Uint8Array(memory.buffer);
    this.#asyncFlags = new Uint8Array(memory.buffer, this.at.async + me * this.i32[L.H_MAXH]!, this.i32[L.H_MAXH]!);
    this.#asyncFlags.fill(0);
    this.#asyncCounts = new Int32Array(this.i32[L.H_MAXH]!);
    this.#gens = new Int32Array(this.i32[L.H_MAXH]!);
    this.hotEnosys = abi.enosys;
    this.hotNegative = abi.convention === 'negative';
    this.hotOor = new Int32Array(memory.buffer, workerWord(this, me, L.WR_OOR) * 4, 1);
    this.hotOorMode = this.#oorModeNow();
    this.core.setOorMode(this.hotOorMode);
    this.#seenChanges = Atomics.load(this.i32, L.H_CHANGES);
    // Before anything reads a slot word or a record through it.
    if (init === undefined) this.#checkRecords();
    this.#refresh();
    this.quiesce(); // holds nothing yet: a grace period already under way need not wait for this thread
    this.#endLease = holdLease(this);
    sweepLeases(this); // holds the table weakly
    watchDoorbell(this);
  }

  /**
   * Calls handler `nr` with up to six numbers. Missing and out-of-range
   * numbers return the ABI's ENOSYS (or follow the missing-call policy).
   * An async handler's promise is returned as is.
   */
  call(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
    // The hot path: while the doorbell is quiet, this thread's cache of its
    // slots' functions is current (every slot change rings every doorbell).
    if (typeof nr === 'number' && this.hotBell[0] === this.#seenWake) {
      const i = nr - this.hotBase;
      const f = this.hotDirect[i];
      if (f !== undefined && f !== null) {
        let r;
        this.depth++;
        try {
          r = f(a0, a1, a2, a3, a4, a5);
        } finally {
          this.depth--;
        }
        if (typeof r === 'number') return r;
        return this.#oddResult(nr, this.#idOf(i, f), r);
      }
      return this.miss(nr, i, f, a0, a1, a2, a3, a4, a5);
    }
    return this.slow(nr, a0, a1, a2, a3, a4, a5);
  }

  /**
   * @internal The hot path found no function for slot `i` in this thread's
   * cache (the doorbell is quiet): an empty slot, a counted one, or beyond
   * the table; anything else takes the slow path.
   */
  miss(nr: number, i: number, f: null | undefined, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    // An empty slot with no switches and plain ENOSYS.
    if (f === null) return this.hotEnosys;
    if (i >>> 0 < this.hotCount) {
      // In the table, or a number the slow path answers (a fraction, NaN, beyond 2^32).
      const g = this.hotLane[i];
      if (g != null) return this.#countedCall(i, nr, g, a0, a1, a2, a3, a4, a5);
      if (g === null) {
        // Empty, counting, plain ENOSYS.
        this.hotCounters[i * L.C_WORDS + L.C_ENOSYS]!++;
        return this.hotEnosys;
      }
    } else if (this.hotOorMode !== L.OOR_SLOW && Number.isInteger(nr)) {
      // Beyond the table (an ABI with one range, default policy).
      if (this.hotOorMode === L.OOR_COUNT) this.hotOor[0]!++;
      return this.hotEnosys;
    }
    return this.slow(nr, a0, a1, a2, a3, a4, a5);
  }

  /**
   * The handler whose function `f` answered in slot `i` (the slot may hold
   * another by now): off the hot path, so the hot path reads no handler id.
   */
  #idOf(i: number, f: Function): number {
    let found = 0;
    for (const id of this.#cached) {
      if (this.#fns[id] !== f || this.i32[handlerWord(this, id, L.HR_SLOT)] !== i) continue;
      found = id;
      // One function loaded twice in a slot: the draining one, so its drain waits for this call.
      if (Atomics.load(this.i32, handlerWord(this, id, L.HR_STATE)) !== L.HS_LIVE) break;
    }
    return found;
  }

  /** Re-reads every slot word of the main range into this thread's cache of functions. */
  #refresh(): void {
    const slots = this.#slots;
    const fns = this.#fns;
    const gens = this.#gens;
    const i32 = this.i32;
    const genAt = this.at.handlers + L.HR_GEN;
    const direct = this.hotDirect;
    const lane = this.hotLane;
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

  /** A number whose count switch alone is on: counted here, its handler `f` called directly. */
  #countedCall(i: number, nr: number, f: Function, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    const c = this.hotCounters;
    const at = i * L.C_WORDS;
    c[at + L.C_CALLS]!++;
    let r;
    this.depth++;
    try {
      r = f(a0, a1, a2, a3, a4, a5);
    } catch (e) {
      c[at + L.C_ERRORS]!++;
      throw e;
    } finally {
      this.depth--;
    }
    if (typeof r === 'number') {
      if (isError(r, this.hotNegative)) c[at + L.C_ERRORS]!++;
      return r;
    }
    try {
      return this.#oddResult(nr, this.#idOf(i, f), r);
    } catch (e) {
      c[at + L.C_ERRORS]!++; // not a number: an error, as in every other counted path
      throw e;
    }
  }

  /** Like call(), with exact 64-bit arguments and result. */
  call64(nr: number, a0: bigint | number = 0n, a1: bigint | number = 0n, a2: bigint | number = 0n, a3: bigint | number = 0n, a4: bigint | number = 0n, a5: bigint | number = 0n): bigint {
    const args = [a0, a1, a2, a3, a4, a5].map((a, i) => toBig(a, i));
    const slot = this.#checkNr(nr);
    if (slot < 0) return toResult64(this.#missing(nr, args.map(Number)), this.map, -1);
    const word = Atomics.load(this.i32, this.at.slots + slot);
    const id = word & L.ID_MASK;
    if (id === 0 || (word & L.SLOW) !== 0) return toResult64(this.#missingCall(nr, slot, word, args.map(Number)), this.map, slot);
    const entry = this.#exact(id);
    if (entry !== undefined) {
      if ((entry.kind & L.HK_WASM) !== 0) this.#resolve(id); // puts it in this thread's core table
      // Hooks see the arguments as numbers (for display); the handler gets them exact.
      const run = (): unknown => ((entry.kind & L.HK_WASM) !== 0 ? this.core.callWasm64(id, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!) : (entry.fn as Function)(...args));
      return this.#hooked(nr, slot, word, args.map(Number), run, (r) => toResult64(r, this.map, slot));
    }
    const nums = args.map((a, i) => {
      if (a > BigInt(Number.MAX_SAFE_INTEGER) || a < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new SystabError('EBADARG', `argument ${i} (${a}n) of ${describeSlot(this.map, slot)} does not fit the handler's numbers exactly; declare the handler with bigint: true`);
      }
      return Number(a);
    });
    // A wrap or carried call may answer a promise here: call64() answers exact integers only.
    return toResult64(this.call(nr, nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]), this.map, slot);
  }

  // ---- registration ----

  /**
   * Loads a module: its handlers by call name or number, and its wraps. All
   * or nothing: a conflict anywhere changes no slot. See ModuleSpec.
   */
  load(spec: ModuleSpec): Module {
    return loadModule(this, spec);
  }

  /** The module an owner token names (from Module.token, possibly made in another thread). */
  module(token: string): Module {
    return moduleByToken(this, token);
  }

  /**
   * Gives this thread its own code for module `spec.name`, loaded (now or
   * later) by any thread: calls made here run it here instead of being
   * carried to the module's home thread.
   */
  provide(spec: ModuleSpec): void {
    provideCode(this, spec);
  }

  /** Holds calls for module `name` (not loaded yet): they answer ENOSYS, and only that module may fill them. */
  reserve(name: string, calls: readonly (string | number)[]): void {
    reserveSlots(this, name, calls);
  }

  /** Gives back module `name`'s reservations (all, or the calls named). */
  release(name: string, calls?: readonly (string | number)[]): void {
    releaseSlots(this, name, calls);
  }

  /** @internal Makes this thread's function for a fresh handler (wraps call their factory here). */
  prepare(id: number): void {
    this.#resolve(id);
  }

  // ---- slow path ----

  /** @internal */
  slow(nr: unknown, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    if (this.hotBell[0] !== this.#seenWake) {
      this.poll();
      if (this.hotBell[0] === this.#seenWake) return this.call(nr as number, a0, a1, a2, a3, a4, a5);
    }
    const slot = this.#checkNr(nr);
    if (slot < 0) return this.#missing(nr as number, [a0, a1, a2, a3, a4, a5]);
    for (;;) {
      const word = Atomics.load(this.i32, this.at.slots + slot);
      const id = word & L.ID_MASK;
      if (id === 0 || (word & L.SLOW) !== 0) return this.#missingCall(nr as number, slot, word, [a0, a1, a2, a3, a4, a5]);
      const f = this.#resolve(id);
      if (f === undefined) continue; // the handler left its slot while we looked: read the slot again
      const counting = (word & L.HOOK_MASK) === L.HOOK_COUNT;
      if (counting || (word & L.HOOK_MASK) === 0) {
        // Valid until the next doorbell: the word was read after this thread's last refresh.
        if (slot < this.hotCount && (word & L.POLICY_MASK) === 0) (counting ? this.hotLane : this.hotDirect)[slot] = f;
        if (counting) return this.#countedCall(slot, nr as number, f, a0, a1, a2, a3, a4, a5);
        let r;
        this.depth++;
        try {
          r = f(a0, a1, a2, a3, a4, a5);
        } finally {
          this.depth--;
        }
        return typeof r === 'number' ? r : this.#oddResult(nr as number, id, r);
      }
      return this.#hooked(nr as number, slot, word, [a0, a1, a2, a3, a4, a5], () => f(a0, a1, a2, a3, a4, a5), (r) => (typeof r === 'number' ? r : this.#oddResult(nr as number, id, r)));
    }
  }

  /** A call with switches on: count, enter hook (may answer early), the handler, exit hook. */
  #hooked<R>(nr: number, slot: number, word: number, args: number[], run: () => unknown, result: (r: unknown) => R): R {
    const at = slot * L.C_WORDS;
    const counting = (word & L.HOOK_COUNT) !== 0;
    if (counting) this.hotCounters[at + L.C_CALLS]!++;
    const exit = (word & L.HOOK_EXIT) !== 0 ? this.#exitHook : undefined;
    // Inside the call from here: a hook that calls the table reaches no quiescent point while `run`'s handler is held.
    let early: number | void | undefined;
    if ((word & L.HOOK_ENTER) !== 0) {
      this.depth++;
      try {
        early = this.#enterHook?.(nr, args);
      } finally {
        this.depth--;
      }
    }
    let r: R;
    if (typeof early === 'number') r = result(early);
    else {
      this.depth++;
      try {
        r = result(run());
      } catch (e) {
        if (counting) this.hotCounters[at + L.C_ERRORS]!++;
        throw e;
      } finally {
        this.depth--;
      }
      if (counting && isError(Number(r), this.hotNegative)) this.hotCounters[at + L.C_ERRORS]!++;
    }
    exit?.(nr, args, r);
    return r;
  }

  /** The slot of a call number, -1 when out of range; throws on a non-integer. */
  #checkNr(nr: unknown): number {
    if (typeof nr !== 'number' || !Number.isInteger(nr)) {
      throw new SystabError('EBADNR', `call number must be an integer number (got ${show(nr)})`);
    }
    return slotOf(this.map, nr);
  }

  /**
   * A missing call on a slot: counted as ENOSYS (not as a call) if counting,
   * seen by the enter and exit hooks, answered by the policy: all as the one
   * slot word `word` says (switches and policy are read together).
   */
  #missingCall(nr: number, slot: number, word: number, args: number[]): number {
    if ((word & L.HOOK_COUNT) !== 0) this.hotCounters[slot * L.C_WORDS + L.C_ENOSYS]!++;
    const policy = (word & L.POLICY_MASK) >>> L.POLICY_SHIFT;
    if ((word & (L.HOOK_ENTER | L.HOOK_EXIT)) === 0) return this.#missingPolicy(nr, slot, policy, args);
    return this.#hooked(nr, slot, word & ~L.HOOK_COUNT, args, () => this.#missingPolicy(nr, slot, policy, args), (r) => r as number);
  }

  /** An out-of-range call: count it if counting, and apply the out-of-range policy. */
  #missing(nr: number, args: number[]): number {
    if (Atomics.load(this.i32, L.H_OOR_COUNT) !== 0) this.hotOor[0]!++;
    const p = this.#oorPolicy;
    if (p === 'enosys') return this.hotEnosys;
    if (p === 'throw') throw enosysError(this.abi, nr);
    if (p === 'log-once') {
      if (!this.#oorLogged) {
        this.#oorLogged = true;
        console.warn(`systab: ${this.abi.id} call ${nr} is out of range; returning ENOSYS (${this.hotEnosys})`);
      }
      return this.hotEnosys;
    }
    return trapResult(p(nr, args), String(nr));
  }

  #missingPolicy(nr: number, slot: number, p: number, args: number[]): number {
    if (p === L.POLICY_ENOSYS || p === L.POLICY_LOGGED) return this.hotEnosys;
    if (p === L.POLICY_THROW) throw enosysError(this.abi, nr, this.map.nameOfSlot[slot]);
    if (p === L.POLICY_LOG_ONCE) {
      if (this.core.policyLogged(slot)) console.warn(`systab: ${this.abi.id} call ${describeSlot(this.map, slot)} is not implemented; returning ENOSYS (${this.hotEnosys})`);
      return this.hotEnosys;
    }
    const trap = this.#traps.get(slot);
    return trap !== undefined ? trapResult(trap(nr, args), describeSlot(this.map, slot)) : this.hotEnosys;
  }

  /**
   * Handler `id` returned a non-number: a promise is counted in flight on `id`
   * (the slot may hold another handler by now), a safe bigint converted,
   * anything else is an error.
   */
  #oddResult(nr: number, id: number, r: unknown): number {
    if (r === NOT_TAKEN) return r as unknown as number; // tryCall: a carried call its home did not take
    const slot = slotOf(this.map, nr);
    if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
      if (id === 0) return r as unknown as number; // its code was dropped during the call (provide()): nothing left to count on
      this.#inFlight(id, r as Promise<unknown>);
      return r as unknown as number;
    }
    // A bigint from a number handler is a mistake too, not a value to round: bigint: true handlers convert theirs.
    throw badResult(this.map, slot, r);
  }

  // ---- resolution of handler ids to this thread's functions ----

  /** @internal Code other threads load, by module name (see provide()). */
  readonly provided = new Map<string, Map<number, Entry>>();

  /** This thread's code for handler `id` if it takes exact 64-bit values (bigint or WebAssembly, not a wrap). */
  #exact(id: number): Entry | undefined {
    const e = this.#entryOf(id);
    return e !== undefined && (e.kind & (L.HK_BIGINT | L.HK_WASM)) !== 0 && (e.kind & L.HK_WRAP) === 0 ? e : undefined;
  }

  /** @internal This thread's code for handler `id`: loaded here, or provided here. */
  #entryOf(id: number): Entry | undefined {
    const r = handlerWord(this, id, 0);
    const mid = this.i32[r + L.HR_MODULE]!;
    const slot = this.i32[r + L.HR_SLOT]!;
    const mine = this.local.get(id);
    // A record freed (by another thread, say) and allocated again is another handler: that code is not its.
    if (mine !== undefined && mine.gen !== Atomics.load(this.i32, r + L.HR_GEN)) this.local.delete(id);
    const local = mine !== undefined && this.local.has(id) ? mine.entry : undefined;
    if (local !== undefined || this.provided.size === 0) return local;
    const e = this.provided.get(moduleName(this, mid))?.get(slot);
    // Provided code must be of the same kind as what the loader put there.
    return e !== undefined && (e.kind & (L.HK_WRAP | L.HK_WASM)) === (this.i32[r + L.HR_KIND]! & (L.HK_WRAP | L.HK_WASM)) ? e : undefined;
  }

  /** This thread's function for handler `id`, cached for the hot path; undefined if the handler is not live. */
  #resolve(id: number, draining = false): Function | undefined {
    const r = handlerWord(this, id, 0);
    const cached = this.#fns[id];
    // Read before the state: a record freed and allocated again meanwhile shows another generation.
    const gen = Atomics.load(this.i32, r + L.HR_GEN);
    if (cached !== undefined && !draining && this.#gens[id] === gen) return cached;
    const state = Atomics.load(this.i32, r + L.HR_STATE);
    if (state !== L.HS_LIVE && !(draining && (state & L.HS_MASK) === L.HS_GOING)) return undefined;
    const entry = this.#entryOf(id);
    const kind = entry?.kind ?? this.i32[r + L.HR_KIND]!;
    let f: Function;
    let rk: number = L.RK_JS;
    if (entry === undefined) {
      f = this.remote(id);
      this.#remoteIds.add(id);
    } else if ((kind & L.HK_WRAP) !== 0) {
      // The wrap's record as it is now (its slot and generation): the record may be freed and reused while an async wrap still runs.
      const slot = this.i32[r + L.HR_SLOT]!;
      const below = ((a0, a1, a2, a3, a4, a5) => this.#callBelow(id, gen, slot, a0, a1, a2, a3, a4, a5)) as Handler;
      // Inside a call while the factory runs: one that calls the table reaches no quiescent point while `id` is held.
      let made: unknown;
      this.depth++;
      try {
        made = (entry.fn as (b: Handler) => unknown)(below);
      } finally {
        this.depth--;
      }
      if (typeof made !== 'function') throw new SystabError('EBADHANDLER', `wrap for ${entry.label} returned ${show(made)}, not a function`);
      f = made;
    } else if ((kind & L.HK_WASM) !== 0) {
      const t = this.core.table;
      if (t.length <= id) t.grow(id + 1 - t.length);
      t.set(id, entry.fn as never);
      const core = this.core;
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
      if (this.#cached.some((o) => o !== id && this.#fns[o] === f)) {
        const fn = entry.fn;
        f = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => fn(a0, a1, a2, a3, a4, a5);
      }
    }
    if (cached !== undefined) this.forget([id]); // a draining handler resolved again: drop the old function everywhere
    this.#fns[id] = f;
    this.#gens[id] = gen;
    this.#resolved[id] = rk;
    if (cached === undefined) this.#cached.push(id);
    return f;
  }

  /**
   * Calls the handler below wrap `id` (ENOSYS when there is none or it is a
   * stub), as a call of its own: this thread is inside a call while it runs,
   * and a promise it returns is counted in flight on it, so unloading it waits
   * for that call however the wrap above reached it (sync or async, later).
   */
  #callBelow(id: number, gen: number, slot: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): unknown {
    const n = this.i32[L.H_MAXH]!;
    // Bounded: each retry means the chain changed under us.
    for (let tries = 0; tries < n; tries++) {
      // A wrap still in the table has its below link kept current under the
      // writer lock; one that has left it (an async wrap finishing after its
      // unload) has a link nobody keeps, to a handler that may have drained:
      // only a live handler of the same slot is followed from there, else the
      // slot's plain handler as it is now answers. A record freed and reused
      // since (another generation) is not this wrap at all.
      const state0 = Atomics.load(this.i32, handlerWord(this, id, L.HR_STATE));
      const link = Atomics.load(this.i32, handlerWord(this, id, L.HR_BELOW));
      const same = Atomics.load(this.i32, handlerWord(this, id, L.HR_GEN)) === gen;
      let below = link >>> 0 < n >>> 0 ? link : 0;
      if (!same || state0 !== L.HS_LIVE) {
        if (below === 0 || !same || Atomics.load(this.i32, handlerWord(this, below, L.HR_STATE)) !== L.HS_LIVE || this.i32[handlerWord(this, below, L.HR_SLOT)] !== slot) below = this.#baseOf(slot);
      }
      if (below === 0) return this.hotEnosys;
      const state = Atomics.load(this.i32, handlerWord(this, below, L.HR_STATE));
      if ((this.i32[handlerWord(this, below, L.HR_KIND)]! & L.HK_STUB) !== 0) return this.hotEnosys;
      // Linked from a live wrap and draining: its grace period waits for this thread, which is in this call.
      const f = this.#resolve(below, (state & L.HS_MASK) === L.HS_GOING);
      if (f === undefined) continue;
      let r;
      this.depth++;
      try {
        r = f(a0, a1, a2, a3, a4, a5);
      } finally {
        this.depth--;
      }
      if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') this.#inFlight(below, r as Promise<unknown>);
      return r;
    }
    return this.hotEnosys;
  }

  /** The plain handler (or stub) a slot's chain ends in now, under its wraps; 0 if none. */
  #baseOf(slot: number): number {
    const n = this.i32[L.H_MAXH]!;
    let h = Atomics.load(this.i32, this.at.slots + slot) & L.ID_MASK;
    for (let k = 0; h !== 0 && h >>> 0 < n >>> 0 && k < n; k++) {
      if ((this.i32[handlerWord(this, h, L.HR_KIND)]! & L.HK_WRAP) === 0) return h;
      h = Atomics.load(this.i32, handlerWord(this, h, L.HR_BELOW));
    }
    return 0;
  }

  /** Counts a promise in flight on handler `id` until it settles (unload and replace wait for it). */
  #inFlight(id: number, p: Promise<unknown>): void {
    if (this.#asyncCounts[id]!++ === 0) Atomics.store(this.#asyncFlags, id, 1);
    this.#pending++;
    const done = (): void => {
      if (--this.#asyncCounts[id]! === 0) Atomics.store(this.#asyncFlags, id, 0);
      if (--this.#pending === 0 && this.closed) this.#release();
    };
    p.then(done, done);
  }

  /** Promises of handlers pending on this thread (close() waits for them to give the record back). */
  #pending = 0;

  /** @internal A function for a handler whose code lives in another thread: it carries the call there. */
  remote(id: number): Function {
    const nr = this.map.nrOfSlot[this.i32[handlerWord(this, id, L.HR_SLOT)]!]!;
    return (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) =>
      this.#carry === BLOCK ? carry(this, id, nr, [a0, a1, a2, a3, a4, a5]) : this.#carry === ASYNC ? carryAsync(this, id, nr, [a0, a1, a2, a3, a4, a5]) : (tryCarry(this, id, nr, [a0, a1, a2, a3, a4, a5], this.#carry) ?? NOT_TAKEN);
  }

  // ---- quiescent points ----

  /**
   * A quiescent point: announces that this thread holds no handler from
   * before now, and runs calls other threads carried here. systab does this
   * itself at the next call after its doorbell rings, and when the thread is
   * idle; call it from a guest loop that runs long without system calls.
   */
  poll(): void {
    const v = Atomics.load(this.i32, this.wakeAt);
    this.#seenWake = v;
    this.core.setSeenWake(v);
    // After reading the doorbell: a change from now on rings again. Rings for
    // calls and grace periods change no slot and need no refresh.
    const changes = Atomics.load(this.i32, L.H_CHANGES);
    if (changes !== this.#seenChanges) {
      this.#seenChanges = changes;
      this.#refresh();
      this.#setOorMode(this.#oorModeNow());
    }
    if (Atomics.load(this.i32, L.H_GP) !== this.#seenGp) this.quiesce();
    this.serve();
  }

  /**
   * @internal poll() from the event loop, where nothing is on this thread's
   * stack: no call is in progress, so a depth word a trapping WebAssembly
   * handler left raised (a trap unwinds past the core's lowering) is reset.
   */
  idlePoll(): void {
    const at = workerWord(this, this.me, L.WR_DEPTH);
    if (this.i32[at] !== 0) this.i32[at] = 0;
    this.poll();
  }

  /** @internal Runs calls carried to this thread (see proxy.ts). */
  serve(): void {
    if (this.shared) serveCarried(this);
  }

  /**
   * Serves calls carried to this thread, blocking between them (a worker that
   * is home to modules and has nothing else to do). Returns once `quietMs`
   * pass with no call, or at once on a thread that may not block.
   */
  listen(quietMs: number): void {
    if (typeof quietMs !== 'number' || !(quietMs >= 0)) throw new SystabError('EBADSPEC', `listen() takes milliseconds >= 0 (got ${show(quietMs)})`);
    if (!this.shared || !blockingAllowed(this.i32)) return;
    for (;;) {
      const v = Atomics.load(this.i32, this.wakeAt);
      this.poll();
      if (this.closed) return;
      if (!spinFor(this, this.wakeAt, v, 0.05) && Atomics.wait(this.i32, this.wakeAt, v, quietMs) === 'timed-out') return;
    }
  }

  /** @internal */
  get shared(): boolean {
    return isShared(this.i32.buffer);
  }

  /**
   * Like call(), but never blocks this thread: a call carried to another
   * thread resolves when its home has run it. Use it on a browser's main thread.
   */
  callAsync(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): Promise<number> {
    try {
      return Promise.resolve(this.#carrying(ASYNC, () => this.call(nr, a0, a1, a2, a3, a4, a5)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like call(), but a call carried to another thread that its home does not
   * take within `spinMicros` (default 0) is withdrawn, unrun: the result is
   * undefined. Calls run here never wait.
   */
  tryCall(nr: number, args: readonly number[] = [], spinMicros = 0): number | Promise<number> | undefined {
    if (!isArray(args)) throw new SystabError('EBADSPEC', `tryCall() takes its arguments as an array (got ${show(args)})`);
    if (typeof spinMicros !== 'number' || !(spinMicros >= 0)) {
      throw new SystabError('EBADSPEC', `tryCall() spinMicros must be a number of microseconds >= 0 (got ${show(spinMicros)})`);
    }
    // Any call this makes to another thread is a try, even one published a moment ago.
    const r: unknown = this.#carrying(spinMicros, () => this.call(nr, args[0], args[1], args[2], args[3], args[4], args[5]));
    return r === NOT_TAKEN ? undefined : (r as number | Promise<number>);
  }

  /** Runs `f` with carried calls made the given way (BLOCK, ASYNC, or a try's spin). */
  #carrying<R>(mode: number, f: () => R): R {
    const was = this.#carry;
    this.#carry = mode;
    try {
      return f();
    } finally {
      this.#carry = was;
    }
  }

  /** @internal This thread's own function for handler `id` (never a carrier), even while it drains. */
  localFn(id: number): Function | undefined {
    if (this.#entryOf(id) === undefined) return undefined;
    const f = this.#fns[id];
    if (f !== undefined && !this.#remoteIds.has(id) && this.#gens[id] === Atomics.load(this.i32, handlerWord(this, id, L.HR_GEN))) return f;
    return this.#resolve(id, true);
  }

  readonly #remoteIds = new Set<number>();
  /** How a carried call is made now: BLOCK, ASYNC, or (>= 0) tryCall's spin. */
  #carry = BLOCK;

  /**
   * Frees the worker record of a thread that ended without close() (a
   * terminated worker), so it holds no grace period back and calls carried
   * to it fail at once. `threadId` is what that thread attached with (Node:
   * its worker.threadId).
   */
  evict(threadId: number): boolean {
    if (typeof threadId !== 'number' || !Number.isInteger(threadId)) throw new SystabError('EBADSPEC', `evict() takes the thread id a thread attached with (got ${show(threadId)})`);
    let found = false;
    for (const w of this.#workersOf(threadId)) if (this.evictWorker(w, Atomics.load(this.i32, workerWord(this, w, L.WR_GEN)))) found = true;
    // Adopt the orphans now (or, if the lock is busy, the next writer will).
    if (found && !this.closed) {
      try {
        lockForChange(this);
        unlock(this);
      } catch {
        /* the next change adopts them */
      }
    }
    return found;
  }

  /** @internal A terminate() of thread `threadId` was asked for: calls are no longer posted to it. */
  dying(threadId: number): void {
    if (this.closed) return;
    // Its callers waiting now give up their untaken calls at their next look (within 50 ms).
    for (const w of this.#workersOf(threadId)) {
      const gen = Atomics.load(this.i32, workerWord(this, w, L.WR_GEN));
      Atomics.store(this.i32, workerWord(this, w, L.WR_DYING), gen);
      this.#asked.set(w, gen);
    }
  }

  /**
   * @internal Whether this thread asked for worker `w`'s terminate() and has
   * not seen it end: its exit reaches only this thread's event loop, so
   * blocking here for something it holds can only time out.
   */
  terminating(w: number): boolean {
    const gen = this.#asked.get(w);
    if (gen === undefined) return false;
    if (Atomics.load(this.i32, workerWord(this, w, L.WR_GEN)) === gen && Atomics.load(this.i32, workerWord(this, w, L.WR_STATE)) !== L.WS_FREE) return true;
    this.#asked.delete(w);
    return false;
  }

  readonly #asked = new Map<number, number>();

  /** The worker records other than this thread's held by the thread that attached with `threadId`. */
  #workersOf(threadId: number): number[] {
    const out: number[] = [];
    for (let w = 0; w < this.i32[L.H_MAXW]!; w++) {
      const r = workerWord(this, w, 0);
      if (w !== this.me && Atomics.load(this.i32, r + L.WR_STATE) !== L.WS_FREE && this.i32[r + L.WR_ID] === threadId) out.push(w);
    }
    return out;
  }

  /** @internal Announces a quiescent point if this thread is in no call; returns whether it is quiescent. */
  quiesce(): boolean {
    if (this.depth !== 0 || this.i32[workerWord(this, this.me, L.WR_DEPTH)] !== 0) return false;
    const gp = Atomics.load(this.i32, L.H_GP);
    // Drop cached functions of handlers that left their slots: their ids may be reused after this grace period.
    const live: number[] = [];
    const gone: number[] = [];
    // A record freed and reused while this thread was offline (waiting for the lock) is live again: its generation tells.
    for (const id of this.#cached) (Atomics.load(this.i32, handlerWord(this, id, L.HR_STATE)) === L.HS_LIVE && Atomics.load(this.i32, handlerWord(this, id, L.HR_GEN)) === this.#gens[id] ? live : gone).push(id);
    if (gone.length > 0) {
      this.#cached = live;
      // Their slots changed before they left, and that rang this thread's
      // doorbell: the cache is re-read before its next use, no refresh here.
      this.#drop(gone);
    }
    this.#seenGp = gp;
    this.core.quiesce(this.me);
    Atomics.notify(this.i32, workerWord(this, this.me, L.WR_QS)); // a writer may sleep on it
    return true;
  }

  /** @internal Handlers `ids` were freed: drops this thread's code for them too. */
  discard(ids: Iterable<number>): void {
    for (const id of ids) this.local.delete(id);
    this.forget(ids);
  }

  /** @internal Drops this thread's functions for `ids` (local code changed) and re-reads the cache. */
  forget(ids: Iterable<number>): void {
    this.#drop(ids);
    this.#refresh();
  }

  #drop(ids: Iterable<number>): void {
    for (const id of ids) {
      this.#fns[id] = undefined;
      this.#resolved[id] = L.RK_NONE;
      this.#remoteIds.delete(id);
    }
  }

  // ---- WebAssembly entry points ----

  /**
   * The core's dispatch function, `(nr: i32, a0..a5: i64) => i64`: pass it
   * as an import to a WebAssembly guest so its calls stay in WebAssembly.
   */
  get dispatch(): (nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint) => bigint {
    return this.core.dispatch;
  }

  // The core's dispatch calls these between raising this thread's depth word
  // and lowering it; an exception unwinds through the core and skips the
  // lowering (and the error count), so they do both before it leaves.
  #jsCall(id: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    let r;
    try {
      r = this.#fns[id]!(a0, a1, a2, a3, a4, a5);
    } catch (e) {
      throw this.#unwinding(id, e);
    }
    if (typeof r === 'number') return r; // the core truncates and saturates it (i64.trunc_sat_f64_s)
    throw this.#unwinding(id, badResult(this.map, this.i32[handlerWord(this, id, L.HR_SLOT)]!, r));
  }

  #jsCall64(id: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
    let r;
    try {
      const entry = this.#entryOf(id);
      if (entry === undefined) return BigInt(this.#fns[id]!(Number(a0), Number(a1), Number(a2), Number(a3), Number(a4), Number(a5)));
      r = (entry.fn as Function)(a0, a1, a2, a3, a4, a5);
    } catch (e) {
      throw this.#unwinding(id, e);
    }
    // An exact handler answers WebAssembly as it answers call64().
    try {
      return toResult64(r, this.map, this.i32[handlerWord(this, id, L.HR_SLOT)]!);
    } catch (e) {
      throw this.#unwinding(id, e);
    }
  }

  /** An exception leaves a handler the core called: lower the depth word, count the error if counting; returns `e`. */
  #unwinding(id: number, e: unknown): unknown {
    this.i32[workerWord(this, this.me, L.WR_DEPTH)]!--;
    const slot = this.i32[handlerWord(this, id, L.HR_SLOT)]!;
    if ((Atomics.load(this.i32, this.at.slots + slot) & L.HOOK_COUNT) !== 0) this.hotCounters[slot * L.C_WORDS + L.C_ERRORS]!++;
    return e;
  }

  #wasmSlow(nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint {
    if (this.hotBell[0] !== this.#seenWake) this.poll();
    const slot = slotOf(this.map, nr);
    const id = slot < 0 ? 0 : Atomics.load(this.i32, this.at.slots + slot) & L.ID_MASK;
    if (id !== 0) {
      this.#resolve(id); // the core calls it directly from now on
      // Handlers that take exact 64-bit values get them from WebAssembly too.
      if (this.#exact(id) !== undefined) return this.call64(nr, a0, a1, a2, a3, a4, a5);
    }
    const r = this.call(nr, Number(a0), Number(a1), Number(a2), Number(a3), Number(a4), Number(a5)) as unknown;
    if (typeof r === 'number') return truncSat(r); // as the core does with a JS handler's answer
    throw badResult(this.map, slot, r); // a promise included: WebAssembly cannot wait for it
  }

  // ---- hooks, policies, statistics ----

  /** Turns per-number switches on (true) or off (false); each flip is one atomic operation on the slot word. '*' also flips the count switch of out-of-range numbers. */
  hooks(targets: readonly (string | number)[] | '*', switches: { count?: boolean; enter?: boolean; exit?: boolean }): void {
    const slots = this.#targetSlots(targets, 'hooks');
    if (switches === null || typeof switches !== 'object') throw new SystabError('EBADSPEC', `hooks() switches must be an object like { count: true } (got ${show(switches)})`);
    noOtherKeys(switches, ['count', 'enter', 'exit'], (k) => `hooks() has no switch "${k}"`);
    let on = 0;
    let off = 0;
    for (const [key, bit] of [['count', L.HOOK_COUNT], ['enter', L.HOOK_ENTER], ['exit', L.HOOK_EXIT]] as const) {
      const v = switches[key];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') throw new SystabError('EBADSPEC', `hooks() switch "${key}" must be true or false (got ${show(v)})`);
      if (v) on |= bit;
      else off |= bit;
    }
    for (const s of slots) this.core.hooksSet(s, on, off);
    // Out-of-range numbers have no slot word: '*' flips their count switch too.
    if (targets === '*' && (on | off) & L.HOOK_COUNT) this.core.oorCountSet(on & L.HOOK_COUNT ? 1 : 0);
    this.core.publish();
  }

  /** This thread's enter hook, run for numbers whose enter switch is on. Returning a number skips the handler. */
  onEnter(hook: EnterHook | null): void {
    if (hook !== null && typeof hook !== 'function') throw new SystabError('EBADHANDLER', `onEnter() takes a function or null (got ${show(hook)})`);
    this.#enterHook = hook ?? undefined;
  }

  /** This thread's exit hook, run with the result for numbers whose exit switch is on. */
  onExit(hook: ExitHook | null): void {
    if (hook !== null && typeof hook !== 'function') throw new SystabError('EBADHANDLER', `onExit() takes a function or null (got ${show(hook)})`);
    this.#exitHook = hook ?? undefined;
  }

  /** What a missing call does: 'enosys' (default), 'throw', 'log-once', or a trap function (this thread's). '*' sets every number and the out-of-range ones. */
  setMissing(targets: readonly (string | number)[] | '*', policy: MissingPolicy): void {
    const code = policy === 'enosys' ? L.POLICY_ENOSYS : policy === 'throw' ? L.POLICY_THROW : policy === 'log-once' ? L.POLICY_LOG_ONCE : typeof policy === 'function' ? L.POLICY_TRAP : -1;
    if (code < 0) throw new SystabError('EBADSPEC', `missing-call policy must be 'enosys', 'throw', 'log-once' or a function (got ${show(policy)})`);
    const slots = this.#targetSlots(targets, 'setMissing');
    for (const s of slots) {
      if (typeof policy === 'function') this.#traps.set(s, policy);
      else this.#traps.delete(s);
      this.core.policySet(s, code);
    }
    this.core.publish();
    if (targets === '*') {
      this.#oorPolicy = policy;
      this.#setOorMode(this.#oorModeNow());
      this.#oorLogged = false;
    }
  }

  /** How the hot paths treat out-of-range numbers: only an ABI with one range and the default policy answers there. */
  #oorModeNow(): number {
    if (this.abi.extra.length !== 0 || this.#oorPolicy !== 'enosys') return L.OOR_SLOW;
    return Atomics.load(this.i32, L.H_OOR_COUNT) === 0 ? L.OOR_ANSWER : L.OOR_COUNT;
  }

  #setOorMode(mode: number): void {
    // Written only on a real change: the first rewrite ends the field's constancy.
    if (this.hotOorMode !== mode) this.hotOorMode = mode;
    this.core.setOorMode(mode);
  }

  #targetSlots(targets: readonly (string | number)[] | '*', what: string): number[] {
    return slotsFor(this.abi, this.map, targets, what, true);
  }

  /** Counters summed over every thread, counted while the count switch is on: calls, errors, ENOSYS answers per number; out-of-range numbers while '*' counts. */
  stats(): Stats {
    const calls: CallStats[] = [];
    const missing: Stats['missing'] = [];
    const n = this.i32[L.H_MAXW]!;
    let outOfRange = 0;
    for (let w = 0; w < n; w++) outOfRange += this.i32[workerWord(this, w, L.WR_OOR)]!;
    for (let s = 0; s < this.map.total; s++) {
      let c = 0;
      let e = 0;
      let x = 0;
      for (let w = 0; w < n; w++) {
        const at = this.at.counters + w * this.at.stripe + s * L.C_WORDS;
        c += this.i32[at + L.C_CALLS]!;
        e += this.i32[at + L.C_ERRORS]!;
        x += this.i32[at + L.C_ENOSYS]!;
      }
      if (c === 0 && e === 0 && x === 0) continue;
      const nr = this.map.nrOfSlot[s]!;
      const name = this.map.nameOfSlot[s];
      calls.push({ nr, name, calls: c, errors: e, enosys: x });
      if (x > 0) missing.push({ nr, name, count: x });
    }
    missing.sort((a, b) => b.count - a.count || a.nr - b.nr);
    return { calls, missing, outOfRange };
  }

  /** Checks every invariant of the shared layout; throws SystabError('ELAYOUT') naming the first broken one. */
  verify(): void {
    // Under the writer lock every change waits, so what it checks is one state
    // of the table, from any thread (hook and policy flips keep every invariant).
    // This thread holds it already when called from inside a change (a wrap factory).
    const mine = Atomics.load(this.i32, L.H_LOCK) === this.me + 1;
    // lockForChange: a change a dead writer left half made is repaired first (it is flagged, not damage).
    if (!mine) lockForChange(this);
    let v: number;
    try {
      v = this.core.verify();
    } finally {
      if (!mine) unlock(this);
    }
    if (v !== 0) throw new SystabError('ELAYOUT', decodeVerify(v, this.map));
    const k = leakedRecord(this);
    if (k >= 0) throw new SystabError('ELAYOUT', `verify: call record ${k} of worker ${this.me} (this thread) is held with no call in progress`);
  }

  /** What another thread needs to attach() to this table. */
  describe(): TableDescriptor {
    // Before anything is posted: structured clone of an unshared memory fails with the browser's own DataCloneError.
    if (!this.shared) throw new SystabError('EATTACH', `describe() is for attach() in another thread, which ${canShare() ? 'needs a shared table; this one was made with shared: false' : NO_SAB}`);
    return { memory: this.memory, module: this.#wasmModule, abi: this.abi };
  }

  /**
   * The records of a table being attached, by the core's verify(): a verdict
   * taken while no writer was at work (the lock free and no slot change
   * around the look) stands; while writers keep working it looks again, for
   * up to a second, then under the writer lock. Damage, or a lock nobody
   * gives back, is EATTACH and this view is closed. Holding the lock only as
   * a last resort keeps a thread killed while it attaches from leaving it held.
   */
  #checkRecords(): void {
    const i32 = this.i32;
    const deadline = performance.now() + 1000;
    do {
      const lock0 = Atomics.load(i32, L.H_LOCK);
      const changes = Atomics.load(i32, L.H_CHANGES);
      const v = this.core.verify();
      if (v === 0) return; // nothing wrong was seen, whatever the writers did
      if ((Atomics.load(i32, L.H_ORPHANS) & L.ORPHANS_LOCK_LOST) !== 0) break; // a half-made change awaiting repair: verify() repairs, then judges
      if (lock0 === 0 && Atomics.load(i32, L.H_LOCK) === 0 && Atomics.load(i32, L.H_CHANGES) === changes) {
        this.end();
        throw new SystabError('EATTACH', `table records are damaged: ${decodeVerify(v, this.map).replace(/^verify: /, '')}`);
      }
    } while (performance.now() < deadline);
    try {
      this.verify();
    } catch (e) {
      this.end();
      const what = e instanceof SystabError && e.code === 'ELAYOUT' ? `are damaged: ${e.message.replace(/^verify: /, '')}` : `could not be checked: ${e instanceof Error ? e.message : String(e)}`;
      throw new SystabError('EATTACH', `table records ${what}`);
    }
  }

  /** Gives this thread's worker record back (the table stays usable from other threads). */
  close(): void {
    if (this.closed) return;
    // Inside a call this thread holds its handler: freed now, its record would let grace periods (and its callers) pass it by.
    if (this.depth !== 0 || this.i32[workerWord(this, this.me, L.WR_DEPTH)] !== 0) {
      throw new SystabError('EBUSY', 'close() inside a call (a handler, hook or wrap factory): close the table once the call has returned');
    }
    this.closed = true;
    // Async calls still running here will run more code of their handlers:
    // the record (and its in-flight bytes, and the call records of carried
    // ones, which they answer into) stays, offline, until they settle. It
    // takes no new carried call meanwhile: callers answer ENOSYS, as for a dying thread.
    if (this.#pending > 0) {
      Atomics.store(this.i32, workerWord(this, this.me, L.WR_DYING), this.claimGen);
      this.core.workerSetOnline(this.me, 0);
    } else this.#release();
  }

  /** @internal A carried call's promise running here: this thread's record stays until it settles (its answer goes into the caller's record). */
  holdFor(p: Promise<unknown>): void {
    this.#pending++;
    const done = (): void => {
      if (--this.#pending === 0 && this.closed) this.#release();
    };
    p.then(done, done);
  }

  /** @internal The thread is ending (Node's exit): nothing of it will run again. */
  end(): void {
    this.closed = true;
    this.#release();
  }

  #released = false;
  #endLease: () => void = () => {};
  /**
   * @internal This thread loaded a module: it is that module's home. Its
   * doorbell watcher holds the table weakly; from now on a strong reference
   * keeps it (and so its serving) alive until close(), even if the code
   * that loaded the module kept none.
   */
  becameHome(): void {
    (homes ??= new Set()).add(this);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    homes?.delete(this);
    orphan(this, this.me); // handlers it was draining and unloads it had begun: the next writer finishes them
    this.core.workerRelease(this.me);
    this.#endLease();
  }

  /**
   * @internal Frees worker record `w` if it still holds claim `gen` (its
   * thread is known gone): the CAS on the generation makes one evicter win,
   * and a thread that claims the index afterwards is never freed by mistake.
   */
  evictWorker(w: number, gen: number): boolean {
    if (w === this.me || Atomics.load(this.i32, workerWord(this, w, L.WR_STATE)) === L.WS_FREE) return false;
    if (Atomics.compareExchange(this.i32, workerWord(this, w, L.WR_GEN), gen, gen + 1) !== gen) return false;
    // What it left unfinished becomes orphans; then its record, its call records and the writer lock if it held it are freed.
    orphan(this, w);
    this.core.workerRelease(w);
    return true;
  }
}

/** An error result in the ABI's convention: -4095..-1 (negative) or nonzero (positive errno). */
function isError(r: number, negative: boolean): boolean {
  return negative ? r < 0 && r > -4096 : r !== 0;
}

/** A missing-call trap's answer: a number. */
function trapResult(r: unknown, label: string): number {
  if (typeof r === 'number') return r;
  throw new SystabError('EBADRESULT', `missing-call trap for ${label} returned ${show(r)}; traps return a number`);
}

/** A result as call64() returns it: integers that fit 64 bits (a bigint is cut to them, as the ABI's register would). */
function toResult64(r: unknown, map: SlotMap, slot: number): bigint {
  if (typeof r === 'bigint') return BigInt.asIntN(64, r);
  if (typeof r === 'number' && Number.isInteger(r) && r >= -(2 ** 63) && r < 2 ** 63) return BigInt(r);
  throw badResult(map, slot, r);
}

/** A number as WebAssembly's i64.trunc_sat_f64_s makes it: NaN 0, cut toward zero, held to the i64 range. */
function truncSat(r: number): bigint {
  if (Number.isNaN(r)) return 0n;
  if (r >= 2 ** 63) return 2n ** 63n - 1n;
  if (r <= -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(r));
}

/** An argument for a WebAssembly handler called from JS: an integer number (call64() passes exact 64-bit values). */
function wasmArg(a: unknown, i: number, label: string): number {
  if (typeof a === 'number' && Number.isInteger(a)) return a;
  if (a === undefined) return 0;
  throw new SystabError('EBADARG', `argument ${i} of ${label} must be an integer number for its WebAssembly handler (got ${show(a)}); call64() passes exact 64-bit values`);
}

/** An argument for a handler declared `bigint: true`. */
function bigArg(a: unknown, i: number, label: string): bigint {
  if (typeof a === 'bigint') return a;
  if (typeof a === 'number' && Number.isInteger(a)) return BigInt(a);
  throw new SystabError('EBADARG', `argument ${i} of ${label} must be an integer number or a bigint (got ${show(a)})`);
}

function toBig(a: unknown, i: number): bigint {
  if (typeof a === 'bigint') return BigInt.asIntN(64, a);
  if (typeof a === 'number' && Number.isSafeInteger(a)) return BigInt(a);
  throw new SystabError('EBADARG', `call64() argument ${i} must be a bigint or a safe integer (got ${show(a)})`);
}

function badResult(map: SlotMap, slot: number, r: unknown): SystabError {
  return new SystabError('EBADRESULT', `handler for ${slot >= 0 ? describeSlot(map, slot) : 'call'} returned ${show(r)}; handlers return a number${typeof r === 'bigint' ? ' (bigint: true handlers may return a bigint)' : ''}`);
}

function enosysError(abi: Abi, nr: number, name?: string): SystabError {
  return new SystabError('ENOSYS', `${abi.id} call ${name === undefined ? nr : `${name} (${nr})`} is not implemented`);
}

/** Creates a table for one ABI. */
export function createTable(options: TableOptions): Table {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64'`);
  // Each option is read once: a getter cannot answer one thing to a check and another to its use.
  const { abi: given, maxHandlers, maxModules, maxWorkers, shared: wantShared, memory: given_memory, callTimeout, threadId, callRecords, lockTimeout } = options;
  noOtherKeys(options, ['abi', 'maxHandlers', 'maxModules', 'maxWorkers', 'shared', 'memory', 'callTimeout', 'threadId', 'callRecords', 'lockTimeout'], (k) => `createTable() has no option "${k}"`);
  const abi = readAbi(given);
  if (typeof abi === 'string') throw new SystabError('EBADSPEC', `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64' (${abi})`);
  const maxH = sizeOption(maxHandlers, 'maxHandlers', 4096, 2, L.ID_MASK + 1);
  const maxM = sizeOption(maxModules, 'maxModules', 256, 2, 1 << 16);
  const maxW = sizeOption(maxWorkers, 'maxWorkers', 16, 1, 1024);
  const calls = sizeOption(callRecords, 'callRecords', L.CALLS_DEFAULT, 1, L.CALLS_MAX);
  if (wantShared !== undefined && typeof wantShared !== 'boolean') throw new SystabError('EBADSPEC', `shared must be true or false (got ${show(wantShared)})`);
  let memory = given_memory;
  if (memory !== undefined && !(memory instanceof WebAssembly.Memory)) throw new SystabError('EATTACH', `memory must be a WebAssembly.Memory (got ${show(memory)})`);
  const shared = wantShared ?? (memory !== undefined ? isShared(memory.buffer) : canShare());
  if (shared && !canShare()) {
    throw new SystabError('EATTACH', `a shared table ${NO_SAB}`);
  }
  const module = coreModule(shared);
  if (memory !== undefined && isShared(memory.buffer) !== shared) {
    throw new SystabError('EATTACH', `memory must be a WebAssembly.Memory${shared ? ' created with shared: true' : ' that is not shared'}`);
  }
  if (memory === undefined) {
    const pages = Math.ceil(layoutBytes(slotMap(abi).total, maxH, maxM, maxW, calls) / 65536);
    memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages, maximum: pages });
  }
  // Every option is checked before the memory is touched: a rejected one leaves it as it was.
  const t = new Table(abi, memory, module, { maxH, maxM, maxW, calls }, threadOptions(callTimeout, threadId, lockTimeout));
  trackThread(t);
  return t;
}

/** Attaches to a table made in another thread (from its describe()). */
export function attach(descriptor: TableDescriptor, options: AttachOptions = {}): Table {
  const bad = 'attach() needs the { memory, module, abi } that table.describe() returns';
  if (descriptor === null || typeof descriptor !== 'object') throw new SystabError('EATTACH', bad);
  const { memory, module, abi: given } = descriptor;
  if (!(memory instanceof WebAssembly.Memory) || !(module instanceof WebAssembly.Module)) throw new SystabError('EATTACH', bad);
  const abi = readAbi(given);
  if (typeof abi === 'string') throw new SystabError('EATTACH', `${bad} (${abi})`);
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `attach() options must be an object (got ${show(options)})`);
  const { callTimeout, threadId, lockTimeout } = options;
  noOtherKeys(options, ['callTimeout', 'threadId', 'lockTimeout'], (k) => `attach() has no option "${k}"`);
  if (!canShare()) {
    throw new SystabError('EATTACH', `attach() ${NO_SAB}`);
  }
  if (!isShared(memory.buffer)) {
    throw new SystabError('EATTACH', 'attach() needs a shared table; this one was made with shared: false');
  }
  const t = new Table(abi, memory, module, undefined, threadOptions(callTimeout, threadId, lockTimeout));
  closeAtExit(t);
  trackThread(t);
  return t;
}

// A Node worker that ends without close() gives its records back on exit.
let attached: Set<WeakRef<Table>> | undefined;
/** Tables that are home to modules they loaded: kept until close() (see becameHome()). */
let homes: Set<Table> | undefined; // made on first use (nothing is created at import)

function closeAtExit(t: Table): void {
  const p = (globalThis as { process?: { once?: (ev: string, fn: () => void) => void } }).process;
  if (typeof p?.once !== 'function' || workerThreads()?.isMainThread !== false) return;
  if (attached === undefined) {
    const set = (attached = new Set());
    p.once('exit', () => set.forEach((r) => r.deref()?.end()));
  }
  attached.add(new WeakRef(t));
}

// A terminated Node worker runs no exit code, but the thread that created it
// sees it end ('worker' then 'exit' on the Worker): every table of that
// thread evicts the worker's records, so its calls, grace periods and the
// writer lock never wait on a thread that is gone.
let tables: Set<WeakRef<Table>> | undefined;
function trackThread(t: Table): void {
  const p = (globalThis as { process?: { on?: (ev: string, fn: (w: { threadId: number; once?: (ev: 'exit', fn: () => void) => void; addEventListener?: (ev: 'close', fn: () => void) => void; terminate?: (...a: unknown[]) => unknown }) => void) => void } }).process;
  if (!t.shared || typeof p?.on !== 'function' || workerThreads() === undefined) return;
  if (tables === undefined) {
    const set = (tables = new Set<WeakRef<Table>>());
    p.on('worker', (w) => {
      const id = w.threadId;
      // terminate() is asked of this thread: from then on no call is posted
      // to that worker, even while this thread is blocked and cannot see its exit.
      const stop = w.terminate;
      if (typeof stop === 'function') {
        w.terminate = function (this: unknown, ...a: unknown[]) {
          for (const r of set) r.deref()?.dying(id);
          return stop.apply(this, a);
        };
      }
      const ended = (): void => {
        for (const r of set) {
          const table = r.deref();
          if (table === undefined) set.delete(r);
          else if (!table.closed) table.evict(id);
        }
      };
      // A Node Worker says 'exit'; bun announces its Web Workers here too, and they say 'close'.
      if (typeof w.once === 'function') w.once('exit', ended);
      else w.addEventListener?.('close', ended);
    });
  }
  tables.add(new WeakRef(t));
}

/** Node's worker_threads module, where there is one. */
function workerThreads(): { isMainThread?: boolean; threadId?: number } | undefined {
  try {
    return (globalThis as { process?: { getBuiltinModule?: (m: string) => { isMainThread?: boolean; threadId?: number } | undefined } }).process?.getBuiltinModule?.('node:worker_threads');
  } catch {
    return undefined;
  }
}


function threadOptions(callTimeout: unknown, threadId: unknown, lockTimeout: unknown): { callTimeout: number; threadId: number; lockTimeout: number } {
  return {
    callTimeout: sizeOption(callTimeout, 'callTimeout', 1000, 0, 2 ** 31),
    threadId: sizeOption(threadId, 'threadId', workerThreads()?.threadId ?? 0, 0, 2 ** 31 - 1),
    lockTimeout: sizeOption(lockTimeout, 'lockTimeout', 10_000, 0, 2 ** 31),
  };
}

function sizeOption(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SystabError('EBADSPEC', `${name} must be an integer from ${min} to ${max} (got ${show(v)})`);
  }
  return v;
}
