// The messages between the page and its guest worker. The page sends one
// Start; everything else it changes goes through the shared table, trace and
// filters (the worker is busy in the guest and reads no messages meanwhile).
import type { TableDescriptor } from 'systab';
import type { TraceDescriptor } from 'systab/trace';
import type { FilterDescriptor } from 'systab/seccomp';

export type GuestKind = 'rv64' | 'wasi';

export interface Start {
  kind: GuestKind;
  desc: TableDescriptor;
  traceDesc: TraceDescriptor;
  filterDesc: FilterDescriptor;
  /** The program: a static riscv64 ELF or a wasm32-wasi module. */
  bytes: ArrayBuffer;
  args: string[];
}

/** Worker to page. `out` and `trace` come in batches. */
export type FromWorker =
  | { type: 'started' }
  | { type: 'batch'; out: { fd: number; text: string }[]; trace: string[] }
  | { type: 'exit'; code: number; fault?: string }
  | { type: 'error'; message: string };

/** The module name of the uppercasing write that the page loads and the worker provides. */
export const UPPER = 'upper';
