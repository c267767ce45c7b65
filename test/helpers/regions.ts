// Region offsets (in 32-bit words) of a live table, asked of the core itself:
// a spare instance of the table's core module on the same memory reads them
// from the header (see assembly/index.ts slotsAt() ... ). It never writes.
import type { Table } from 'systab';
import { H_CALLS } from '../../assembly/layout.js';

export interface Regions {
  slots: number;
  /** Plug reasons, one byte per slot (a byte offset). */
  reasons: number;
  handlers: number;
  modules: number;
  workers: number;
  /** Per-worker counters: worker w's stripe starts at counters + w * stripe. */
  counters: number;
  stripe: number;
  /** Carried-call records: worker w's k-th at calls + (w * ncalls + k) * CR_WORDS. */
  calls: number;
  ncalls: number;
  /** Wasm resolution bytes (a byte offset): worker w's at resolvedBytes + w * maxHandlers. */
  resolvedBytes: number;
  i32: Int32Array;
}

/** The exports of a spare instance of `module` on `memory` (imports answer 0). It writes nothing on its own. */
export function spareCore(module: WebAssembly.Module, memory: WebAssembly.Memory): Record<string, (...a: number[]) => number> {
  const env: Record<string, unknown> = { memory };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'env' && imp.kind === 'function') env[imp.name] = () => 0;
  }
  return new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports }).exports as Record<string, (...a: number[]) => number>;
}

export function regions(t: Table): Regions {
  const { memory, module } = t.describe();
  const ex = spareCore(module, memory);
  return {
    slots: ex.slotsAt!(),
    reasons: ex.reasonsAtBytes!(),
    handlers: ex.handlersAt!(),
    modules: ex.modulesAt!(),
    workers: ex.workersAt!(),
    counters: ex.countersAt!(),
    stripe: ex.stripeWords!(),
    calls: ex.callsAt!(),
    ncalls: new Int32Array(memory.buffer)[H_CALLS]!,
    resolvedBytes: ex.resolvedAtBytes!(),
    i32: new Int32Array(memory.buffer),
  };
}

/** The core's own verify() of the table in `memory` (0: sound, else code << 24 | index), from a spare instance. */
export function coreVerify(module: WebAssembly.Module, memory: WebAssembly.Memory): number {
  return spareCore(module, memory).verify!();
}

/** The core's own layoutBytes(slots, maxH, maxM, maxW, calls), from a spare instance of the shipped core.wasm. */
export function coreLayoutBytes(module: WebAssembly.Module, slots: number, maxH: number, maxM: number, maxW: number, calls: number): number {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  return spareCore(module, memory).layoutBytes!(slots, maxH, maxM, maxW, calls);
}
