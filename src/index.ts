// systab: a system call table for emulators. The public API, all of it.
export { createTable, attach, Table } from './table.js';
export type { TableOptions, TableDescriptor, MissingPolicy, EnterHook, ExitHook, Stats, CallStats } from './table.js';
export { Module } from './registry.js';
export type { ModuleSpec, Handler, Handler64, HandlerEntry, WrapFactory } from './handlers.js';
export { SystabError } from './errors.js';
export type { SystabErrorCode } from './errors.js';
export { abiNumber, abiName } from './abi/lookup.js';
export type { Abi, AbiRange, AbiSignature } from './abi/types.js';
export { coreWasm } from './core.js';
