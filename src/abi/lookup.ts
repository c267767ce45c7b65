// Name <-> number lookups for any Abi. Hand-written.
import type { Abi } from './types.js';
import { slotMap, slotOf, type SlotMap } from '../slots.js';

// Built on first use per abi object.
const maps = new WeakMap<Abi, SlotMap>();

/** The number of call `name` in `abi`, or undefined if the ABI lacks it or `name` is not a string. */
export function abiNumber(abi: Abi, name: string): number | undefined {
  if (typeof name !== 'string' || !Object.hasOwn(abi.names, name)) return undefined;
  return abi.names[name];
}

/** The name of call number `nr` in `abi`, or undefined if unassigned or `nr` is not an integer. */
export function abiName(abi: Abi, nr: number): string | undefined {
  if (!Number.isInteger(nr)) return undefined;
  let m = maps.get(abi);
  if (m === undefined) maps.set(abi, (m = slotMap(abi)));
  const s = slotOf(m, nr);
  return s < 0 ? undefined : m.nameOfSlot[s];
}
