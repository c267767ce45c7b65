// What a module may hand to load(), and its validation into slot entries.
import type { Abi } from './abi/types.js';
import { HK_BIGINT, HK_JS, HK_WASM, HK_WRAP, NAME_MAX_BYTES } from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { describeSlot, slotOf, type SlotMap } from './slots.js';
import { nearest, unknownCall } from './suggest.js';

/** A call handler: up to six numeric arguments in, a number (or a promise of one) out. */
export type Handler = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number | Promise<number>;
/** A handler that asked for exact 64-bit values. */
export type Handler64 = (a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint) => bigint | number;
/** An entry of `handlers`: a function, or a declaration of how to call it. */
export type HandlerEntry =
  | Handler
  | { fn: Handler; bigint?: false }
  | { fn: Handler64; bigint: true }
  | { wasm: (...args: bigint[]) => bigint };
/** An entry of `wraps`: given the handler below (which may be ENOSYS), returns the one to put over it. */
export type WrapFactory = (below: Handler) => Handler;

/** A module for a table whose ABI names its calls `N` (a generated ABI's names: a name outside them does not compile). */
export interface ModuleSpec<N extends string = string> {
  /** Unique per table; 1 to 40 bytes of UTF-8 (well-formed Unicode: no lone surrogates). */
  name: string;
  /** Calls by name ('write') or by number ('64' or 64). */
  handlers?: { [K in N]?: HandlerEntry } & { [nr: number]: HandlerEntry };
  /** Calls to wrap: each factory gets the handler below. */
  wraps?: { [K in N]?: WrapFactory } & { [nr: number]: WrapFactory };
  /** Hot-swap a loaded module of the same name (it may take only its own or free slots). */
  replace?: boolean;
}

export interface Entry {
  slot: number;
  kind: number;
  fn: Function;
  label: string;
}

export interface NormalModule {
  name: string;
  nameBytes: Uint8Array;
  entries: Entry[];
  replace: boolean;
}

const utf8 = /* @__PURE__ */ new TextEncoder();
// A lone surrogate: not Unicode, so not UTF-8 (TextEncoder would write U+FFFD for it).
const LONE_SURROGATE = /\p{Cs}/u;

export function moduleNameBytes(name: unknown): Uint8Array {
  const bytes = typeof name === 'string' ? utf8.encode(name) : undefined;
  if (bytes === undefined || bytes.length === 0 || bytes.length > NAME_MAX_BYTES) {
    throw new SystabError('EBADSPEC', `module name must be a non-empty string of at most ${NAME_MAX_BYTES} UTF-8 bytes (got ${show(name)})`);
  }
  // Two names with different lone surrogates would be one module.
  if (LONE_SURROGATE.test(name as string)) throw new SystabError('EBADSPEC', `module name must be well-formed Unicode, with no lone surrogate (got ${show(name)})`);
  return bytes;
}

/** The slots of a list of call names or numbers ('*': every slot), or a typed error naming `what`. Reads each element once. */
export function slotsFor(abi: Abi, map: SlotMap, targets: unknown, what: string, all: boolean): number[] {
  if (all && targets === '*') return Array.from({ length: map.total }, (_, i) => i);
  if (!isArray(targets)) throw new SystabError('EBADSPEC', `${what}() takes an array of call names or numbers${all ? ", or '*'" : ''} (got ${show(targets)})`);
  const list = targets as readonly unknown[];
  const n = list.length;
  const out: number[] = [];
  // By index, holes included: a hole is undefined, not a skipped element.
  for (let i = 0; i < n; i++) {
    const t: unknown = list[i];
    if (typeof t !== 'string' && typeof t !== 'number') throw new SystabError('ENONAME', `${what}() got ${show(t)}; expected a call name or number`);
    out.push(slotFor(abi, map, t));
  }
  return out;
}

/** The slot a call name or number stands for, or a typed error. */
export function slotFor(abi: Abi, map: SlotMap, key: string | number): number {
  let nr: unknown;
  const names = abi.names;
  if (typeof key === 'number') nr = key;
  else if (Object.hasOwn(names, key)) nr = names[key];
  else if (/^(0|[1-9][0-9]*)$/.test(key)) nr = Number(key);
  else throw new SystabError('ENONAME', unknownCall(key, abi));
  const slot = typeof nr === 'number' && Number.isInteger(nr) ? slotOf(map, nr) : -1;
  if (slot < 0) throw new SystabError('ENONAME', `call number ${String(nr)} is outside ${abi.id}'s table`);
  return slot;
}

// A module importing one function of the type a `{ wasm }` handler must have,
// (i64 x6) -> i64: instantiating it with a WebAssembly function of another
// type fails to link (a JS function links: the Table check below rules it out).
const WASM_SIG_BYTES = /* @__PURE__ */ new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x0b, 0x01, 0x60, 0x06, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x01, 0x7e, // type 0: (i64 x6) -> i64
  0x02, 0x07, 0x01, 0x01, 0x65, 0x01, 0x66, 0x00, 0x00, // import "e" "f": func type 0
]);
let wasmSig: WebAssembly.Module | undefined;
let wasmProbe: WebAssembly.Table | undefined;

/** True for an exported WebAssembly function of type (i64 x6) -> i64. */
function isWasmHandler(f: Function): boolean {
  try {
    (wasmProbe ??= new WebAssembly.Table({ element: 'anyfunc', initial: 1 })).set(0, f as never); // JS functions throw here
    wasmProbe.set(0, null);
    new WebAssembly.Instance((wasmSig ??= new WebAssembly.Module(WASM_SIG_BYTES)), { e: { f } }); // another type throws here
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates a load() or provide() spec. Every value the caller hands in is
 * read exactly once (spec.name, .handlers, .wraps, .replace, each entry and
 * each field of an entry): a getter cannot pass validation with one value and
 * be used with another.
 */
export function normalizeModule(abi: Abi, map: SlotMap, spec: ModuleSpec): NormalModule {
  if (spec === null || typeof spec !== 'object') throw new SystabError('EBADSPEC', `load() takes { name, handlers?, wraps?, replace? } (got ${show(spec)})`);
  const s = spec as { name?: unknown; handlers?: unknown; wraps?: unknown; replace?: unknown };
  const nameValue = s.name;
  const nameBytes = moduleNameBytes(nameValue);
  const name = nameValue as string;
  const handlers = s.handlers;
  const wraps = s.wraps;
  const replace = s.replace;
  noOtherKeys(s, ['name', 'handlers', 'wraps', 'replace'], (k) => `load() spec of module "${name}" has no key "${k}"`);
  for (const [field, value] of [['handlers', handlers], ['wraps', wraps]] as const) {
    if (value !== undefined && (value === null || typeof value !== 'object')) {
      throw new SystabError('EBADSPEC', `${field} of module "${name}" must be an object (got ${show(value)})`);
    }
  }
  if (replace !== undefined && typeof replace !== 'boolean') throw new SystabError('EBADSPEC', `replace of module "${name}" must be true or false (got ${show(replace)})`);
  const entries: Entry[] = [];
  const seen = new Map<number, string>();
  const add = (key: string, kind: number, fn: Function): void => {
    const slot = slotFor(abi, map, key);
    if (seen.has(slot)) throw new SystabError('EBADSPEC', `module "${name}" names ${describeSlot(map, slot)} twice`);
    seen.set(slot, key);
    entries.push({ slot, kind, fn, label: describeSlot(map, slot) });
  };
  const notFunction = (key: string, e: unknown): SystabError => new SystabError('EBADHANDLER', `handler for "${key}" in module "${name}" is not a function (got ${show(e)})`);
  for (const [key, entry] of Object.entries((handlers ?? {}) as object)) {
    const e = entry as unknown;
    if (typeof e === 'function') {
      add(key, HK_JS, e);
      continue;
    }
    if (e === null || typeof e !== 'object') throw notFunction(key, e);
    const o = e as { fn?: unknown; bigint?: unknown; wasm?: unknown };
    noOtherKeys(o, ['fn', 'bigint', 'wasm'], (k) => `handler for "${key}" in module "${name}" has no key "${k}"`);
    const fn = o.fn;
    if (typeof fn === 'function') {
      const bigint = o.bigint;
      if (bigint !== undefined && typeof bigint !== 'boolean') {
        throw new SystabError('EBADSPEC', `bigint of handler for "${key}" in module "${name}" must be true or false (got ${show(bigint)})`);
      }
      add(key, HK_JS | (bigint === true ? HK_BIGINT : 0), fn);
      continue;
    }
    const wasm = o.wasm;
    if (typeof wasm !== 'function') throw notFunction(key, e);
    if (!isWasmHandler(wasm)) {
      throw new SystabError('EBADHANDLER', `handler for "${key}" in module "${name}" is not a WebAssembly function of type (i64 x6) -> i64 (got ${show(wasm)})`);
    }
    add(key, HK_WASM, wasm);
  }
  for (const [key, factory] of Object.entries((wraps ?? {}) as object)) {
    const f = factory as unknown;
    if (typeof f !== 'function') {
      throw new SystabError('EBADHANDLER', `wrap for "${key}" in module "${name}" is not a function (got ${show(f)})`);
    }
    add(key, HK_JS | HK_WRAP, f);
  }
  if (entries.length === 0) throw new SystabError('EBADSPEC', `module "${name}" has no handlers or wraps`);
  return { name, nameBytes, entries, replace: replace === true };
}

/**
 * Refuses a key of `o` that is not one of `allowed` (a typo such as
 * { bigInt: true } would otherwise be ignored): EBADSPEC naming the nearest
 * allowed key. `what(key)` says where, e.g. 'hooks() has no switch "x"'.
 */
export function noOtherKeys(o: object, allowed: readonly string[], what: (key: string) => string): void {
  let keys: string[];
  try {
    keys = Object.keys(o);
  } catch {
    return; // a Proxy that refuses ownKeys: its reads of the allowed keys decide
  }
  for (const k of keys) {
    if (allowed.includes(k)) continue;
    const near = nearest(k, allowed);
    if (near.length === 0) near.push(...allowed.filter((a) => k.toLowerCase().startsWith(a.toLowerCase()))); // counting -> count
    throw new SystabError('EBADSPEC', `${what(k)}${near.length > 0 ? ` (did you mean "${near[0]}"?)` : ` (it takes ${allowed.map((a) => `"${a}"`).join(', ')})`}`);
  }
}

/** Array.isArray, false for a revoked Proxy (which it would throw on). */
/** Array.isArray that answers false for a revoked Proxy instead of throwing. */
export function isArray(v: unknown): boolean {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (v === null) return 'null';
  if (isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return String(v);
}
