// Call numbers <-> slot indexes for one ABI: the main range first, then each
// extra range, packed one after another.
import type { Abi } from './abi/types.js';

export interface SlotMap {
  readonly base: number;
  readonly main: number;
  readonly total: number;
  readonly ranges: readonly { base: number; count: number; start: number }[];
  readonly nrOfSlot: Int32Array | number[];
  readonly nameOfSlot: (string | undefined)[];
}

export function slotMap(abi: Abi): SlotMap {
  const ranges = [{ base: abi.base, count: abi.count, start: 0 }];
  let total = abi.count;
  for (const r of abi.extra) {
    ranges.push({ base: r.base, count: r.count, start: total });
    total += r.count;
  }
  const nrOfSlot: number[] = new Array(total);
  for (const r of ranges) for (let i = 0; i < r.count; i++) nrOfSlot[r.start + i] = r.base + i;
  const nameOfSlot: (string | undefined)[] = new Array(total).fill(undefined);
  const map: SlotMap = { base: abi.base, main: abi.count, total, ranges, nrOfSlot, nameOfSlot };
  for (const [name, nr] of Object.entries(abi.names)) {
    const s = slotOf(map, nr);
    // Aliases share a number (Alpha's getpid/getxpid): the first name in the record wins.
    if (s >= 0) nameOfSlot[s] ??= name;
  }
  return map;
}

/** The slot of an integer call number, or -1 when no range holds it. */
export function slotOf(map: SlotMap, nr: number): number {
  for (const r of map.ranges) {
    const i = nr - r.base;
    if (i >= 0 && i < r.count) return r.start + i;
  }
  return -1;
}

/** "write (64)" or "64" for error messages. */
export function describeSlot(map: SlotMap, slot: number): string {
  const name = map.nameOfSlot[slot];
  const nr = map.nrOfSlot[slot]!;
  return name === undefined ? String(nr) : `${name} (${nr})`;
}
