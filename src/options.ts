// The options of createTable() and attach(), and what describe() gives
// another thread: the public shapes a table is made from.
import type { Abi } from './abi/types.js';

export interface TableOptions<A extends Abi = Abi> {
  abi: A;
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
  /**
   * This thread's call() may return a promise: an async handler's, or a call
   * carried to another thread where this one cannot block (a browser's main
   * thread). Default false: such a call throws EASYNC instead (callAsync()
   * and tryCall() take promises either way).
   */
  async?: boolean;
}

/** Options of attach(). */
export interface AttachOptions {
  callTimeout?: number;
  threadId?: number;
  lockTimeout?: number;
  /** As createTable()'s `async`, for this thread. */
  async?: boolean;
}

/** A thread's own options, read once by createTable() or attach(). */
export interface ThreadOptions {
  callTimeout: number;
  threadId: number;
  lockTimeout: number;
  async: boolean;
}

/** What attach() needs in another thread; every field can be posted. */
export interface TableDescriptor<A extends Abi = Abi> {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  abi: A;
}


/** Why a shared table cannot be made or attached here. */
export const NO_SAB = 'needs SharedArrayBuffer, which this context lacks (a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';
