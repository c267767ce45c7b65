// The wasi_snapshot_preview1 import object over a systab table: one function
// per WASI function, each a call through the table by number, so a guest's
// WASI calls can be counted, hooked, reserved, replaced and unloaded like any
// system call, and whatever no module implements answers nosys (52).
import { abi } from '../abi/wasi-preview1.js';
import type { Abi } from '../abi/types.js';
import { SystabError } from '../errors.js';
import { popFrame, pushFrame } from './frame.js';
import { WasiExit } from './exit.js';

/** What the WASI host needs of a table (a systab Table made with the wasi-preview1 ABI). */
export interface WasiTable {
  readonly abi: Abi;
  call(nr: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): number;
}

export type WasiImportFunction = (...args: (number | bigint)[]) => number | undefined;

export interface WasiImportsOptions {
  /** The guest's memory when it does not export `memory` (default: the bound instance's export). */
  memory?: () => WebAssembly.Memory;
  /** Maps an exception from the guest run to an exit code, or undefined to rethrow it (default: WasiExit's code). */
  exitCode?: (e: unknown) => number | undefined;
}

export interface WasiHost {
  /** The import object to instantiate the guest with. */
  readonly imports: { wasi_snapshot_preview1: Record<string, WasiImportFunction> };
  /** Makes `instance` the guest whose memory memory() returns; call it before the guest runs. */
  bind(instance: WebAssembly.Instance): void;
  /** The bound guest's memory, for handlers that read or write it. */
  memory(): WebAssembly.Memory;
  /** Binds `instance`, runs its `_start`, and returns the exit code (0 when `_start` returns). */
  start(instance: WebAssembly.Instance): number;
}

/** Builds the wasi_snapshot_preview1 imports for `table`, which must use the wasi-preview1 ABI. */
export function wasiImports(table: WasiTable, options: WasiImportsOptions = {}): WasiHost {
  if (table === null || typeof table !== 'object' || typeof table.call !== 'function' || table.abi?.id !== abi.id) {
    throw new SystabError('EBADSPEC', `wasiImports() needs a table made with the wasi-preview1 ABI (got ${describe(table)})`);
  }
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', 'wasiImports() options must be an object');
  let bound: WebAssembly.Instance | undefined;
  const fns: Record<string, WasiImportFunction> = {};
  for (const [name, nr] of Object.entries(abi.names)) {
    const noResult = abi.signatures![name]!.results.length === 0;
    fns[name] = (...raw) => {
      pushFrame({ nr, args: raw });
      try {
        // i64 arguments go to the table as numbers (exact up to 2^53); handlers read exact values with wasiArgs().
        const r = table.call(nr, num(raw[0]), num(raw[1]), num(raw[2]), num(raw[3]), num(raw[4]), num(raw[5]));
        return noResult ? undefined : r;
      } finally {
        popFrame();
      }
    };
  }
  const exitCode = options.exitCode ?? ((e: unknown) => (e instanceof WasiExit ? e.code : undefined));
  const host: WasiHost = {
    imports: { wasi_snapshot_preview1: fns },
    bind(instance) {
      if (!(instance instanceof WebAssembly.Instance)) throw new SystabError('EBADSPEC', `bind() takes a WebAssembly.Instance (got ${describe(instance)})`);
      bound = instance;
    },
    memory() {
      if (options.memory !== undefined) return options.memory();
      const m = bound?.exports.memory;
      if (m instanceof WebAssembly.Memory) return m;
      throw new SystabError('EBADSPEC', bound === undefined ? 'the WASI host is not bound to an instance: call bind(instance) first' : 'the bound instance exports no memory; pass options.memory');
    },
    start(instance) {
      host.bind(instance);
      const start = instance.exports._start;
      if (typeof start !== 'function') throw new SystabError('EBADSPEC', 'the instance exports no _start function (is it a WASI command?)');
      try {
        start();
        return 0;
      } catch (e) {
        const code = exitCode(e);
        if (code === undefined) throw e;
        return code;
      }
    },
  };
  return host;
}

function num(v: number | bigint | undefined): number {
  return typeof v === 'bigint' ? Number(v) : v ?? 0;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const id = (v as { abi?: { id?: unknown } }).abi?.id;
  return typeof id === 'string' ? `a table for ${id}` : 'an object';
}
