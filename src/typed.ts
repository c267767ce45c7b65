// Names for the typed forms of the public types (kept from before Table,
// ModuleSpec, TableOptions and TableDescriptor took their ABI's call names
// themselves). Types only.
import type { Table } from './table.js';
import type { TableDescriptor, TableOptions } from './options.js';
import type { ModuleSpec } from './handlers.js';
import type { Abi } from './abi/types.js';

/** A table whose calls are named by `N` (its ABI's call names). */
export type TypedTable<N extends string = string> = Table<N>;
/** A table made (or attached) with `async: true`: its call() may answer a promise. */
export type AsyncTypedTable<N extends string = string> = Table<N, number | Promise<number>>;
/** What load() and provide() take, for an ABI whose call names are `N`. */
export type TypedModuleSpec<N extends string = string> = ModuleSpec<N>;
/** createTable()'s options for an ABI whose call names are `N`. */
export type TypedTableOptions<N extends string = string> = TableOptions<Abi<N>>;
/** describe()'s answer, and attach()'s argument, for an ABI whose call names are `N`. */
export type TypedTableDescriptor<N extends string = string> = TableDescriptor<Abi<N>>;
