// Loads an existing WASI implementation (an object of functions by WASI name,
// such as @bjorn3/browser_wasi_shim's `wasiImport`) into a table as one
// systab module, so every call goes table -> adapter -> implementation.
import { abi } from '../abi/wasi-preview1.js';
import type { Handler, ModuleSpec } from '../handlers.js';
import { SystabError } from '../errors.js';
import { wasiArgs } from './frame.js';

/** A WASI implementation: functions named as in wasi_snapshot_preview1, called as the engine would call imports. */
export type WasiImplementation = Record<string, unknown>;

export interface WasiModuleOptions {
  /** WASI functions to leave out (they answer nosys unless another module has them). */
  omit?: readonly string[];
}

/** A module spec whose handlers call `impl` by WASI function name; functions `impl` lacks stay out. */
export function wasiModule(name: string, impl: WasiImplementation, options: WasiModuleOptions = {}): ModuleSpec {
  if (impl === null || typeof impl !== 'object') throw new SystabError('EBADSPEC', `wasiModule() takes an object of WASI functions (got ${impl === null ? 'null' : typeof impl})`);
  const omit = new Set(options.omit ?? []);
  for (const n of omit) if (!Object.hasOwn(abi.names, n)) throw new SystabError('ENONAME', `unknown call "${n}" for wasi-preview1`);
  const handlers: Record<string, Handler> = {};
  for (const [fname, nr] of Object.entries(abi.names)) {
    const f = impl[fname];
    if (typeof f !== 'function' || omit.has(fname)) continue;
    handlers[fname] = adapt(nr, abi.signatures![fname]!.params, abi.signatures![fname]!.results.length === 0, f as (...a: unknown[]) => unknown);
  }
  return { name, handlers };
}

/** Loads `impl` into `table` as module `name` (see wasiModule). */
export function loadWasi<M>(table: { load(spec: ModuleSpec): M }, name: string, impl: WasiImplementation, options?: WasiModuleOptions): M {
  return table.load(wasiModule(name, impl, options));
}

function adapt(nr: number, params: readonly string[], noResult: boolean, f: (...a: unknown[]) => unknown): Handler {
  return (a0, a1, a2, a3, a4, a5) => {
    const given = [a0, a1, a2, a3, a4, a5];
    const raw = wasiArgs(nr);
    const args = params.map((type, i) => {
      const g = given[i];
      const r = raw?.[i];
      // The guest's exact value, unless a wrap (or a direct table.call) passed another number.
      if (r !== undefined && (i >= 6 || Number(r) === g)) return r;
      if (g === undefined) return type === 'i64' ? 0n : 0;
      return type === 'i64' ? BigInt(g) : g;
    });
    // Called with no `this`, as WebAssembly calls an import; the result converted as for an i32 result.
    const r = f(...args);
    if (noResult) return 0;
    return typeof r === 'number' ? r : r === undefined ? 0 : Number(r) | 0;
  };
}
