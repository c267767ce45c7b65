// Types that know call names: a table made from a generated ABI (whose
// `abi` is an `Abi<CallName>`) takes only that ABI's call names, or numbers,
// wherever it takes a call, and editors complete them (mitt's `keyof Events`).
// Types only: createTable and attach here are create.ts's functions under
// generic signatures. A hand-made `Abi` (any string) gives the untyped table.
import { attach as attachTable, createTable as createTableUntyped } from './create.js';
import type { Table } from './table.js';
import type { AttachOptions, TableDescriptor, TableOptions } from './options.js';
import type { MissingPolicy } from './policy.js';
import type { HandlerEntry, ModuleSpec, WrapFactory } from './handlers.js';
import type { Module } from './module.js';
import type { Abi, CallKey, CallNameOf } from './abi/types.js';

/** What load() and provide() take, for an ABI whose call names are `N`: a name outside `N` does not compile. */
export interface TypedModuleSpec<N extends string = string> extends Omit<ModuleSpec, 'handlers' | 'wraps'> {
  /** Calls by name (one of `N`) or by number (64, or '64'). */
  handlers?: { [K in N]?: HandlerEntry } & { [nr: number]: HandlerEntry };
  /** Calls to wrap, by name or number: each factory gets the handler below. */
  wraps?: { [K in N]?: WrapFactory } & { [nr: number]: WrapFactory };
}

/** createTable()'s options for an ABI whose call names are `N`. */
export type TypedTableOptions<N extends string = string> = Omit<TableOptions, 'abi'> & { abi: Abi<N> };

/** describe()'s answer, and attach()'s argument, for an ABI whose call names are `N`. */
export type TypedTableDescriptor<N extends string = string> = Omit<TableDescriptor, 'abi'> & { abi: Abi<N> };

/**
 * A Table whose calls are named by `N` (its ABI's call names). Every method
 * that takes a call takes `CallKey<N>`; the rest are Table's. A
 * `TypedTable<N>` is a `Table`.
 */
export interface TypedTable<N extends string = string> extends Table {
  readonly abi: Abi<N>;
  load(spec: TypedModuleSpec<N>): Module;
  provide(spec: TypedModuleSpec<N>): void;
  reserve(name: string, calls: readonly CallKey<N>[]): void;
  release(name: string, calls?: readonly CallKey<N>[]): void;
  hooks(targets: readonly CallKey<N>[] | '*', switches: { count?: boolean; enter?: boolean; exit?: boolean }): void;
  setMissing(targets: readonly CallKey<N>[] | '*', policy: MissingPolicy): void;
  describe(): TypedTableDescriptor<N>;
}

// Generic in the ABI object's type rather than its names, so that a union of
// ABIs (one picked at run time) gives the union of their names.

/** Creates a table for one ABI; a generated ABI's call names type its methods. */
export const createTable: <A extends Abi>(options: Omit<TableOptions, 'abi'> & { abi: A }) => TypedTable<CallNameOf<A>> = createTableUntyped as never;

/** Attaches to a table made in another thread (from its describe()). */
export const attach: <A extends Abi>(descriptor: Omit<TableDescriptor, 'abi'> & { abi: A }, options?: AttachOptions) => TypedTable<CallNameOf<A>> = attachTable as never;
