// The wasi_snapshot_preview1 import object over a systab table: one function
// per WASI function, each a call through the table by number, so a guest's
// WASI calls can be counted, hooked, reserved, replaced and unloaded like any
// system call, and whatever no module implements answers nosys (52).
//
// The direct way. A call through the table costs a few ns; what cost a WASI
// call 70-500 ns more was the layer around it (a frame per call, i64
// arguments to numbers and back to bigints, arrays, the adapter). So while a
// slot holds an adapter (loadWasi) with no switch on and the doorbell is
// quiet, the import calls the implementation's own function with the guest's
// arguments as they came. Each import keeps the doorbell value its choice is
// good for: read before a call through the table (which polls, and re-reads
// its slots, when its doorbell has rung), with the slot's cache entry read
// after it; any ring since (every slot change rings) sends the next call
// through the table again, as the table's own hot path does. An empty slot
// with no switch is answered nosys the same way. A slot whose count switch
// alone is on (the table's lane of counted handlers) is counted here as the
// table counts it, and called the same way. Anything else (hooks, wraps,
// stubs, handlers of other threads, counted empty slots) goes through the table.
import { abi } from '../abi/wasi-preview1.js';
import type { Abi } from '../abi/types.js';
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { Table } from '../table.js';
import type { HotPath } from '../thread.js';
import { answerNosys, DirectState, rethrow } from './direct-state.js';
import { adapters } from './adapter.js';
import { exitCodeOf } from './exit.js';
import { num, popFrame, pushFrame } from './frame.js';
import { runnersOf } from './runners.js';
import { directWay } from './direct.js';

/** What the WASI host needs of a table (a systab Table made with the wasi-preview1 ABI). */
export interface WasiTable {
  readonly abi: Abi;
  call(nr: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): number;
}

export type WasiImportFunction = (...args: (number | bigint)[]) => number | undefined;

export interface WasiImportsOptions {
  /** The guest's memory when it does not export `memory` (default: the bound instance's export). */
  memory?: () => WebAssembly.Memory;
  /** Maps an exception from the guest run to an exit code, or undefined to rethrow it (default: WasiExit's code, or the shim's WASIProcExit's). */
  exitCode?: (e: unknown) => number | undefined;
}

export interface WasiHost {
  /** The import object to instantiate the guest with. */
  readonly imports: { wasi_snapshot_preview1: Record<string, WasiImportFunction> };
  /** Makes `instance` the guest whose memory memory() returns; call it before the guest runs. */
  bind(instance: WebAssembly.Instance): void;
  /** The bound guest's memory, for handlers that read or write it. */
  memory(): WebAssembly.Memory;
  /**
   * Binds `instance` (here and in every WASI object given to loadWasi() as
   * `{ wasi }`), runs its `_start`, and returns the exit code: 0 when `_start`
   * returns, the code of a proc_exit (WasiExit, the shim's WASIProcExit,
   * node:wasi's own).
   */
  start(instance: WebAssembly.Instance): number;
}

/** Builds the wasi_snapshot_preview1 imports for `table`, which must use the wasi-preview1 ABI. */
export function wasiImports(table: WasiTable, options: WasiImportsOptions = {}): WasiHost {
  if (table === null || typeof table !== 'object' || typeof table.call !== 'function' || table.abi?.id !== abi.id) {
    throw new SystabError('EBADSPEC', `wasiImports() needs a table made with the wasi-preview1 ABI (got ${describe(table)})`);
  }
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', 'wasiImports() options must be an object');
  const { memory: memoryOption, exitCode: exitOption } = options;
  if (memoryOption !== undefined && typeof memoryOption !== 'function') throw new SystabError('EBADSPEC', `wasiImports() option memory must be a function returning the guest's memory (got ${show(memoryOption)})`);
  if (exitOption !== undefined && typeof exitOption !== 'function') throw new SystabError('EBADSPEC', `wasiImports() option exitCode must be a function (got ${show(exitOption)})`);
  let bound: WebAssembly.Instance | undefined;
  // A systab Table on this thread: the direct way is open (see above). Anything else is called through call().
  const tableOf: HotPath | undefined = table instanceof Table ? table : undefined;
  const bellOf = tableOf?.hotBell ?? new Int32Array(1);
  const directOf = tableOf?.hotDirect ?? [];
  const laneOf = tableOf?.hotLane ?? [];
  const base = tableOf?.hotBase ?? 0;

  const make = (name: string, nr: number, noResult: boolean): WasiImportFunction => {
    const i = nr - base;
    const direct = directOf;
    const lane = laneOf;
    const s = new DirectState(bellOf, tableOf, i);
    s.via = (args) => {
      const v = s.bell[0]!;
      // i64 arguments go to the table as numbers (exact up to 2^53); handlers read exact values with wasiArgs().
      const n0 = num(args[0]), n1 = num(args[1]), n2 = num(args[2]), n3 = num(args[3]), n4 = num(args[4]), n5 = num(args[5]);
      pushFrame(nr, args as (number | bigint)[], n0, n1, n2, n3, n4, n5);
      let r;
      try {
        r = table.call(nr, n0, n1, n2, n3, n4, n5);
      } finally {
        popFrame();
      }
      if (s.hot !== undefined) {
        // The cache as the table left it is good while the doorbell reads v (see above).
        const f = direct[i];
        const a = f != null ? adapters.get(f) : undefined;
        // The count switch alone on: the table's lane of counted handlers (proc_exit, called once, goes through the table).
        const g = f === undefined ? lane[i] : undefined;
        const b = g != null ? adapters.get(g) : undefined;
        s.ready = NaN;
        s.counted = NaN;
        if (a !== undefined) {
          s.raw = a.raw;
          s.caught = a.caught;
          s.ready = v;
        } else if (f === null) {
          // Empty, no switch: nosys, as the table's hot path answers it.
          s.raw = answerNosys;
          s.caught = rethrow;
          s.ready = v;
        } else if (b !== undefined && !b.noResult) {
          s.raw = b.raw;
          s.caught = b.caught;
          s.counted = v;
        }
      }
      return noResult ? undefined : r;
    };
    return directWay[name]!(s) as WasiImportFunction;
  };

  const fns: Record<string, WasiImportFunction> = {};
  for (const [name, nr] of Object.entries(abi.names)) {
    const sig = abi.signatures![name]!;
    fns[name] = make(name, nr, sig.results.length === 0);
  }
  const exitCode = exitOption ?? exitCodeOf;
  const host: WasiHost = {
    imports: { wasi_snapshot_preview1: fns },
    bind(instance) {
      if (!(instance instanceof WebAssembly.Instance)) throw new SystabError('EBADSPEC', `bind() takes a WebAssembly.Instance (got ${describe(instance)})`);
      bound = instance;
    },
    memory() {
      if (memoryOption !== undefined) return memoryOption();
      const m = bound?.exports.memory;
      if (m instanceof WebAssembly.Memory) return m;
      throw new SystabError('EBADSPEC', bound === undefined ? 'the WASI host is not bound to an instance: call bind(instance) first' : 'the bound instance exports no memory; pass options.memory');
    },
    start(instance) {
      host.bind(instance);
      const start = instance.exports._start;
      if (typeof start !== 'function') throw new SystabError('EBADSPEC', 'the instance exports no _start function (is it a WASI command?)');
      // The WASI objects of loaded modules: each but the last is bound without running the guest, the last runs it.
      const runners = runnersOf(table);
      const runner = runners.pop();
      for (const r of runners) {
        if (typeof r.wasi.initialize !== 'function') throw new SystabError('EBADSPEC', `host.start(): the WASI object of module "${r.name}" has no initialize(instance) to bind it with`);
        try {
          r.wasi.initialize(instance);
        } catch (e) {
          throw new SystabError('EBADSPEC', `host.start(): the WASI object of module "${r.name}" cannot be bound without running the guest (${e instanceof Error ? e.message : String(e)}); load the module whose object must run it last`);
        }
      }
      try {
        if (runner === undefined) {
          start();
          return 0;
        }
        const code: unknown = runner.wasi.start(instance);
        return typeof code === 'number' ? code : 0;
      } catch (e) {
        const code = exitCode(e);
        if (code === undefined) throw e;
        return code;
      }
    },
  };
  return host;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const id = (v as { abi?: { id?: unknown } }).abi?.id;
  return typeof id === 'string' ? `a table for ${id}` : 'an object';
}
