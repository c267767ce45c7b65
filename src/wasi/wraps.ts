// Wraps that see and change a WASI call's exact arguments. A table's wrap gets
// six numbers, so an i64 past 2^53 (an fd_seek offset) cannot be changed
// exactly through it, and the 7th-9th arguments not at all: wasiWraps() makes
// table wraps whose functions get the guest's values (i64 as bigint, all of
// them) and whose `below` takes values of the same kind.
import { abi } from '../abi/wasi-preview1.js';
import type { Handler, WrapFactory } from '../handlers.js';
import { show } from '../handlers.js';
import { SystabError } from '../errors.js';
import { exactArgs, lowered, num, popFrame, pushFrame } from './frame.js';

/** A WASI function as the engine calls an import: i32 as number, i64 as bigint, every parameter. */
export type WasiFunction = (...args: (number | bigint)[]) => number;
/** Given the WASI function below (which may answer nosys), returns the one to put over it. */
export type WasiWrapFactory = (below: WasiFunction) => WasiFunction;

/** Table wraps (for load()'s `wraps`) from wraps by WASI function name that take and pass exact arguments. */
export function wasiWraps(wraps: Record<string, WasiWrapFactory>): Record<string, WrapFactory> {
  if (wraps === null || typeof wraps !== 'object') throw new SystabError('EBADSPEC', `wasiWraps() takes an object of wrap factories by WASI function name (got ${show(wraps)})`);
  const out: Record<string, WrapFactory> = {};
  for (const [fname, factory] of Object.entries(wraps)) {
    if (!Object.hasOwn(abi.names, fname)) throw new SystabError('ENONAME', `unknown call "${fname}" for wasi-preview1`);
    if (typeof factory !== 'function') throw new SystabError('EBADHANDLER', `wrap for "${fname}" is not a function (got ${show(factory)})`);
    out[fname] = exactWrap(abi.names[fname]!, fname, factory);
  }
  return out;
}

function exactWrap(nr: number, fname: string, factory: WasiWrapFactory): WrapFactory {
  const params = abi.signatures![fname]!.params;
  return (below) => {
    const exactBelow: WasiFunction = (...given) => {
      // Checked and lowered as the engine would pass them; below reads them from the frame.
      const args = params.map((type, i) => lowered(given[i], type, i, fname));
      const n0 = num(args[0]), n1 = num(args[1]), n2 = num(args[2]), n3 = num(args[3]), n4 = num(args[4]), n5 = num(args[5]);
      pushFrame(nr, args as (number | bigint)[], n0, n1, n2, n3, n4, n5);
      try {
        const r = below(n0, n1, n2, n3, n4, n5);
        return typeof r === 'number' ? r : (r as unknown as number);
      } finally {
        popFrame();
      }
    };
    const over = factory(exactBelow);
    if (typeof over !== 'function') throw new SystabError('EBADHANDLER', `wasiWraps() factory for ${fname} returned ${show(over)}, not a function`);
    const h: Handler = (a0, a1, a2, a3, a4, a5) => {
      const r: unknown = over(...(exactArgs(nr, fname, params, a0, a1, a2, a3, a4, a5) as (number | bigint)[]));
      return r === undefined ? 0 : (r as number);
    };
    return h;
  };
}
