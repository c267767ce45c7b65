// Making a table and attaching to one: options read once and checked before
// the memory is touched, and the Node hooks that give a thread's records
// back when it exits or is terminated.
import * as L from '../assembly/layout.js';
import { canShare, coreModule, isShared } from './core.js';
import { SystabError } from './errors.js';
import { noOtherKeys, show } from './handlers.js';
import { slotMap } from './slots.js';
import { readAbi } from './abi/read.js';
import type { Abi, CallNameOf } from './abi/types.js';
import { layoutBytes } from './attach-check.js';
import { NO_SAB, type AttachOptions, type TableDescriptor, type TableOptions, type ThreadOptions } from './options.js';
import { Table } from './table.js';

// A generated ABI's call names type the table's methods; `async: true` types call() as possibly a promise.
// Generic in the ABI object's type rather than its names, so that a union of
// ABIs (one picked at run time) gives the union of their names.
type Names<A> = CallNameOf<A>;

/** Creates a table for one ABI. */
export function createTable<A extends Abi>(options: TableOptions<A> & { async: true }): Table<Names<A>, number | Promise<number>>;
export function createTable<A extends Abi>(options: TableOptions<A> & { async?: false }): Table<Names<A>>;
export function createTable<A extends Abi>(options: TableOptions<A>): Table<Names<A>, number | Promise<number>>;
export function createTable(options: TableOptions): Table<string, number | Promise<number>> {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64'`);
  // Each option is read once: a getter cannot answer one thing to a check and another to its use.
  const { abi: given, maxHandlers, maxModules, maxWorkers, shared: wantShared, memory: given_memory, callTimeout, threadId, callRecords, lockTimeout, async } = options;
  noOtherKeys(options, ['abi', 'maxHandlers', 'maxModules', 'maxWorkers', 'shared', 'memory', 'callTimeout', 'threadId', 'callRecords', 'lockTimeout', 'async'], (k) => `createTable() has no option "${k}"`);
  const abi = readAbi(given);
  if (typeof abi === 'string') throw new SystabError('EBADSPEC', `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64' (${abi})`);
  const maxH = sizeOption(maxHandlers, 'maxHandlers', 4096, L.HANDLERS_MIN, L.ID_MASK + 1);
  const maxM = sizeOption(maxModules, 'maxModules', 256, L.MODULES_MIN, L.MODULES_MAX);
  const maxW = sizeOption(maxWorkers, 'maxWorkers', 16, 1, L.WORKERS_MAX);
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
  const t = new Table(abi, memory, module, { maxH, maxM, maxW, calls }, threadOptions(callTimeout, threadId, lockTimeout, async));
  trackThread(t);
  return t;
}

/** Attaches to a table made in another thread (from its describe()); `async` is this thread's, as createTable()'s. */
export function attach<A extends Abi>(descriptor: TableDescriptor<A>, options: AttachOptions & { async: true }): Table<Names<A>, number | Promise<number>>;
export function attach<A extends Abi>(descriptor: TableDescriptor<A>, options?: AttachOptions & { async?: false }): Table<Names<A>>;
export function attach<A extends Abi>(descriptor: TableDescriptor<A>, options?: AttachOptions): Table<Names<A>, number | Promise<number>>;
export function attach(descriptor: TableDescriptor, options: AttachOptions = {}): Table<string, number | Promise<number>> {
  const bad = 'attach() needs the { memory, module, abi } that table.describe() returns';
  if (descriptor === null || typeof descriptor !== 'object') throw new SystabError('EATTACH', bad);
  const { memory, module, abi: given } = descriptor;
  if (!(memory instanceof WebAssembly.Memory) || !(module instanceof WebAssembly.Module)) throw new SystabError('EATTACH', bad);
  const abi = readAbi(given);
  if (typeof abi === 'string') throw new SystabError('EATTACH', `${bad} (${abi})`);
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `attach() options must be an object (got ${show(options)})`);
  const { callTimeout, threadId, lockTimeout, async } = options;
  noOtherKeys(options, ['callTimeout', 'threadId', 'lockTimeout', 'async'], (k) => `attach() has no option "${k}"`);
  if (!canShare()) {
    throw new SystabError('EATTACH', `attach() ${NO_SAB}`);
  }
  if (!isShared(memory.buffer)) {
    throw new SystabError('EATTACH', 'attach() needs a shared table; this one was made with shared: false');
  }
  const t = new Table(abi, memory, module, undefined, threadOptions(callTimeout, threadId, lockTimeout, async));
  closeAtExit(t);
  trackThread(t);
  return t;
}

// A Node worker that ends without close() gives its records back on exit.
let attached: Set<WeakRef<Table>> | undefined;
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
  if (!t.v.shared || typeof p?.on !== 'function' || workerThreads() === undefined) return;
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


function threadOptions(callTimeout: unknown, threadId: unknown, lockTimeout: unknown, async: unknown): ThreadOptions {
  if (async !== undefined && typeof async !== 'boolean') throw new SystabError('EBADSPEC', `async must be true or false (got ${show(async)})`);
  return {
    async: async === true,
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
