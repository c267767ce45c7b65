// systab: a system call table for emulators. The public API, all of it.
export { Table } from './table.js';
export { createTable, attach } from './create.js';
export type { TypedTable, AsyncTypedTable, TypedModuleSpec, TypedTableOptions, TypedTableDescriptor } from './typed.js';
export type { TableOptions, AttachOptions, TableDescriptor } from './options.js';
export type { MissingPolicy, EnterHook, ExitHook } from './policy.js';
export type { Stats, CallStats } from './stats.js';
export { Module } from './module.js';
export type { ModuleSpec, Handler, Handler64, HandlerEntry, WrapFactory } from './handlers.js';
export { SystabError } from './errors.js';
export type { SystabErrorCode } from './errors.js';
export { abiNumber, abiName } from './abi/lookup.js';
export type { Abi, AbiRange, AbiSignature, CallKey, CallNameOf } from './abi/types.js';
export type { AbiId } from './abi/list.js';
export { coreWasm } from './core.js';
