// Loads an existing WASI implementation (an object of functions by WASI name,
// such as @bjorn3/browser_wasi_shim's `wasiImport` or node:wasi's) into a
// table as one systab module, so every call goes table -> adapter ->
// implementation. The adapters are known to wasiImports(): while a slot holds
// one with no switch on, the import calls the implementation itself.
import { abi } from '../abi/wasi-preview1.js';
import type { Handler, ModuleSpec, WrapFactory } from '../handlers.js';
import { isArray, show } from '../handlers.js';
import { SystabError } from '../errors.js';
import { exactArgs } from './frame.js';
import { addRunner, type WasiRunner } from './runners.js';
import { genericCall, isNative } from './generic-call.js';

/** A WASI implementation: functions named as in wasi_snapshot_preview1, called as the engine would call imports. */
export type WasiImplementation = Record<string, unknown>;

/**
 * What an implementation's function that throws answers: `'errno'` (the
 * default) answers `nosys` (52) for a thrown string (how the shim says it
 * does not support something: sockets, proc_raise) and lets anything else
 * through (Error objects: exits such as the shim's WASIProcExit, and bugs;
 * node:wasi's exit, a symbol); `'rethrow'` lets everything through; a
 * function answers the errno it returns, or lets the exception through when
 * it returns undefined. proc_exit, which returns nothing to answer with,
 * always lets what it throws through.
 */
export type WasiThrowPolicy = 'errno' | 'rethrow' | ((thrown: unknown, name: string) => number | undefined);

export interface WasiModuleOptions {
  /** WASI functions to leave out (they answer nosys unless another module has them). */
  omit?: readonly string[];
  /** The only WASI functions to take from the implementation (default: every one it has). */
  only?: readonly string[];
  /**
   * Layer over what the table has: each function goes over the slot as a wrap
   * that does not call the one below, so it answers in its place until this
   * module unloads, and the one below answers again. Without it, a function
   * another module has already is EEXIST.
   */
  over?: boolean;
  /** The WASI object `impl` came from (the shim's or node:wasi's): host.start() binds it to the guest and runs the guest with it. */
  wasi?: WasiRunner;
  /** Hot-swap a loaded module of the same name, as ModuleSpec's replace. */
  replace?: boolean;
  /** What a function that throws answers (see WasiThrowPolicy). Default 'errno'. */
  onThrow?: WasiThrowPolicy;
}

/** @internal What wasiImports() needs to call an adapter's implementation itself. */
export interface Adapted {
  /** The implementation's function, called with the guest's arguments as they are (a native one taking an i64 behind genericCall). */
  readonly raw: (...a: unknown[]) => unknown;
  /** The function returns nothing (proc_exit): the adapter answers 0 whatever it returns. */
  readonly noResult: boolean;
  /** Turns what `raw` threw into an errno, or rethrows it. */
  readonly caught: (e: unknown) => number;
}

/** @internal Every adapter made, to its implementation's function. */
export const adapters = new WeakMap<Function, Adapted>();

const NOSYS = abi.errno.nosys!;
const rethrowAll = (e: unknown): number => {
  throw e;
};

/** A module spec whose handlers call `impl` by WASI function name; functions `impl` lacks stay out. */
export function wasiModule(name: string, impl: WasiImplementation, options: WasiModuleOptions = {}): ModuleSpec {
  if (impl === null || typeof impl !== 'object') throw new SystabError('EBADSPEC', `wasiModule() takes an object of WASI functions (got ${show(impl)})`);
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `wasiModule() options must be an object (got ${show(options)})`);
  const { omit: omitList, only: onlyList, over, wasi, onThrow, replace } = options;
  const omit = nameSet(omitList, 'omit');
  const only = onlyList === undefined ? undefined : nameSet(onlyList, 'only');
  for (const [k, v] of [['over', over], ['replace', replace]] as const) if (v !== undefined && typeof v !== 'boolean') throw new SystabError('EBADSPEC', `wasiModule() option ${k} must be true or false (got ${show(v)})`);
  if (wasi !== undefined && (wasi === null || typeof wasi !== 'object' || typeof (wasi as { start?: unknown }).start !== 'function')) {
    throw new SystabError('EBADSPEC', `wasiModule() option wasi must be the WASI object impl came from, with a start(instance) method (got ${show(wasi)})`);
  }
  const caught = throwPolicy(onThrow);
  const fns: Record<string, (...a: unknown[]) => unknown> = {};
  for (const fname of Object.keys(abi.names)) {
    const f = impl[fname];
    if (typeof f === 'function' && !omit.has(fname) && (only === undefined || only.has(fname))) fns[fname] = f as (...a: unknown[]) => unknown;
  }
  if (only !== undefined) for (const n of only) if (fns[n] === undefined && !omit.has(n)) throw new SystabError('EBADSPEC', `wasiModule(): "${n}" is in only, but the implementation has no function ${n}`);
  if (Object.keys(fns).length === 0) {
    const w = (impl as { wasiImport?: unknown }).wasiImport;
    if (w !== null && typeof w === 'object') {
      throw new SystabError('EBADSPEC', `wasiModule() takes the WASI functions, not the WASI object: pass its wasiImport (and, for host.start(), the object itself as { wasi }): loadWasi(table, "${String(name)}", wasi.wasiImport, { wasi })`);
    }
  }
  const handlers: Record<string, Handler> = {};
  const wraps: Record<string, WrapFactory> = {};
  for (const [fname, f] of Object.entries(fns)) {
    const h = adapt(abi.names[fname]!, fname, f, caught);
    if (over === true) wraps[fname] = () => h; // over whatever is below, never calling it
    else handlers[fname] = h;
  }
  const spec: ModuleSpec = { name, handlers, wraps, ...(replace === true ? { replace } : {}) };
  if (wasi !== undefined) runnersPending.set(spec, wasi);
  return spec;
}

// Specs made with { wasi }: loadWasi() registers the object once the load succeeded.
const runnersPending = new WeakMap<ModuleSpec, WasiRunner>();

/** Loads `impl` into `table` as module `name` (see wasiModule). */
export function loadWasi<M>(table: { load(spec: ModuleSpec): M }, name: string, impl: WasiImplementation, options?: WasiModuleOptions): M {
  const spec = wasiModule(name, impl, options);
  let m: M;
  try {
    m = table.load(spec);
  } catch (e) {
    // A function another module has: say how to layer over it.
    if (e instanceof SystabError && e.code === 'EEXIST' && e.message.startsWith('call ')) throw new SystabError('EEXIST', `${e.message}; loadWasi(table, name, impl, { over: true }) layers over it`);
    throw e;
  }
  const wasi = runnersPending.get(spec);
  if (wasi !== undefined) addRunner(table, m as { loaded?: boolean }, wasi);
  return m;
}

function nameSet(list: unknown, what: string): Set<string> {
  if (list === undefined) return new Set();
  if (!isArray(list)) throw new SystabError('EBADSPEC', `wasiModule() option ${what} must be an array of WASI function names (got ${show(list)})`);
  const out = new Set<string>();
  for (const n of list as readonly unknown[]) {
    if (typeof n !== 'string' || !Object.hasOwn(abi.names, n)) throw new SystabError('ENONAME', `unknown call ${typeof n === 'string' ? `"${n}"` : show(n)} for wasi-preview1`);
    out.add(n);
  }
  return out;
}

function throwPolicy(p: unknown): (e: unknown, name: string) => number {
  if (p === undefined || p === 'errno') {
    return (e) => {
      if (typeof e !== 'string') throw e;
      return NOSYS;
    };
  }
  if (p === 'rethrow') {
    return (e) => {
      throw e;
    };
  }
  if (typeof p === 'function') {
    return (e, name) => {
      const r: unknown = p(e, name);
      if (r === undefined) throw e;
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > 0xffff) {
        throw new SystabError('EBADRESULT', `onThrow for ${name} returned ${show(r)}; it returns a WASI errno (an integer 0-65535) or undefined`);
      }
      return r;
    };
  }
  throw new SystabError('EBADSPEC', `wasiModule() option onThrow must be 'errno', 'rethrow' or a function (got ${show(p)})`);
}

function adapt(nr: number, fname: string, f: (...a: unknown[]) => unknown, policy: (e: unknown, name: string) => number): Handler {
  const params = abi.signatures![fname]!.params;
  const noResult = abi.signatures![fname]!.results.length === 0;
  const caught = noResult ? rethrowAll : (e: unknown): number => policy(e, fname);
  const h: Handler = (a0, a1, a2, a3, a4, a5) => {
    // The guest's exact values, unless a wrap (or a direct table.call) passed others.
    const args = exactArgs(nr, fname, params, a0, a1, a2, a3, a4, a5);
    let r;
    try {
      // Called with no `this`, as WebAssembly calls an import.
      r = f(...(args as unknown[]));
    } catch (e) {
      return caught(e);
    }
    if (noResult) return 0;
    // Converted as WebAssembly converts an i32 result.
    return typeof r === 'number' ? r : r === undefined ? 0 : Number(r) | 0;
  };
  const raw = params.includes('i64') && isNative(f) ? genericCall(f, params.length) : f;
  adapters.set(h, { raw, caught, noResult });
  return h;
}
