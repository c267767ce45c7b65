// The shared table as one thread sees it: typed views of the memory, where
// each region starts, this thread's worker record and its timeouts.
// openView() (open.ts) makes it once, for the Table's constructor; nobody
// writes it after, every holder reads it.
import type { Abi } from './abi/types.js';
import type { CoreExports } from './core.js';
import type { SlotMap } from './slots.js';

/** Where each region of the layout starts, in 32-bit words (resolved, async and reasons: bytes). See assembly/layout.ts. */
export interface Regions {
  slots: number;
  handlers: number;
  modules: number;
  workers: number;
  counters: number;
  stripe: number;
  calls: number;
  ncalls: number;
  resolved: number;
  async: number;
  /** The plug reasons bytes, one per slot (plugs.ts). */
  reasons: number;
}

export interface View {
  readonly abi: Abi;
  readonly map: SlotMap;
  /** This thread's instance of the core, bound to its worker record. */
  readonly core: CoreExports;
  readonly memory: WebAssembly.Memory;
  /** The core's compiled module (what attach() needs, with the memory). */
  readonly module: WebAssembly.Module;
  readonly i32: Int32Array;
  /** The whole memory as bytes (the async bytes). */
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly at: Regions;
  /** This thread's worker record. */
  readonly me: number;
  /** This thread's claim of its worker record (WR_GEN): handlers it loads are homed at (me, claimGen). */
  readonly claimGen: number;
  /** This thread's doorbell word (an index into i32). */
  readonly wakeAt: number;
  /** The memory is shared (threads may attach). */
  readonly shared: boolean;
  /** How long a carried call may take, in ms. */
  readonly callTimeout: number;
  /** How long a change waits for the writer lock, in ms. */
  readonly lockTimeout: number;
}

/** The regions as the core derives them from the header. */
export function coreRegions(core: CoreExports, ncalls: number): Regions {
  return {
    slots: core.slotsAt(),
    handlers: core.handlersAt(),
    modules: core.modulesAt(),
    workers: core.workersAt(),
    counters: core.countersAt(),
    stripe: core.stripeWords(),
    calls: core.callsAt(),
    ncalls,
    resolved: core.resolvedAtBytes(),
    async: core.asyncAtBytes(),
    reasons: core.reasonsAtBytes(),
  };
}
