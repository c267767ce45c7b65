// The exact arguments of the WASI calls in progress on this thread. A systab
// call carries six numbers; WASI functions take up to nine arguments, some
// i64 (offsets, rights, timestamps past 2^53). The import function keeps the
// guest's own values here for the length of the call, so handlers can read
// them exactly while hooks, counters and wraps see the six numbers.

/** One WASI call in progress: its number and the arguments the guest passed (i64 as bigint). */
export interface WasiFrame {
  readonly nr: number;
  readonly args: readonly (number | bigint)[];
}

const frames: WasiFrame[] = [];

/** @internal */
export function pushFrame(f: WasiFrame): void {
  frames.push(f);
}

/** @internal */
export function popFrame(): void {
  frames.pop();
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
