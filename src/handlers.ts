// What a module may hand to load(), and its validation into slot entries.
import type { Abi } from './abi/types.js';
import { HK_BIGINT, HK_JS, HK_WASM, HK_WRAP, NAME_MAX_BYTES } from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { describeSlot, slotOf, type SlotMap } from './slots.js';

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

export interface ModuleSpec {
  /** Unique per table; 1 to 48 bytes of UTF-8. */
  name: string;
  /** Calls by name ('write') or by number ('64' or 64). */
  handlers?: Record<string | number, HandlerEntry>;
  /** Calls to wrap: each factory gets the handler below. */
  wraps?: Record<string | number, WrapFactory>;
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

const utf8 = new TextEncoder();

export function moduleNameBytes(name: unknown): Uint8Array {
  const bytes = typeof name === 'string' ? utf8.encode(name) : undefined;
  if (bytes === undefined || bytes.length === 0 || bytes.length > NAME_MAX_BYTES) {
    throw new SystabError('EBADSPEC', `module name must be a non-empty string of at most ${NAME_MAX_BYTES} UTF-8 bytes (got ${show(name)})`);
  }
  return bytes;
}

/** The slots of a list of call names or numbers ('*': every slot), or a typed error naming `what`. */
export function slotsFor(abi: Abi, map: SlotMap, targets: unknown, what: string, all: boolean): number[] {
  if (all && targets === '*') return Array.from({ length: map.total }, (_, i) => i);
  if (!Array.isArray(targets)) throw new SystabError('EBADSPEC', `${what}() takes an array of call names or numbers${all ? ", or '*'" : ''} (got ${show(targets)})`);
  return targets.map((t: unknown) => {
    if (typeof t !== 'string' && typeof t !== 'number') throw new SystabError('ENONAME', `${what}() got ${show(t)}; expected a call name or number`);
    return slotFor(abi, map, t);
  });
}

/** The slot a call name or number stands for, or a typed error. */
export function slotFor(abi: Abi, map: SlotMap, key: string | number): number {
  let nr: number | undefined;
  if (typeof key === 'number') nr = key;
  else if (Object.hasOwn(abi.names, key)) nr = abi.names[key];
  else if (/^(0|[1-9][0-9]*)$/.test(key)) nr = Number(key);
  else throw new SystabError('ENONAME', `unknown call "${key}" for ${abi.id}`);
  const slot = Number.isInteger(nr) ? slotOf(map, nr!) : -1;
  if (slot < 0) throw new SystabError('ENONAME', `call number ${String(nr)} is outside ${abi.id}'s table`);
  return slot;
}

export function normalizeModule(abi: Abi, map: SlotMap, spec: ModuleSpec): NormalModule {
  if (spec === null || typeof spec !== 'object') throw new SystabError('EBADSPEC', `load() takes { name, handlers?, wraps?, replace? } (got ${show(spec)})`);
  const nameBytes = moduleNameBytes(spec.name);
  const name = spec.name;
  const entries: Entry[] = [];
  const seen = new Map<number, string>();
  const add = (key: string, kind: number, fn: Function): void => {
    const slot = slotFor(abi, map, key);
    if (seen.has(slot)) throw new SystabError('EBADSPEC', `module "${name}" names ${describeSlot(map, slot)} twice`);
    seen.set(slot, key);
    entries.push({ slot, kind, fn, label: describeSlot(map, slot) });
  };
  for (const [field, value] of [['handlers', spec.handlers], ['wraps', spec.wraps]] as const) {
    if (value !== undefined && (value === null || typeof value !== 'object')) {
      throw new SystabError('EBADSPEC', `${field} of module "${name}" must be an object (got ${show(value)})`);
    }
  }
  for (const [key, entry] of Object.entries(spec.handlers ?? {})) {
    const e = entry as unknown;
    if (typeof e === 'function') add(key, HK_JS, e);
    else if (e !== null && typeof e === 'object' && typeof (e as { fn?: unknown }).fn === 'function') {
      add(key, HK_JS | ((e as { bigint?: unknown }).bigint === true ? HK_BIGINT : 0), (e as { fn: Function }).fn);
    } else if (e !== null && typeof e === 'object' && typeof (e as { wasm?: unknown }).wasm === 'function') {
      add(key, HK_WASM, (e as { wasm: Function }).wasm);
    } else {
      throw new SystabError('EBADHANDLER', `handler for "${key}" in module "${name}" is not a function (got ${show(e)})`);
    }
  }
  for (const [key, factory] of Object.entries(spec.wraps ?? {})) {
    if (typeof factory !== 'function') {
      throw new SystabError('EBADHANDLER', `wrap for "${key}" in module "${name}" is not a function (got ${show(factory)})`);
    }
    add(key, HK_JS | HK_WRAP, factory);
  }
  if (entries.length === 0) throw new SystabError('EBADSPEC', `module "${name}" has no handlers or wraps`);
  return { name, nameBytes, entries, replace: spec.replace === true };
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return String(v);
}
