// One WASI import function's state, shared by its way through the table
// (imports.ts writes it) and its direct way (direct.ts reads it): its own
// file, so neither imports the other.
import { abi } from '../abi/wasi-preview1.js';
import type { HotPath } from '../thread.js';

type Raw = (...a: unknown[]) => unknown;
const NOSYS = abi.enosys;
export const answerNosys = (): number => NOSYS;
export const rethrow = (e: unknown): number => {
  throw e;
};

/** @internal One import function's state: written by its way through the table, read by its direct way (direct.ts). */
export class DirectState {
  readonly bell: Int32Array;
  /** The table's hot path, when it is a systab Table on this thread (the direct way raises its depth). */
  readonly hot: HotPath | undefined;
  /** The doorbell value at which `raw` answers for this slot (NaN: none does, go through the table). */
  ready = NaN;
  raw: Raw = answerNosys;
  caught: (e: unknown) => number = rethrow;
  via: (args: unknown[]) => number | undefined = () => undefined;
  constructor(bell: Int32Array, hot: HotPath | undefined) {
    this.bell = bell;
    this.hot = hot;
  }
}
