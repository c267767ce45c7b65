// Filters on a table, for every thread that joins them: a number whose proven action is ALLOW
// keeps its hot path; every other number (argument-dependent, or a constant
// ERRNO, TRAP, KILL, ...) gets the table's plug switch for seccomp, and this
// thread's filter plug answers it as the kernel would, before its hooks and
// its handler run (a trace, outermost, sees what the filter answered).
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { oorModeNow, type TracePlug } from '../policy.js';
import type { Table } from '../table.js';
import { takesPromises } from '../proxy.js';
import { PLUG_SECCOMP, plugPublish, setPlug } from '../plugs.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF } from './actions.js';
import { createSeccompEngine, type SeccompEngine, type SeccompFilters } from './engine.js';
import { attachSeccomp } from './reader.js';
import * as L from '../../assembly/layout.js';
import type { SeccompProgram } from './program.js';

/** What the embedder does with the actions that are not answers. */
export interface FilterOptions {
  /** SECCOMP_RET_TRAP (the kernel's SIGSYS): its answer, or a throw. Default: SystabError('ESECCOMP'). */
  onTrap?: (nr: number, args: readonly number[], data: number) => number;
  /** SECCOMP_RET_KILL_THREAD and KILL_PROCESS (and actions the kernel does not know, which it treats as KILL_PROCESS). Default: SystabError('ESECCOMP'). */
  onKill?: (nr: number, args: readonly number[], process: boolean) => number;
  /**
   * SECCOMP_RET_USER_NOTIF: a supervisor's answer, or undefined to let the
   * call run (the kernel's SECCOMP_USER_NOTIF_FLAG_CONTINUE). A promise of
   * either is an async supervisor: the call's answer is then a promise
   * (tables made or attached with async: true, callAsync(); otherwise
   * EASYNC). Default: ENOSYS, as the kernel answers with no listener.
   */
  onNotify?: (nr: number, args: readonly number[]) => number | undefined | Promise<number | undefined>;
  /** SECCOMP_RET_LOG: told of the call, which then runs (a trace on this thread prints its line too, selected or not). */
  onLog?: (nr: number, args: readonly number[]) => void;
  /** The instruction pointer a filter sees (seccomp_data.instruction_pointer); default 0. */
  ip?: () => number | bigint;
}

/** What another thread passes to attachFilter(): the filters' memory and the word naming the installed set. */
export interface FilterDescriptor {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
}

const MAGIC = 0x73636d70; // 'scmp'
const C_SET = 0; // byte offset of the installed set in the memory; 0: none (closed)
const C_MAGIC = 1;
const C_READERS = 2; // how many worker records have a reading word
const C_READING = 4; // from here, per worker record: the set its thread is evaluating (0: none), so stack() frees only sets nobody reads
const SCRATCH = 128; // a thread's seccomp_data and M[]
const SHARED_PAGES = 64; // 4 MiB for the sets of a shared table's filters

export class TableFilter {
  /** @internal */ readonly engine: SeccompEngine;
  /** @internal */ filters: SeccompFilters;
  readonly #t: Table<string, number | Promise<number>>;
  readonly #control: Int32Array;
  #retired: SeccompFilters[] = [];
  #closed = false;
  /** @internal */
  constructor(t: Table<string, number | Promise<number>>, programs: readonly SeccompProgram[], o: FilterOptions) {
    this.#t = t;
    if (t.policy.filter !== undefined) throw new SystabError('EBUSY', `this thread already filters this ${t.abi.id} table: close() that filter first, or stack() onto it`);
    if (t.v.shared) {
      // Shared as the table is: every thread's scratch first (by worker record), then the engine's region.
      const memory = new WebAssembly.Memory({ initial: SHARED_PAGES, maximum: SHARED_PAGES, shared: true });
      const base = t.v.i32[L.H_MAXW]! * SCRATCH;
      this.engine = createSeccompEngine({ memory, base, bytes: memory.buffer.byteLength - base });
      this.#control = new Int32Array(new SharedArrayBuffer(4 * (C_READING + t.v.i32[L.H_MAXW]!)));
    } else {
      this.engine = createSeccompEngine();
      this.#control = new Int32Array(C_READING);
    }
    Atomics.store(this.#control, C_READERS, this.#control.length - C_READING);
    this.filters = this.engine.install(programs, { abis: [t.abi] });
    Atomics.store(this.#control, C_MAGIC, MAGIC);
    Atomics.store(this.#control, C_SET, this.filters.at);
    // The set's one section is t's ABI: no abi given, so the engine's fast path reads the cache.
    t.policy.filter = makeFilterPlug(t, o, (nr, args, ip) => this.engine.evaluate(this.filters, { nr, args, ip }));
    t.setOorMode(oorModeNow(t.policy)); // numbers beyond the table reach the filter too
    this.#switches();
  }

  /** What another thread passes to attachFilter() (a shared table's filters only). */
  describe(): FilterDescriptor {
    if (!(this.#control.buffer instanceof SharedArrayBuffer)) throw new SystabError('EATTACH', 'describe() is for attachFilter() in another thread, which needs a shared table; this one was made with shared: false');
    return { memory: this.engine.memory, control: this.#control.buffer };
  }

  /**
   * Stacks more programs on the installed ones (the kernel's filters stack:
   * the lowest action wins, a tie the newest's); every thread's next call
   * sees the new set. The old set is freed once no thread is reading it
   * (each thread names the set it evaluates in the control words).
   */
  stack(programs: readonly SeccompProgram[]): void {
    if (this.#closed) throw new SystabError('EBUSY', 'stack() on a closed filter');
    const old = this.filters;
    this.filters = this.engine.install(programs, { on: old });
    Atomics.store(this.#control, C_SET, this.filters.at);
    this.#retired.push(old);
    this.#reclaim();
    this.#switches();
  }

  /** Frees the stacked-over sets no thread reads now (one that reads it later has read the new set's offset first). */
  #reclaim(): void {
    const c = this.#control;
    const reading = new Set<number>();
    for (let i = C_READING; i < c.length; i++) reading.add(Atomics.load(c, i));
    this.#retired = this.#retired.filter((f) => {
      if (reading.has(f.at)) return true;
      this.engine.release(f);
      return false;
    });
  }

  /** The action the installed filters take for `nr` whatever its arguments, or undefined where they depend on them. */
  constantAction(nr: number): number | undefined {
    return this.engine.cachedAction(this.filters, nr);
  }

  /** Takes the filters away from every thread's calls. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const t = this.#t;
    t.policy.filter = undefined;
    t.setOorMode(oorModeNow(t.policy));
    Atomics.store(this.#control, C_SET, 0);
    for (let slot = 0; slot < t.v.map.total; slot++) setPlug(t.v, slot, PLUG_SECCOMP, false);
    plugPublish(t.v);
  }

  /** Every number whose proven action is not ALLOW takes the plug (only those run the programs, or answer their constant action). */
  #switches(): void {
    const t = this.#t;
    const map = t.v.map;
    for (let slot = 0; slot < map.total; slot++) {
      const nr = map.nrOfSlot[slot]!;
      setPlug(t.v, slot, PLUG_SECCOMP, this.engine.cachedAction(this.filters, nr) !== SECCOMP_RET_ALLOW);
    }
    plugPublish(t.v);
  }
}

/** Another thread's part in a table's filters: this thread's calls are filtered by the set the filters' owner installed (and stacks). */
export class AttachedFilter {
  readonly #t: Table<string, number | Promise<number>>;
  #closed = false;
  /** @internal */
  constructor(t: Table<string, number | Promise<number>>, desc: FilterDescriptor, o: FilterOptions) {
    const { memory, control } = (desc ?? {}) as Partial<FilterDescriptor>;
    if (!(memory instanceof WebAssembly.Memory) || typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer) || !(control instanceof SharedArrayBuffer) || control.byteLength !== 4 * (C_READING + t.v.i32[L.H_MAXW]!)) {
      throw new SystabError('EATTACH', 'attachFilter() needs the { memory, control } that TableFilter.describe() returns');
    }
    const c = new Int32Array(control);
    if (Atomics.load(c, C_MAGIC) !== MAGIC) throw new SystabError('EATTACH', 'attachFilter(): control is not a table filter\'s');
    if (t.policy.filter !== undefined) throw new SystabError('EBUSY', `this thread already filters this ${t.abi.id} table: close() that filter first`);
    const reader = attachSeccomp(memory, t.v.me * SCRATCH);
    this.#t = t;
    const me = C_READING + t.v.me;
    t.policy.filter = makeFilterPlug(t, o, (nr, args, ip) => {
      // A hazard pointer: named before it is read, and the name checked still current, so the owner never frees it under us.
      let set = Atomics.load(c, C_SET);
      for (;;) {
        Atomics.store(c, me, set);
        const now = Atomics.load(c, C_SET);
        if (now === set) break;
        set = now;
      }
      try {
        return set === 0 ? SECCOMP_RET_ALLOW : reader.evaluate(set, { nr, args, ...(ip !== undefined ? { ip } : {}) });
      } finally {
        Atomics.store(c, me, 0);
      }
    });
    t.setOorMode(oorModeNow(t.policy));
  }

  /** This thread's calls are no longer filtered (the others' are). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#t.policy.filter = undefined;
    this.#t.setOorMode(oorModeNow(this.#t.policy));
  }
}

/** USER_NOTIF: the supervisor's answer; a promise of one (an async supervisor) where the caller takes promises. */
function notify(t: Table<string, number | Promise<number>>, supervisor: NonNullable<FilterOptions['onNotify']>, nr: number, args: number[]): number | undefined {
  const r = supervisor(nr, args);
  if (r === undefined || typeof r === 'number') return r;
  if (r === null || typeof r !== 'object' || typeof (r as { then?: unknown }).then !== 'function') {
    throw new SystabError('EBADRESULT', `seccomp: onNotify for call ${nr} of ${t.abi.id} gave ${show(r)}: it answers a number, undefined (let the call run), or a promise of one`);
  }
  if (!takesPromises(t.carrier)) {
    (r as Promise<unknown>).then(undefined, () => {});
    throw new SystabError('EASYNC', `seccomp: onNotify for call ${nr} of ${t.abi.id} answered with a promise, and this table's call() answers numbers: make the table (or attach) with { async: true }, or call it with callAsync()`);
  }
  // The policy runs the rest of the call when it resolves to undefined (policy.ts hookedBelow()).
  const answer = (r as Promise<unknown>).then((a) => {
    if (a !== undefined && typeof a !== 'number') throw new SystabError('EBADRESULT', `seccomp: onNotify for call ${nr} of ${t.abi.id} resolved to ${show(a)}: a number, or undefined to let the call run`);
    return a;
  });
  return answer as unknown as number;
}

/** The answer for a call as the kernel's seccomp gives it, or undefined to let it run. */
function makeFilterPlug(t: Table<string, number | Promise<number>>, o: FilterOptions, evaluate: (nr: number, args: readonly (number | bigint)[], ip: number | bigint | undefined) => number): TracePlug {
  const negative = t.abi.convention === 'negative';
  const enosys = t.abi.enosys;
  const abi = t.abi.id;
  return {
    enter(nr, slot, args, exact) {
      const ret = evaluate(nr, exact ?? args, o.ip?.()) >>> 0;
      const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
      const data = ret & SECCOMP_RET_DATA;
      if (action === SECCOMP_RET_ALLOW >>> 0) return undefined;
      if (action === SECCOMP_RET_ERRNO >>> 0) return negative ? -data : data;
      if (action === SECCOMP_RET_LOG >>> 0) {
        if (slot >= 0) t.policy.plug?.log?.(nr, slot, args); // a number beyond the table has no trace frame: its oor line prints anyway
        o.onLog?.(nr, args);
        return undefined;
      }
      if (action === SECCOMP_RET_TRACE >>> 0) return enosys; // no tracer: the kernel answers ENOSYS
      if (action === SECCOMP_RET_USER_NOTIF >>> 0) return o.onNotify !== undefined ? notify(t, o.onNotify, nr, args) : enosys;
      if (action === SECCOMP_RET_TRAP >>> 0) {
        if (o.onTrap !== undefined) return o.onTrap(nr, args, data);
        throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${abi} trapped (SECCOMP_RET_TRAP, data ${data}); give filterTable() an onTrap to answer it`);
      }
      // KILL_THREAD; KILL_PROCESS, and what the kernel does not know, which it treats as KILL_PROCESS.
      const process = action !== SECCOMP_RET_KILL_THREAD >>> 0;
      if (o.onKill !== undefined) return o.onKill(nr, args, process);
      throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${abi} killed the ${process ? 'process' : 'thread'} (${process ? 'SECCOMP_RET_KILL_PROCESS' : 'SECCOMP_RET_KILL_THREAD'}); give filterTable() an onKill to handle it`);
    },
    exit() {},
  };
}

const KEYS = ['onTrap', 'onKill', 'onNotify', 'onLog', 'ip'];

/** Installs seccomp filters on table `t`: this thread's calls, and those of every thread that attachFilter()s. */
export function filterTable(t: Table<string, number | Promise<number>>, programs: readonly SeccompProgram[], options: FilterOptions = {}): TableFilter {
  return new TableFilter(t, programs, checkOptions(options, 'filterTable'));
}

/** Joins, on this thread, the filters another thread put on the same table (from their describe()). */
export function attachFilter(t: Table<string, number | Promise<number>>, desc: FilterDescriptor, options: FilterOptions = {}): AttachedFilter {
  return new AttachedFilter(t, desc, checkOptions(options, 'attachFilter'));
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

