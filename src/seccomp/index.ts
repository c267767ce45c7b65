// systab/seccomp: seccomp filters (the kernel's classic BPF over struct
// seccomp_data) with the kernel's checks and semantics, and an action cache
// that proves every constant action at install, in their own WebAssembly
// module (seccomp.wasm): a table that never filters never loads it.
export { createSeccompEngine, SeccompEngine } from './engine.js';
export type { SeccompAbiSpec, InstallOptions, SeccompSection, SeccompFilters, SeccompData, SeccompEngineOptions } from './engine.js';
export type { SockFilter, SeccompProgram } from './program.js';
export { filterBytes, filterInstructions } from './program.js';
export * from './actions.js';
export { seccompArchs, auditArchNames, AUDIT_ARCH_64BIT, AUDIT_ARCH_LE, X32_SYSCALL_BIT } from './arch.js';
export type { SeccompArch } from './arch.js';
export { filterTable, attachFilter, filterThread, TableFilter, AttachedFilter } from './table.js';
export type { FilterOptions, FilterDescriptor, StackOptions } from './table.js';
export { SeccompSyncError } from './chain.js';
export type { ChainDescriptor } from './chain.js';
