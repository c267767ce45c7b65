// The table as seen from one thread: the JS hot path (call(), miss(), the
// counted path), the slow path, the doorbell and quiescent points, and the
// public methods, each a forward to the holder that owns what it changes:
// view.ts (the layout), code.ts (this thread's functions), policy.ts
// (hooks and policies), proxy.ts and serve.ts (carried calls), pending.ts
// (async calls in flight), writer.ts (registration changes).
import * as L from '../assembly/layout.js';
import type { Abi, CallKey } from './abi/types.js';
import { canShare } from './core.js';
import { SystabError } from './errors.js';
import { show, type ModuleSpec } from './handlers.js';
import { checkRecords } from './attach-check.js';
import { openView, type Init } from './open.js';
import type { View } from './view.js';
import { inCall, workerWord } from './records.js';
import { Code, idOf, refresh, resolve, sweep } from './code.js';
import { oddResult, Pending } from './pending.js';
import { hooked, missingCall, missingOor, oorModeNow, Policy, setEnter, setExit, setHooks, setMissing, type EnterHook, type ExitHook, type MissingPolicy } from './policy.js';
import { ANY, callAsync, Carrier, remoteFn, takesPromises, tryCall } from './proxy.js';
import { serveCarried, serveUntilQuiet, watchDoorbell } from './serve.js';
import { jsCall, jsCall64, sampled, wasmSlow } from './bridge.js';
import { call64 } from './call64.js';
import { checkNr, numberArgs } from './results.js';
import { countedCall } from './counted.js';
import type { Timer } from './thread.js';
import { Writer } from './writer.js';
import { loadModule, provideCode, releaseSlots, reserveSlots } from './registry.js';
import { moduleByToken, type Module } from './module.js';
import { evictThread, evictWorker, keepHome, leaveWhenSettled, markDying, notInCall, releaseRecord, terminating } from './evict.js';
import { verifyTable } from './verify.js';
import { stats, type Stats } from './stats.js';
import { holdLease, sweepLeases } from './lease.js';
import { NO_SAB, type TableDescriptor, type ThreadOptions } from './options.js';

/** A table as one thread sees it. `N`: its ABI's call names (methods that take a call take one, or a number). `Answer`: what call() answers (`number | Promise<number>` if made or attached with `async: true`). */
export class Table<N extends string = string, Answer extends number | Promise<number> = number> {
  // Fields the constructor sets once use `declare` (no class-field definition):
  // V8 folds only fields written once into optimized code, as constants of this
  // table; defined, they made a missing call cost 1.7x a bare array instead of
  // 1.4x. `declare` rules out #private: the hot* members (and code, policy and
  // carrier, the holders the slow path reaches) are public in JS.
  declare readonly abi: Abi<N>;
  /** The table's memory (shared unless made with shared: false). */ declare readonly memory: WebAssembly.Memory;
  /** @internal The shared layout as this thread sees it. */ declare readonly v: View;
  // The hot path's view of this thread's code (code.ts owns the arrays).
  /** @internal */ declare readonly hotDirect: (Function | null | undefined)[];
  /** @internal */ declare readonly hotLane: (Function | null | undefined)[];
  /** @internal This thread's doorbell word, rung at every slot change. */ declare readonly hotBell: Int32Array;
  /** @internal */ declare readonly hotBase: number;
  /** @internal */ declare readonly hotCount: number;
  /** @internal This thread's counters (calls, errors, ENOSYS per slot). */ declare readonly hotCounters: Int32Array;
  /** @internal */ declare readonly hotEnosys: number;
  /** @internal */ declare readonly hotNegative: boolean;
  /** @internal This thread's out-of-range counter (a one-word view: index 0 needs no range arithmetic). */ declare readonly hotOor: Int32Array;
  // Out-of-range numbers on the hot path: OOR_SLOW, OOR_ANSWER, OOR_COUNT. Written once by the constructor (V8 folds it;
  // a rewrite deoptimizes callers once and leaves an ordinary field; a byte array cost 9% always).
  /** @internal */ declare hotOorMode: number;
  /** @internal The worker record whose carried call this thread is running (serve.ts), or -1; and the threadId it attached with, read as the call was taken (a record may change hands). */ carriedFrom = -1; /** @internal */ carriedId = 0;
  /** @internal This thread's call timer (systab/trace's summary; counted.ts), set by setTimer(). */ hotTimer: Timer | undefined = undefined;
  #seenWake: number;
  #seenGp = 0;
  #seenChanges = 0;
  /** @internal */ depth = 0;
  /** @internal */ closed = false;
  /** @internal */ declare readonly code: Code;
  readonly #pending: Pending;
  /** @internal */ declare readonly policy: Policy;
  /** @internal This thread's side of carried calls (call64() and the WebAssembly slow path use it). */ declare readonly carrier: Carrier;
  readonly #writer: Writer;
  readonly #asked = new Map<number, number>(); // terminate() asked of these workers (index -> claim), until seen ended

  /** @internal */
  constructor(abi: Abi, memory: WebAssembly.Memory, module: WebAssembly.Module, init: Init | undefined, opts: ThreadOptions) {
    this.abi = abi;
    this.memory = memory;
    const v = openView(abi, memory, module, init, opts, {
      js_call: (id, a0, a1, a2, a3, a4, a5) => jsCall(this.code, this.hotCounters, id, a0, a1, a2, a3, a4, a5),
      js_call64: (id, a0, a1, a2, a3, a4, a5) => jsCall64(this.code, this.hotCounters, id, a0, a1, a2, a3, a4, a5),
      js_slow: (nr, a0, a1, a2, a3, a4, a5) => {
        if (this.hotBell[0] !== this.#seenWake) this.poll();
        return wasmSlow(this, this.code, nr, a0, a1, a2, a3, a4, a5);
      },
      js_now: () => performance.now(),
      js_timed: (slot, t0, n) => sampled(this.hotTimer, slot, t0, n),
    });
    const { i32, at, me, wakeAt, core } = v;
    this.v = v;
    this.hotBase = abi.base;
    this.hotCount = abi.count;
    this.hotBell = new Int32Array(memory.buffer, wakeAt * 4, 1);
    // The doorbell is read before the quiescent point below: a grace period
    // begun after that point rings it, one begun before is passed there.
    this.#seenWake = Atomics.load(i32, wakeAt);
    this.hotCounters = new Int32Array(memory.buffer, (at.counters + me * at.stripe) * 4, at.stripe);
    this.#pending = new Pending(v, () => {
      if (this.closed) this.#release();
    });
    this.carrier = new Carrier(this, opts.async);
    this.code = new Code(v, this, this.#pending, (id) => remoteFn(this.carrier, id));
    this.hotDirect = this.code.direct;
    this.hotLane = this.code.lane;
    this.#writer = new Writer(this, this.code, () => keepHome(this));
    this.hotEnosys = abi.enosys;
    this.hotNegative = abi.convention === 'negative';
    this.hotOor = new Int32Array(memory.buffer, workerWord(v, me, L.WR_OOR) * 4, 1);
    this.policy = new Policy(this, this.hotCounters, this.hotOor);
    this.hotOorMode = oorModeNow(this.policy);
    core.setOorMode(this.hotOorMode);
    this.#seenChanges = Atomics.load(i32, L.H_CHANGES);
    // Before anything reads a slot word or a record through it.
    if (init === undefined) checkRecords(v, () => this.verify(), () => this.end());
    refresh(this.code);
    this.quiesce(); // holds nothing yet: a grace period already under way need not wait for this thread
    this.#endLease = holdLease(this);
    sweepLeases(this); // holds the table weakly
    watchDoorbell(this);
  }

  /**
   * Calls handler `nr` with up to six numbers. Missing and out-of-range
   * numbers return the ABI's ENOSYS (or follow the missing-call policy).
   * A promise (an async handler's) is EASYNC unless the table is async.
   */
  call(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): Answer {
    // The hot path: while the doorbell is quiet, this thread's cache of its slots' functions is current
    // (every slot change rings every doorbell). A bigint argument takes the slow path (see numberArgs).
    if (typeof nr === 'number' && this.hotBell[0] === this.#seenWake && typeof a0 !== 'bigint' && typeof a1 !== 'bigint' && typeof a2 !== 'bigint' && typeof a3 !== 'bigint' && typeof a4 !== 'bigint' && typeof a5 !== 'bigint') {
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
        if (typeof r === 'number') return r as Answer;
        return this.#oddResult(nr, this.#idOf(i, f), r) as Answer;
      }
      return this.miss(nr, i, f, a0, a1, a2, a3, a4, a5) as Answer;
    }
    return this.slow(nr, a0, a1, a2, a3, a4, a5) as Answer;
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
      if (g != null) return countedCall(this, i, nr, g, a0, a1, a2, a3, a4, a5);
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

  /** The handler whose function `f` answered in slot `i` (off the hot path, so the hot path reads no handler id). */
  #idOf(i: number, f: Function): number {
    return idOf(this.code, i, f);
  }

  /** Like call(), with exact 64-bit arguments and result. */
  call64(nr: number, a0: bigint | number = 0n, a1: bigint | number = 0n, a2: bigint | number = 0n, a3: bigint | number = 0n, a4: bigint | number = 0n, a5: bigint | number = 0n): bigint {
    return call64(this, this.policy, this.code, nr, a0, a1, a2, a3, a4, a5);
  }

  // ---- registration ----

  /**
   * Loads a module: its handlers by call name or number, and its wraps. All
   * or nothing: a conflict anywhere changes no slot. See ModuleSpec.
   */
  load(spec: ModuleSpec<N>): Module {
    return loadModule(this.#writer, spec);
  }

  /** The module an owner token names (from Module.token, possibly made in another thread). */
  module(token: string): Module {
    return moduleByToken(this.#writer, token);
  }

  /**
   * Gives this thread its own code for module `spec.name`, loaded (now or
   * later) by any thread: calls made here run it here instead of being
   * carried to the module's home thread.
   */
  provide(spec: ModuleSpec<N>): void {
    provideCode(this.#writer, spec);
  }

  /** Holds calls for module `name` (not loaded yet): they answer ENOSYS, and only that module may fill them. */
  reserve(name: string, calls: readonly CallKey<N>[]): void {
    reserveSlots(this.#writer, name, calls);
  }

  /** Gives back module `name`'s reservations (all, or the calls named). */
  release(name: string, calls?: readonly CallKey<N>[]): void {
    releaseSlots(this.#writer, name, calls);
  }

  // ---- slow path ----

  /** @internal */ slow(nr: unknown, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    if (this.closed) throw new SystabError('EBUSY', `call(${show(nr)}) on a view that close()d: its worker record is given back (attach() again to call)`);
    if (this.hotBell[0] !== this.#seenWake) {
      this.poll();
      if (this.hotBell[0] === this.#seenWake) return this.call(nr as number, a0, a1, a2, a3, a4, a5) as number;
    }
    const slot = checkNr(this.v.map, nr);
    if (slot < 0) return missingOor(this.policy, nr as number, [a0, a1, a2, a3, a4, a5]);
    for (;;) {
      const word = Atomics.load(this.v.i32, this.v.at.slots + slot);
      const id = word & L.ID_MASK;
      if (id === 0 || (word & L.SLOW) !== 0) return missingCall(this.policy, nr as number, slot, word, [a0, a1, a2, a3, a4, a5]);
      const f = resolve(this.code, id);
      if (f === undefined) continue; // the handler left its slot while we looked: read the slot again
      numberArgs(this.v, id, slot, a0, a1, a2, a3, a4, a5);
      const counting = (word & L.HOOK_MASK) === L.HOOK_COUNT;
      if (counting || (word & L.HOOK_MASK) === 0) {
        // Valid until the next doorbell: the word was read after this thread's last refresh.
        if (slot < this.hotCount && (word & L.POLICY_MASK) === 0) (counting ? this.hotLane : this.hotDirect)[slot] = f;
        if (counting) return countedCall(this, slot, nr as number, f, a0, a1, a2, a3, a4, a5);
        let r;
        this.depth++;
        try {
          r = f(a0, a1, a2, a3, a4, a5);
        } finally {
          this.depth--;
        }
        return typeof r === 'number' ? r : this.#oddResult(nr as number, id, r);
      }
      return hooked(this.policy, nr as number, slot, word, [a0, a1, a2, a3, a4, a5], () => f(a0, a1, a2, a3, a4, a5), (r) => (typeof r === 'number' ? r : this.#oddResult(nr as number, id, r)));
    }
  }

  /** @internal Handler `f` of slot `i` returned a non-number (the counted path's, counted.ts). */
  oddResult(nr: number, i: number, f: Function, r: unknown): number {
    return this.#oddResult(nr, this.#idOf(i, f), r);
  }

  /** Handler `id` returned a non-number (see pending.ts oddResult()). */
  #oddResult(nr: number, id: number, r: unknown): number {
    return oddResult(this.#pending, this.v.map, nr, id, r, takesPromises(this.carrier), this.carrier.mode === ANY && r === this.policy.injected);
  }

  // ---- quiescent points ----

  /**
   * A quiescent point: announces that this thread holds no handler from
   * before now, and runs calls other threads carried here. systab does this
   * itself at the next call after its doorbell rings, and when the thread is
   * idle; call it from a guest loop that runs long without system calls.
   */
  poll(): void {
    if (this.closed) return;
    const v = Atomics.load(this.v.i32, this.v.wakeAt);
    this.#seenWake = v;
    this.v.core.setSeenWake(v);
    // After reading the doorbell: a change from now on rings again. Rings for
    // calls and grace periods change no slot and need no refresh.
    const changes = Atomics.load(this.v.i32, L.H_CHANGES);
    if (changes !== this.#seenChanges) {
      this.#seenChanges = changes;
      refresh(this.code);
      this.setOorMode(oorModeNow(this.policy));
    }
    if (Atomics.load(this.v.i32, L.H_GP) !== this.#seenGp) this.quiesce();
    this.serve();
    this.policy.plug?.poll?.();
  }


  /** @internal Runs calls carried to this thread (see proxy.ts). */
  serve(): void {
    if (this.v.shared) serveCarried(this, this.code);
  }

  /**
   * Serves calls carried to this thread, blocking between them (a worker that
   * is home to modules and has nothing else to do). Returns once `quietMs`
   * pass with no call, or at once on a thread that may not block.
   */
  listen(quietMs: number): void {
    serveUntilQuiet(this, quietMs);
  }

  /**
   * Like call(), but never blocks this thread: a call carried to another
   * thread resolves when its home has run it. Use it on a browser's main thread.
   */
  callAsync(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): Promise<number> {
    return callAsync(this.carrier, () => this.call(nr, a0, a1, a2, a3, a4, a5) as number);
  }

  /**
   * Like call(), but a call carried to another thread that its home does not
   * take within `spinMicros` (default 0) is withdrawn, unrun: the result is
   * undefined. Calls run here never wait.
   */
  tryCall(nr: number, args: readonly number[] = [], spinMicros = 0): number | Promise<number> | undefined {
    return tryCall(this.carrier, (a) => this.call(nr, a[0], a[1], a[2], a[3], a[4], a[5]) as number, args, spinMicros);
  }

  /** Frees the record of a thread that ended without close() (no grace period waits for it, calls carried to it fail): `threadId` as it attached (Node: worker.threadId). */
  evict(threadId: number): boolean {
    if (typeof threadId !== 'number' || !Number.isInteger(threadId)) throw new SystabError('EBADSPEC', `evict() takes the thread id a thread attached with (got ${show(threadId)})`);
    return evictThread(this.#writer, threadId);
  }

  /** Inside a call another thread carried here: that thread's worker record and the threadId it attached with (per-caller state at a home); else undefined. Read it before an await. */
  caller(): { worker: number; threadId: number } | undefined {
    const w = this.carriedFrom;
    return w < 0 ? undefined : { worker: w, threadId: this.carriedId };
  }

  /** @internal A terminate() of thread `threadId` was asked for: calls are no longer posted to it. */
  dying(threadId: number): void {
    if (!this.closed) markDying(this.v, threadId, this.#asked);
  }

  /** @internal This thread asked for worker `w`'s terminate() and has not seen it end (see evict.ts). */
  terminating(w: number): boolean {
    return terminating(this.v, this.#asked, w);
  }

  /** @internal Announces a quiescent point if this thread is in no call; returns whether it is quiescent. */
  quiesce(): boolean {
    if (inCall(this)) return false;
    const gp = Atomics.load(this.v.i32, L.H_GP);
    sweep(this.code);
    this.#seenGp = gp;
    this.v.core.quiesce(this.v.me);
    Atomics.notify(this.v.i32, workerWord(this.v, this.v.me, L.WR_QS)); // a writer may sleep on it
    return true;
  }

  // ---- WebAssembly, hooks, policies, statistics ----

  /**
   * The core's dispatch function, `(nr: i32, a0..a5: i64) => i64`: pass it
   * as an import to a WebAssembly guest so its calls stay in WebAssembly.
   */
  get dispatch(): (nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint) => bigint {
    return this.v.core.dispatch;
  }

  /** Turns per-number switches on (true) or off (false); each flip is one atomic operation on the slot word. '*' also flips the count switch of out-of-range numbers. */
  hooks(targets: readonly CallKey<N>[] | '*', switches: { count?: boolean; enter?: boolean; exit?: boolean }): void {
    setHooks(this.policy, targets, switches);
  }

  /** This thread's enter hook, run for numbers whose enter switch is on. Returning a number skips the handler. */
  onEnter(hook: EnterHook | null): void {
    setEnter(this.policy, hook);
  }

  /** This thread's exit hook, run with the result for numbers whose exit switch is on. */
  onExit(hook: ExitHook | null): void {
    setExit(this.policy, hook);
  }

  /** What a missing call does: 'enosys' (default), 'throw', 'log-once', or a trap function (this thread's). '*' sets every number and the out-of-range ones. */
  setMissing(targets: readonly CallKey<N>[] | '*', policy: MissingPolicy): void {
    setMissing(this.policy, targets, policy);
    if (targets === '*') this.setOorMode(oorModeNow(this.policy));
  }

  /** @internal Times sampled counted calls on this thread (JS paths and the core's dispatch), or stops. */
  setTimer(tm: Timer | undefined): void {
    this.hotTimer = tm;
    this.v.core.setSampling(tm === undefined ? 0 : 1, tm === undefined ? 0 : tm.next());
  }

  /** @internal How this thread's hot paths treat out-of-range numbers now (policy.ts oorModeNow(); a trace's plug changes it too). */ setOorMode(mode: number): void {
    // Written only on a real change: the first rewrite ends the field's constancy.
    if (this.hotOorMode !== mode) this.hotOorMode = mode;
    this.v.core.setOorMode(mode);
  }

  /** Counters summed over every thread, counted while the count switch is on: calls, errors, ENOSYS answers per number; out-of-range numbers while '*' counts. */
  stats(): Stats {
    return stats(this.v);
  }

  /** Checks every invariant of the shared layout; throws SystabError('ELAYOUT') naming the first broken one. */
  verify(): void {
    verifyTable(this.#writer, this.carrier.carrying);
  }

  /** What another thread needs to attach() to this table. */
  describe(): TableDescriptor<Abi<N>> {
    // Before anything is posted: structured clone of an unshared memory fails with the browser's own DataCloneError.
    if (!this.v.shared) throw new SystabError('EATTACH', `describe() is for attach() in another thread, which ${canShare() ? 'needs a shared table; this one was made with shared: false' : NO_SAB}`);
    return { memory: this.v.memory, module: this.v.module, abi: this.abi };
  }

  /** Gives this thread's worker record back (the table stays usable from other threads). */
  close(): void {
    if (this.closed) return;
    notInCall(this);
    this.closed = true;
    this.#shut();
    // Async calls still running here (see leaveWhenSettled()): the record stays until they settle.
    if (this.#pending.count > 0) leaveWhenSettled(this.v);
    else this.#release();
  }

  /** @internal The thread is ending (Node's exit): nothing of it will run again. */
  end(): void {
    this.closed = true;
    this.#shut();
    this.#release();
  }

  /** A closed view calls nothing through the record it gives back: hot paths (the core's too) miss a doorbell value it takes again only after 2^32 - 1 rings (an integer: NaN would make the field a double for every table), slow() refuses; a trace still open here writes what it holds (a thread's exit line) at its close(). */
  #shut(): void {
    this.#seenWake = (Atomics.load(this.v.i32, this.v.wakeAt) - 1) | 0;
    this.v.core.setSeenWake(this.#seenWake);
  }

  #released = false;
  #endLease: () => void = () => {};
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    releaseRecord(this.#writer, this);
    this.#endLease();
  }

  /** @internal Frees worker record `w` if it still holds claim `gen` (see evict.ts). */
  evictWorker(w: number, gen: number): boolean {
    return evictWorker(this.#writer, w, gen);
  }
}

