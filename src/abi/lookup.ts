// Name <-> number lookups for any Abi. Hand-written.
import type { Abi } from './types.js';

// Number -> name: one dense array per range, indexed by nr - range base.
interface Reverse {
  main: (string | undefined)[];
  extra: { base: number; names: (string | undefined)[] }[];
}

// Built on first use per abi object; the last one is kept apart so a hot
// loop over one ABI skips the WeakMap.
const cache = new WeakMap<Abi, Reverse>();
let lastAbi: Abi | undefined;
let lastReverse: Reverse | undefined;

function build(abi: Abi): Reverse {
  const ranges = [{ base: abi.base, names: new Array<string | undefined>(abi.count).fill(undefined) }];
  for (const r of abi.extra) ranges.push({ base: r.base, names: new Array<string | undefined>(r.count).fill(undefined) });
  for (const name of Object.keys(abi.names)) {
    const nr = abi.names[name]!;
    const range = ranges.find((r) => nr >= r.base && nr - r.base < r.names.length);
    // Aliases share a number (Alpha's getpid/getxpid): the first name in the record wins.
    if (range !== undefined) range.names[nr - range.base] ??= name;
  }
  return { main: ranges[0]!.names, extra: ranges.slice(1) };
}

function reverseOf(abi: Abi): Reverse {
  if (abi === lastAbi) return lastReverse!;
  let r = cache.get(abi);
  if (r === undefined) {
    r = build(abi);
    cache.set(abi, r);
  }
  lastAbi = abi;
  lastReverse = r;
  return r;
}

/** The number of call `name` in `abi`, or undefined if the ABI lacks it or `name` is not a string. */
export function abiNumber(abi: Abi, name: string): number | undefined {
  if (typeof name !== 'string' || !Object.hasOwn(abi.names, name)) return undefined;
  return abi.names[name];
}

/** The name of call number `nr` in `abi`, or undefined if unassigned or `nr` is not an integer. */
export function abiName(abi: Abi, nr: number): string | undefined {
  if (!Number.isInteger(nr)) return undefined;
  const r = reverseOf(abi);
  const i = nr - abi.base;
  if (i >= 0 && i < abi.count) return r.main[i];
  for (const e of r.extra) {
    const j = nr - e.base;
    if (j >= 0 && j < e.names.length) return e.names[j];
  }
  return undefined;
}
