// Name <-> number lookups for any Abi. Hand-written.
import type { Abi } from './types.js';
import { readAbi } from './read.js';
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { slotMap, slotOf, type SlotMap } from '../slots.js';

interface Lookup {
  names: Record<string, number>;
  map: SlotMap;
}

// Built on first use per abi object, from one read of each of its fields.
const lookups = new WeakMap<object, Lookup>();

/** The lookup tables of `abi`, or EBADSPEC naming `what` when it is not an ABI object. */
function lookupOf(abi: Abi, what: string): Lookup {
  const known = abi !== null && typeof abi === 'object' ? lookups.get(abi) : undefined;
  if (known !== undefined) return known;
  const own = readAbi(abi);
  if (typeof own === 'string') throw new SystabError('EBADSPEC', `${what}() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (got ${show(abi)})`);
  const l: Lookup = { names: own.names, map: slotMap(own) };
  lookups.set(abi, l);
  return l;
}

/**
 * The number of call `name` in `abi`, or undefined if the ABI lacks it or
 * `name` is not a string. An ABI object is read once, at its first lookup;
 * one that is not an ABI object throws EBADSPEC. With a generated ABI, a
 * literal name it lacks does not compile and a name it has is a `number`;
 * a `string` variable may be anything (`number | undefined`).
 */
export function abiNumber<N extends string>(abi: Abi<N>, name: N): string extends N ? number | undefined : number;
export function abiNumber<S extends string>(abi: Abi, name: string extends S ? S : never): number | undefined;
export function abiNumber(abi: Abi, name: string): number | undefined {
  const { names } = lookupOf(abi, 'abiNumber');
  if (typeof name !== 'string' || !Object.hasOwn(names, name)) return undefined;
  return names[name];
}

/**
 * The name of call number `nr` in `abi`, or undefined if unassigned or `nr`
 * is not an integer. An ABI object is read once, at its first lookup; one
 * that is not an ABI object throws EBADSPEC.
 */
export function abiName<N extends string>(abi: Abi<N>, nr: number): N | undefined {
  const { map } = lookupOf(abi, 'abiName');
  if (!Number.isInteger(nr)) return undefined;
  const s = slotOf(map, nr);
  return s < 0 ? undefined : (map.nameOfSlot[s] as N | undefined);
}
