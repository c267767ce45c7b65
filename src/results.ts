// Arguments and results at the edges of a call: the ABI's error convention,
// exact 64-bit values (call64(), bigint handlers, WebAssembly), and the
// errors a wrong type gets. Pure functions: no state.
import * as L from '../assembly/layout.js';
import type { Abi } from './abi/types.js';
import { SystabError } from './errors.js';
import { show } from './handlers.js';
import { describeSlot, slotOf, type SlotMap } from './slots.js';
import { handlerWord } from './records.js';
import type { View } from './view.js';

/** An error result in the ABI's convention: -4095..-1 (negative) or nonzero (positive errno). */
export function isError(r: number, negative: boolean): boolean {
  return negative ? r < 0 && r > -(L.ERRNO_MAX + 1) : r !== 0;
}

/** A missing-call trap's answer: a number. */
export function trapResult(r: unknown, label: string): number {
  if (typeof r === 'number') return r;
  throw new SystabError('EBADRESULT', `missing-call trap for ${label} returned ${show(r)}; traps return a number`);
}

/** A result as call64() returns it: integers that fit 64 bits (a bigint is cut to them, as the ABI's register would). */
export function toResult64(r: unknown, map: SlotMap, slot: number): bigint {
  if (typeof r === 'bigint') return BigInt.asIntN(64, r);
  if (typeof r === 'number' && Number.isInteger(r) && r >= -(2 ** 63) && r < 2 ** 63) return BigInt(r);
  throw badResult(map, slot, r);
}

/** A number as WebAssembly's i64.trunc_sat_f64_s makes it: NaN 0, cut toward zero, held to the i64 range. */
export function truncSat(r: number): bigint {
  if (Number.isNaN(r)) return 0n;
  if (r >= 2 ** 63) return 2n ** 63n - 1n;
  if (r <= -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(r));
}

/** An argument for a WebAssembly handler called from JS: an integer number (call64() passes exact 64-bit values). */
export function wasmArg(a: unknown, i: number, label: string): number {
  if (typeof a === 'number' && Number.isInteger(a)) return a;
  if (a === undefined) return 0;
  throw new SystabError('EBADARG', `argument ${i} of ${label} must be an integer number for its WebAssembly handler (got ${show(a)}); call64() passes exact 64-bit values`);
}

/** An argument for a handler declared `bigint: true`. */
export function bigArg(a: unknown, i: number, label: string): bigint {
  if (typeof a === 'bigint') return a;
  if (typeof a === 'number' && Number.isInteger(a)) return BigInt(a);
  throw new SystabError('EBADARG', `argument ${i} of ${label} must be an integer number or a bigint (got ${show(a)})`);
}

/** call()'s arguments reach a JS handler taking numbers (or a wrap) as numbers: a bigint is EBADARG there (bigint: true and WebAssembly handlers check their own). Small, so the slow path inlines it. */
export function numberArgs(v: View, id: number, slot: number, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown): void {
  if (typeof a0 === 'bigint' || typeof a1 === 'bigint' || typeof a2 === 'bigint' || typeof a3 === 'bigint' || typeof a4 === 'bigint' || typeof a5 === 'bigint') bigArgs(v, id, slot, [a0, a1, a2, a3, a4, a5]);
}

function bigArgs(v: View, id: number, slot: number, args: unknown[]): void {
  const kind = v.i32[handlerWord(v, id, L.HR_KIND)]!;
  if ((kind & (L.HK_BIGINT | L.HK_WASM)) !== 0 && (kind & L.HK_WRAP) === 0) return;
  const i = args.findIndex((a) => typeof a === 'bigint');
  throw new SystabError('EBADARG', `argument ${i} of ${describeSlot(v.map, slot)} is ${show(args[i])}: call() passes numbers (use call64(), or a handler with bigint: true)`);
}

export function toBig(a: unknown, i: number): bigint {
  if (typeof a === 'bigint') return BigInt.asIntN(64, a);
  if (typeof a === 'number' && Number.isSafeInteger(a)) return BigInt(a);
  throw new SystabError('EBADARG', `call64() argument ${i} must be a bigint or a safe integer (got ${show(a)})`);
}

export function badResult(map: SlotMap, slot: number, r: unknown): SystabError {
  return new SystabError('EBADRESULT', `handler for ${slot >= 0 ? describeSlot(map, slot) : 'call'} returned ${show(r)}; handlers return a number${typeof r === 'bigint' ? ' (bigint: true handlers may return a bigint)' : ''}`);
}

export function enosysError(abi: Abi, nr: number, name?: string): SystabError {
  return new SystabError('ENOSYS', `${abi.id} call ${name === undefined ? nr : `${name} (${nr})`} is not implemented`);
}


/** The slot of a call number, -1 when out of range; throws on a non-integer. */
export function checkNr(map: SlotMap, nr: unknown): number {
  if (typeof nr !== 'number' || !Number.isInteger(nr)) {
    throw new SystabError('EBADNR', `call number must be an integer number (got ${show(nr)})`);
  }
  return slotOf(map, nr);
}
