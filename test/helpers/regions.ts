// Region offsets (in 32-bit words) of a live table, asked of the core itself:
// a spare instance of the table's core module on the same memory reads them
// from the header (see assembly/index.ts slotsAt() ... ). It never writes.
import type { Table } from 'systab';

export interface Regions {
  slots: number;
  handlers: number;
  modules: number;
  workers: number;
  i32: Int32Array;
}

export function regions(t: Table): Regions {
  const { memory, module } = t.describe();
  const env: Record<string, unknown> = { memory };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'env' && imp.kind === 'function') env[imp.name] = () => 0;
  }
  const ex = new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports }).exports as Record<string, () => number>;
  return {
    slots: ex.slotsAt!(),
    handlers: ex.handlersAt!(),
    modules: ex.modulesAt!(),
    workers: ex.workersAt!(),
    i32: new Int32Array(memory.buffer),
  };
}

/** The core's own layoutBytes(slots, maxH, maxM, maxW, calls), from a spare instance of the shipped core.wasm. */
export function coreLayoutBytes(module: WebAssembly.Module, slots: number, maxH: number, maxM: number, maxW: number, calls: number): number {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const env: Record<string, unknown> = { memory };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'env' && imp.kind === 'function') env[imp.name] = () => 0;
  }
  const ex = new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports }).exports as Record<string, (...a: number[]) => number>;
  return ex.layoutBytes!(slots, maxH, maxM, maxW, calls);
}
