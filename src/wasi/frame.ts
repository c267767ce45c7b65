// The exact arguments of the WASI calls in progress on this thread. A systab
// call carries six numbers; WASI functions take up to nine arguments, some
// i64 (offsets, rights, timestamps past 2^53). The import function keeps the
// guest's own values here for the length of the call, so handlers can read
// them exactly while hooks, counters and wraps see the six numbers.
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';

/** One WASI call in progress: its number and the arguments the guest passed (i64 as bigint). */
export interface WasiFrame {
  readonly nr: number;
  readonly args: readonly (number | bigint)[];
}

/**
 * A frame also keeps the six numbers the table was called with for it, so a
 * handler tells an argument nobody changed by identity (no bigint to number
 * conversion), and gets the frame's own array when none was changed.
 */
class Frame implements WasiFrame {
  readonly nr: number;
  readonly args: readonly (number | bigint)[];
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  readonly n3: number;
  readonly n4: number;
  readonly n5: number;
  constructor(nr: number, args: readonly (number | bigint)[], n0: number, n1: number, n2: number, n3: number, n4: number, n5: number) {
    this.nr = nr;
    this.args = args;
    this.n0 = n0;
    this.n1 = n1;
    this.n2 = n2;
    this.n3 = n3;
    this.n4 = n4;
    this.n5 = n5;
  }
}

const frames: Frame[] = [];

/** @internal Opens call `nr`'s frame with the guest's `args` and the numbers `n0..n5` the table gets for them. */
export function pushFrame(nr: number, args: readonly (number | bigint)[], n0: number, n1: number, n2: number, n3: number, n4: number, n5: number): void {
  frames.push(new Frame(nr, args, n0, n1, n2, n3, n4, n5));
}

/** @internal */
export function popFrame(): void {
  frames.pop();
}

/** @internal A value as a number for the table: a bigint converted (exact up to 2^53), nothing 0. */
export function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

/**
 * The exact arguments of the innermost WASI call in progress, when it is call
 * `nr` (or any call, without `nr`); undefined outside a call made through
 * wasiImports().
 */
export function wasiArgs(nr?: number): readonly (number | bigint)[] | undefined {
  const top = frames[frames.length - 1];
  if (top === undefined || (nr !== undefined && top.nr !== nr)) return undefined;
  return top.args;
}

/**
 * @internal The arguments for WASI function `fname` (number `nr`, lowered
 * `params`) from the six numbers a handler got: the innermost frame's exact
 * value where it is call `nr`'s and the number is that value's (the 7th-9th
 * always), else the number, checked and made the type WebAssembly would pass
 * (i32 a signed 32-bit number, i64 a bigint).
 */
export function exactArgs(nr: number, fname: string, params: readonly string[], a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown): readonly unknown[] {
  const top = frames[frames.length - 1];
  const f = top !== undefined && top.nr === nr ? top : undefined;
  // Nothing changed (the common case): the guest's own values.
  if (f !== undefined && a0 === f.n0 && a1 === f.n1 && a2 === f.n2 && a3 === f.n3 && a4 === f.n4 && a5 === f.n5 && f.args.length === params.length) return f.args;
  const out = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i++) {
    const g = i === 0 ? a0 : i === 1 ? a1 : i === 2 ? a2 : i === 3 ? a3 : i === 4 ? a4 : i === 5 ? a5 : undefined;
    const r = f?.args[i];
    const n = f === undefined ? undefined : i === 0 ? f.n0 : i === 1 ? f.n1 : i === 2 ? f.n2 : i === 3 ? f.n3 : i === 4 ? f.n4 : f.n5;
    out[i] = r !== undefined && (i >= 6 || g === n || r === g) ? r : lowered(g, params[i]!, i, fname);
  }
  return out;
}

/** @internal A value given for parameter `i` of `fname`, as WebAssembly would pass a parameter of `type`. */
export function lowered(g: unknown, type: string, i: number, fname: string): number | bigint {
  if (g === undefined) return type === 'i64' ? 0n : 0;
  if (type === 'i64') {
    if (typeof g === 'bigint') return BigInt.asIntN(64, g);
    if (Number.isSafeInteger(g)) return BigInt(g as number);
    throw new SystabError('EBADARG', `argument ${i} of ${fname} is an i64 and ${show(g)} is not an exact integer; a wrap changes an i64 argument exactly with wasiWraps() (or passes a bigint)`);
  }
  if (typeof g === 'number' && Number.isInteger(g) && g >= -(2 ** 31) && g < 2 ** 32) return g | 0;
  throw new SystabError('EBADARG', `argument ${i} of ${fname} is an i32 and ${show(g)} is not a 32-bit integer`);
}
