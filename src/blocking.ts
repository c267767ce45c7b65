// Whether this thread may block in Atomics.wait (a browser's main thread may not).
import * as L from '../assembly/layout.js';

let canBlock: boolean | undefined;
/** Atomics.wait works here (not on a browser's main thread). */
export function blockingAllowed(i32: Int32Array): boolean {
  if (canBlock === undefined) {
    try {
      Atomics.wait(i32, L.H_MAGIC, ~i32[L.H_MAGIC]!, 0);
      canBlock = true;
    } catch {
      canBlock = false;
    }
  }
  return canBlock;
}
