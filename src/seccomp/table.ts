// Filters on a table, for every thread that joins them: a number whose proven action is ALLOW
// keeps its hot path; every other number (argument-dependent, or a constant
// ERRNO, TRAP, KILL, ...) gets the table's plug switch for seccomp, and this
// thread's filter plug answers it as the kernel would, before its hooks and
// its handler run (a trace, outermost, sees what the filter answered).
// Each thread that holds them may also stack filters of its own (the
// kernel's per-thread filters, chain.ts), which the workers it starts
// inherit through its describe().
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { oorModeNow } from '../policy.js';
import type { Table } from '../table.js';
import { PLUG_SECCOMP, PLUG_THREAD, plugPublish, plugReasons, setPlug } from '../plugs.js';
import { describeSlot } from '../slots.js';
import { SECCOMP_RET_ALLOW } from './actions.js';
import { createSeccompEngine, type SeccompEngine, type SeccompFilters } from './engine.js';
import { attachSeccomp, type SeccompReader } from './reader.js';
import * as L from '../../assembly/layout.js';
import { workerWord } from '../records.js';
import type { SeccompProgram } from './program.js';
import { makeFilterPlug, type FilterOptions } from './plug.js';
import { C_GEN, C_MAGIC, C_READERS, C_SET, controlLayout, MAGIC, Registry } from './registry.js';
import { SeccompSyncError, ThreadChain, type ChainDescriptor, type TableWide } from './chain.js';

export type { FilterOptions } from './plug.js';

/** What another thread passes to attachFilter(): the filters' memory, their control words, and the describing thread's own chain (a worker it starts inherits it). */
export interface FilterDescriptor {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  chain?: ChainDescriptor;
}

/** stack()'s options: `thread` stacks on this thread's own chain only; `tsync` (the filters' owner) makes this thread's whole chain every thread's, as the kernel's SECCOMP_FILTER_FLAG_TSYNC. */
export interface StackOptions {
  thread?: boolean;
  tsync?: boolean;
}

type AnyTable = Table<string, number | Promise<number>>;
const SCRATCH = 128; // a thread's seccomp_data and M[]
const SHARED_PAGES = 64; // 4 MiB for the sets of a shared table's filters
/** This thread's filter object per table (filterThread() finds it). */
const mine = new WeakMap<object, TableFilter | AttachedFilter>();

export class TableFilter {
  /** @internal */ readonly engine: SeccompEngine;
  /** @internal */ filters: SeccompFilters | undefined;
  readonly #t: AnyTable;
  readonly #control: Int32Array;
  readonly #reg: Registry;
  readonly #chain: ThreadChain;
  #retired: SeccompFilters[] = [];
  #closed = false;
  /** The slots this filter switched for seccomp: close() clears only those. */
  #switched: Uint8Array;
  /** @internal */
  constructor(t: AnyTable, programs: readonly SeccompProgram[], o: FilterOptions, none = false) {
    if (t.closed) throw new SystabError('EBUSY', 'filterTable() on a view that close()d: its worker record is given back (attach() again)');
    this.#switched = new Uint8Array(t.v.map.total);
    this.#t = t;
    if (t.policy.filter !== undefined) throw new SystabError('EBUSY', `this thread already filters this ${t.abi.id} table: close() that filter first, or stack() onto it`);
    const words = controlLayout(t.v.i32[L.H_MAXW]!, t.v.map.total).words;
    if (t.v.shared) {
      // Shared as the table is: every thread's scratch first (by worker record), then the engine's region.
      const memory = new WebAssembly.Memory({ initial: SHARED_PAGES, maximum: SHARED_PAGES, shared: true });
      const base = t.v.i32[L.H_MAXW]! * SCRATCH;
      this.engine = createSeccompEngine({ memory, base, bytes: memory.buffer.byteLength - base });
      this.#control = new Int32Array(new SharedArrayBuffer(4 * words));
    } else {
      this.engine = createSeccompEngine();
      this.#control = new Int32Array(words);
    }
    Atomics.store(this.#control, C_READERS, t.v.i32[L.H_MAXW]!);
    this.filters = none ? undefined : this.engine.install(programs, { abis: [t.abi] });
    Atomics.store(this.#control, C_MAGIC, MAGIC);
    Atomics.store(this.#control, C_SET, this.filters?.at ?? 0);
    this.#reg = new Registry(t.v, this.#control);
    const wide: TableWide = {
      gen: () => Atomics.load(this.#control, C_GEN),
      programs: () => this.filters?.programs ?? [],
      // The set's one section is t's ABI: no abi given, so the engine's fast path reads the cache.
      evaluate: (nr, args, ip) => (this.filters === undefined ? SECCOMP_RET_ALLOW : this.engine.evaluate(this.filters, { nr, args, ip })),
    };
    this.#chain = new ThreadChain(this.#reg, t.abi, wide);
    const chain = this.#chain;
    t.policy.filter = makeFilterPlug(t, o, plugEvaluate(t, chain, wide));
    // Counted in the table's header: a thread that has not joined is refused numbers beyond the table too (before the switches ring).
    this.#counted = !none;
    if (this.#counted) t.v.core.filteredAdd(1);
    t.setOorMode(oorModeNow(t.policy)); // numbers beyond the table reach the filter too
    this.#switches();
    mine.set(t, this);
  }

  #counted = false;

  /** What another thread passes to attachFilter() (a shared table's filters only); with this thread's own chain, which that thread inherits. */
  describe(): FilterDescriptor {
    if (!(this.#control.buffer instanceof SharedArrayBuffer)) throw new SystabError('EATTACH', 'describe() is for attachFilter() in another thread, which needs a shared table; this one was made with shared: false');
    this.reap();
    const chain = this.#closed ? undefined : this.#chain.describe();
    return { memory: this.engine.memory, control: this.#control.buffer, ...(chain !== undefined ? { chain } : {}) };
  }

  /**
   * Stacks more programs on the installed ones (the kernel's filters stack:
   * the lowest action wins, a tie the newest's). Table-wide by default:
   * every joined thread's next call sees the new set, below each thread's
   * own chain. `{ thread: true }`: this thread's own chain only. `{ tsync:
   * true }`: the kernel's TSYNC: this thread's whole chain (table-wide, its
   * own, these programs) becomes every thread's, refused (SeccompSyncError,
   * nothing installed) if another thread holds own filters this chain does
   * not. The old set is freed once no thread is reading it.
   */
  stack(programs: readonly SeccompProgram[], options: StackOptions = {}): void {
    if (this.#closed) throw new SystabError('EBUSY', 'stack() on a closed filter');
    const { thread, tsync } = stackOptions(options);
    if (tsync) return this.#reg.locked(() => this.#tsync(programs));
    if (thread) {
      return this.#reg.locked(() => {
        this.#reg.reap();
        this.#chain.stack(programs);
      });
    }
    this.#publish(programs, []);
    this.reap();
  }

  #tsync(programs: readonly SeccompProgram[]): void {
    const reg = this.#reg;
    reg.reap();
    const top = this.#chain.active() ? this.#chain.top : 0;
    const n = this.#t.v.i32[L.H_MAXW]!;
    for (let w = 0; w < n; w++) {
      if (w === reg.me || reg.genOf(w) === 0 || reg.isAncestor(Atomics.load(reg.c, reg.topWord(w)), top)) continue;
      throw new SeccompSyncError(this.#t.v.i32[workerWord(this.#t.v, w, L.WR_ID)]!, w);
    }
    // Every chain is below this thread's: its own programs join the table-wide set (switched first), then every own chain is let go.
    this.#publish(programs, this.#chain.programs);
    for (let w = 0; w < n; w++) if (reg.genOf(w) !== 0) reg.clear(w);
    this.#chain.reset();
  }

  /** A new table-wide set: `programs` over `own` over the installed set; published, switched, the old retired. */
  #publish(programs: readonly SeccompProgram[], own: readonly Uint8Array[]): void {
    const old = this.filters;
    const under = [...(old?.programs ?? []), ...own];
    this.filters = this.engine.install(programs, { under, abis: [this.#t.abi] });
    Atomics.store(this.#control, C_SET, this.filters.at);
    Atomics.add(this.#control, C_GEN, 1);
    if (old !== undefined) this.#retired.push(old);
    this.#reclaim();
    this.#switches();
  }

  /** Frees the stacked-over sets no thread reads now (one that reads it later has read the new set's offset first). */
  #reclaim(): void {
    const c = this.#control;
    const reading = new Set<number>();
    const v = this.#t.v;
    // A free record's word names nothing: its thread is gone (one terminated mid-evaluation never cleared it).
    for (let w = 0; w < v.i32[L.H_MAXW]!; w++) if (Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) !== L.WS_FREE) reading.add(Atomics.load(c, this.#reg.readingWord(w)));
    this.#retired = this.#retired.filter((f) => {
      if (reading.has(f.at)) return true;
      this.engine.release(f);
      return false;
    });
  }

  /** The action this thread's filters (the table-wide set and its own chain) take for `nr` whatever its arguments, or undefined where they depend on them. */
  constantAction(nr: number): number | undefined {
    const wide = this.filters === undefined ? SECCOMP_RET_ALLOW : this.engine.cachedAction(this.filters, nr);
    return this.#chain.active() ? this.#chain.constantAction(nr, wide) : wide;
  }

  /** Releases the own chains of threads that are gone (their worker records freed: evict(), close()); returns how many. Every stack() and describe() does it too. */
  reap(): number {
    return this.#reg.locked(() => this.#reg.reap());
  }

  /** Takes the table-wide filters away from every thread's calls, and this thread's own chain (other threads keep theirs). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const t = this.#t;
    this.#reg.locked(() => this.#chain.close());
    t.policy.filter = undefined;
    t.setOorMode(oorModeNow(t.policy));
    Atomics.store(this.#control, C_SET, 0);
    Atomics.add(this.#control, C_GEN, 1);
    for (let slot = 0; slot < t.v.map.total; slot++) if (this.#switched[slot] === 1) setPlug(t.v, slot, PLUG_SECCOMP, false);
    this.#switched.fill(0);
    if (this.#counted) t.v.core.filteredAdd(-1);
    plugPublish(t.v);
    if (mine.get(t) === this) mine.delete(t);
  }

  /** Every number whose proven action is not ALLOW takes the plug (only those run the programs, or answer their constant action). */
  #switches(): void {
    const t = this.#t;
    const map = t.v.map;
    for (let slot = 0; slot < map.total; slot++) {
      const on = this.filters !== undefined && this.engine.cachedAction(this.filters, map.nrOfSlot[slot]!) !== SECCOMP_RET_ALLOW;
      if (on || this.#switched[slot] === 1) setPlug(t.v, slot, PLUG_SECCOMP, on);
      this.#switched[slot] = on ? 1 : 0;
    }
    plugPublish(t.v);
  }
}

/** Another thread's part in a table's filters: this thread's calls are filtered by the set the filters' owner installed (and stacks), and by its own chain. */
export class AttachedFilter {
  readonly #t: AnyTable;
  readonly #desc: FilterDescriptor;
  readonly #reg: Registry;
  readonly #chain: ThreadChain;
  readonly #reader: SeccompReader;
  readonly #held: <R>(f: (set: number) => R) => R;
  #closed = false;
  /** @internal */
  constructor(t: AnyTable, desc: FilterDescriptor, o: FilterOptions) {
    if (t.closed) throw new SystabError('EBUSY', 'attachFilter() on a view that close()d: its worker record is given back (attach() again)');
    const { memory, control, chain: inherited } = (desc ?? {}) as Partial<FilterDescriptor>;
    const words = controlLayout(t.v.i32[L.H_MAXW]!, t.v.map.total).words;
    if (!(memory instanceof WebAssembly.Memory) || typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer) || !(control instanceof SharedArrayBuffer) || control.byteLength !== 4 * words) {
      throw new SystabError('EATTACH', 'attachFilter() needs the { memory, control } that TableFilter.describe() returns');
    }
    const c = new Int32Array(control);
    if (Atomics.load(c, C_MAGIC) !== MAGIC) throw new SystabError('EATTACH', 'attachFilter(): control is not a table filter\'s');
    if (t.policy.filter !== undefined) throw new SystabError('EBUSY', `this thread already filters this ${t.abi.id} table: close() that filter first`);
    const reader = attachSeccomp(memory, t.v.me * SCRATCH);
    this.#t = t;
    this.#desc = { memory, control };
    const reg = (this.#reg = new Registry(t.v, c));
    const me = reg.readingWord();
    // A hazard pointer: named before it is read, and the name checked still current, so the owner never frees it under us.
    const held = (this.#held = <R>(f: (set: number) => R): R => {
      let set = Atomics.load(c, C_SET);
      for (;;) {
        Atomics.store(c, me, set);
        const now = Atomics.load(c, C_SET);
        if (now === set) break;
        set = now;
      }
      try {
        return f(set);
      } finally {
        Atomics.store(c, me, 0);
      }
    });
    this.#reader = reader;
    const wide: TableWide = {
      gen: () => Atomics.load(c, C_GEN),
      programs: () => held((set) => (set === 0 ? [] : reader.programsOf(set))),
      evaluate: (nr, args, ip) => held((set) => (set === 0 ? SECCOMP_RET_ALLOW : reader.evaluate(set, { nr, args, ...(ip !== undefined ? { ip } : {}) }))),
      closed: () => Atomics.load(c, C_SET) === 0,
    };
    const chain = (this.#chain = new ThreadChain(reg, t.abi, wide));
    if (inherited !== undefined) reg.locked(() => chain.inherit(inherited));
    t.policy.filter = makeFilterPlug(t, o, plugEvaluate(t, chain, wide));
    t.setOorMode(oorModeNow(t.policy));
    mine.set(t, this);
  }

  /** What a worker this thread starts passes to attachFilter(): it joins the table's filters and inherits this thread's own chain. */
  describe(): FilterDescriptor {
    const chain = this.#closed ? undefined : this.#chain.describe();
    return { ...this.#desc, ...(chain !== undefined ? { chain } : {}) };
  }

  /** Stacks programs on this thread's own chain (`{ thread: true }`: the table-wide set is its owner's to stack). */
  stack(programs: readonly SeccompProgram[], options: StackOptions = {}): void {
    if (this.#closed) throw new SystabError('EBUSY', 'stack() on a closed filter');
    const { thread, tsync } = stackOptions(options);
    if (tsync) throw new SystabError('EBADSPEC', 'stack({ tsync: true }) is for the thread that made the filters (filterTable()): TSYNC writes the table-wide set, which only that thread installs; ask it to stack with tsync');
    if (!thread) throw new SystabError('EBADSPEC', 'stack() on a joined thread stacks on its own chain: pass { thread: true } (the table-wide set is stacked by the thread that made the filters)');
    this.#reg.locked(() => {
      this.#reg.reap();
      this.#chain.stack(programs);
    });
  }

  /** The action this thread's filters (the table-wide set and its own chain) take for `nr` whatever its arguments, or undefined. */
  constantAction(nr: number): number | undefined {
    const wide = this.#held((set) => (set === 0 ? SECCOMP_RET_ALLOW : this.#reader.cachedAction(set, nr)));
    return this.#chain.active() ? this.#chain.constantAction(nr, wide) : wide;
  }

  /** Releases the own chains of threads that are gone; returns how many. */
  reap(): number {
    return this.#reg.locked(() => this.#reg.reap());
  }

  /** This thread's calls are no longer filtered (the others' are); its own chain is let go. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reg.locked(() => this.#chain.close());
    this.#t.policy.filter = undefined;
    this.#t.setOorMode(oorModeNow(this.#t.policy));
    if (mine.get(this.#t) === this) mine.delete(this.#t);
  }
}

/** This thread's action for a call: its whole chain's; with none of its own, the table-wide set's, known ALLOW where the set did not switch the slot (it is plugged for another thread's chain). */
function plugEvaluate(t: AnyTable, chain: ThreadChain, wide: TableWide) {
  const u8 = t.v.u8;
  const reasons = t.v.at.reasons;
  return (nr: number, slot: number, args: readonly (number | bigint)[], ip: number | bigint | undefined): number => {
    const filtered = slot >= 0 && (Atomics.load(u8, reasons + slot) & PLUG_SECCOMP) !== 0;
    // The filters this thread joined are closed, and another's switch the slot: this thread has not joined those (fail closed).
    if (filtered && wide.closed?.() === true) {
      throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${t.abi.id} is filtered on this table by filters this thread has not joined (the ones it joined were closed): attachFilter(table, filter.describe()) the new ones`);
    }
    if (chain.active()) return chain.evaluate(nr, args, ip);
    if (slot >= 0 && !filtered) return SECCOMP_RET_ALLOW;
    return wide.evaluate(nr, args, ip);
  };
}

function stackOptions(options: StackOptions): { thread: boolean; tsync: boolean } {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `stack() options must be an object like { thread: true } (got ${show(options)})`);
  for (const k of Object.keys(options)) if (k !== 'thread' && k !== 'tsync') throw new SystabError('EBADSPEC', `stack() has no option "${k}" (it takes thread, tsync)`);
  for (const k of ['thread', 'tsync'] as const) if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new SystabError('EBADSPEC', `stack() option ${k} must be true or false (got ${show(options[k])})`);
  return { thread: options.thread === true, tsync: options.tsync === true };
}

const KEYS = ['onTrap', 'onKill', 'onNotify', 'onLog', 'ip'];

/** Installs seccomp filters on table `t`: this thread's calls, and those of every thread that attachFilter()s. */
export function filterTable(t: AnyTable, programs: readonly SeccompProgram[], options: FilterOptions = {}): TableFilter {
  return new TableFilter(t, programs, checkOptions(options, 'filterTable'));
}

/** Joins, on this thread, the filters another thread put on the same table (from their describe(); with its chain, this thread's own chain starts as that thread's). */
export function attachFilter(t: AnyTable, desc: FilterDescriptor, options: FilterOptions = {}): AttachedFilter {
  return new AttachedFilter(t, desc, checkOptions(options, 'attachFilter'));
}

/**
 * Stacks `programs` on this thread's own chain of table `t`'s filters (the
 * kernel's seccomp(SECCOMP_SET_MODE_FILTER) without TSYNC): this thread's
 * filterTable() or attachFilter() of `t`, whose object it returns.
 */
export function filterThread(t: AnyTable, programs: readonly SeccompProgram[], options: FilterOptions & { tsync?: boolean } = {}): TableFilter | AttachedFilter {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `filterThread() options must be an object (got ${show(options)})`);
  const { tsync, ...rest } = options;
  const o = checkOptions(rest, 'filterThread');
  let f = mine.get(t);
  if (f !== undefined && Object.keys(o).length > 0) throw new SystabError('EBADSPEC', `filterThread(): this thread's filters of this ${t.abi.id} table were made already, with their callbacks (${Object.keys(o).join(', ')} go to filterTable() or attachFilter())`);
  if (f !== undefined) {
    f.stack(programs, { thread: true, ...(tsync !== undefined ? { tsync } : {}) });
    return f;
  }
  // None here: this thread makes the table's filters, none table-wide, and its own chain (the others join with attachFilter(t, f.describe())).
  // Not beside another thread's: two sets of filters on one table would count each other's switches wrong.
  for (let slot = 0; slot < t.v.map.total; slot++) {
    if ((plugReasons(t.v, slot) & (PLUG_SECCOMP | PLUG_THREAD)) !== 0) throw new SystabError('EBUSY', `filterThread(): another thread's filters are on this ${t.abi.id} table (call ${describeSlot(t.v.map, slot)} is switched for them): join them with attachFilter(t, f.describe()), then filterThread()`);
  }
  f = new TableFilter(t, [], o, true);
  try {
    f.stack(programs, { thread: true, ...(tsync !== undefined ? { tsync } : {}) });
  } catch (e) {
    f.close();
    throw e;
  }
  return f;
}

function checkOptions(options: FilterOptions, what: string): FilterOptions {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `${what}() options must be an object (got ${show(options)})`);
  const o: FilterOptions = {};
  for (const k of Object.keys(options)) if (!KEYS.includes(k)) throw new SystabError('EBADSPEC', `${what}() has no option "${k}" (it takes ${KEYS.join(', ')})`);
  for (const k of KEYS as (keyof FilterOptions)[]) {
    const v = options[k];
    if (v !== undefined && typeof v !== 'function') throw new SystabError('EBADSPEC', `${what}() option ${k} must be a function (got ${show(v)})`);
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  return o;
}

