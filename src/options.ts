// The options of createTable() and attach(), and what describe() gives
// another thread: the public shapes a table is made from.
import type { Abi } from './abi/types.js';

export interface TableOptions {
  abi: Abi;
  /** Handler records (live handlers + stubs + handlers draining). Default 4096, at most 65536. */
  maxHandlers?: number;
  /** Module records. Default 256. */
  maxModules?: number;
  /** Threads that may attach. Default 16. */
  maxWorkers?: number;
  /** Share the memory between threads. Default: where SharedArrayBuffer exists. */
  shared?: boolean;
  /** Bring your own memory (it must be large enough; shared if `shared`). */
  memory?: WebAssembly.Memory;
  /** How long a call carried to another thread may take, in ms (then ETIMEDOUT). Default 1000. */
  callTimeout?: number;
  /** This thread's id for evict() (Node: its threadId by default). */
  threadId?: number;
  /** Call records per thread: how many calls one thread may have carried to others at once (more wait for one, within callTimeout). Default 16, at most 256. */
  callRecords?: number;
  /** How long a change (load, unload, reserve, release, verify) waits for the writer lock, in ms (then ETIMEDOUT). Default 10000. */
  lockTimeout?: number;
}

/** Options of attach(). */
export interface AttachOptions {
  callTimeout?: number;
  threadId?: number;
  lockTimeout?: number;
}

/** What attach() needs in another thread; every field can be posted. */
export interface TableDescriptor {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  abi: Abi;
}


/** Why a shared table cannot be made or attached here. */
export const NO_SAB = 'needs SharedArrayBuffer, which this context lacks (a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';
