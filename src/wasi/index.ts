// The WASI host on systab: the public API of src/wasi.
export { wasiImports } from './imports.js';
export type { WasiHost, WasiImportsOptions, WasiTable, WasiImportFunction } from './imports.js';
export { wasiModule, loadWasi } from './adapter.js';
export type { WasiImplementation, WasiModuleOptions, WasiThrowPolicy } from './adapter.js';
export { wasiWraps } from './wraps.js';
export type { WasiFunction, WasiWrapFactory } from './wraps.js';
export type { WasiRunner } from './runners.js';
export { wasiArgs } from './frame.js';
export type { WasiFrame } from './frame.js';
export { WasiExit } from './exit.js';
