// The writer side of this thread: what a change (load, replace, wrap,
// unload, reserve, release) works with. Every change holds the table's
// writer lock (grace.ts) and publishes with one CAS in the core (a slot
// word, or the `below` link of the handler above); readers never lock.
import { Limbo } from './grace.js';
import { discard, type Code } from './code.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';

/**
 * Made once by the Table. Under the writer lock its functions (chains.ts,
 * registry.ts, module.ts, orphans.ts) are the only writers of the handler
 * chains, the handler and module records and their names; they record this
 * thread's code for what it loads in `code` (keep(), forget(), discard()).
 */
export class Writer {
  readonly v: View;
  readonly thread: Thread;
  readonly code: Code;
  /** Handlers retired without a wait of their own, until a grace period frees them. */
  readonly limbo: Limbo;
  /** This thread loaded a module, so it is that module's home (the Table keeps itself alive until close()). */
  readonly becameHome: () => void;
  constructor(thread: Thread, code: Code, becameHome: () => void) {
    this.v = thread.v;
    this.thread = thread;
    this.code = code;
    this.becameHome = becameHome;
    this.limbo = new Limbo((ids) => discard(code, ids));
  }
}
