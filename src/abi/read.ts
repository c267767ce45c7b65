// Reads an ABI object handed in by a user: every field once, into a frozen
// copy, or the reason it is not one. createTable, attach and the lookups use
// the copy, so a getter cannot answer one thing to a check and another later.
import type { Abi, AbiRange } from './types.js';

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
/** Most slots a table may have (the largest ABI, ARM's, has 478). */
export const MAX_SLOTS = 1 << 16;

/** A frozen copy of `given`'s fields, or the reason it is not an ABI object. */
export function readAbi(given: unknown): Abi | string {
  if (given === null || typeof given !== 'object') return 'abi must be an ABI object';
  let a: Record<string, unknown>;
  try {
    a = { ...(given as Record<string, unknown>) }; // each own field read once
  } catch (e) {
    return `abi could not be read (${e instanceof Error ? e.message : String(e)})`;
  }
  const { id, convention, base, count, extra, names, errno, enosys, signatures, unimplemented, callIndex } = a;
  if (typeof id !== 'string' || id === '') return 'abi.id must be a non-empty string';
  if (convention !== 'negative' && convention !== 'positive') return `abi.convention must be 'negative' or 'positive'`;
  if (!isInt(base, I32_MIN, I32_MAX) || !isInt(count, 1, MAX_SLOTS) || !isInt(base + count - 1, I32_MIN, I32_MAX)) return 'abi.base and abi.count must be a range of 32-bit call numbers';
  if (!Array.isArray(extra)) return 'abi.extra must be an array of ranges';
  const ranges: AbiRange[] = [{ base, count }];
  for (let i = 0; i < extra.length; i++) {
    const r: unknown = extra[i];
    const rb = r !== null && typeof r === 'object' ? (r as { base?: unknown }).base : undefined;
    const rc = r !== null && typeof r === 'object' ? (r as { count?: unknown }).count : undefined;
    if (!isInt(rb, I32_MIN, I32_MAX) || !isInt(rc, 1, MAX_SLOTS) || !isInt(rb + rc - 1, I32_MIN, I32_MAX)) return 'abi.extra must be an array of { base, count } ranges of 32-bit call numbers';
    ranges.push(Object.freeze({ base: rb, count: rc }));
  }
  let total = 0;
  for (const r of ranges) {
    if (ranges.some((o) => o !== r && r.base < o.base + o.count && o.base < r.base + r.count)) return 'abi ranges overlap';
    total += r.count;
  }
  if (total > MAX_SLOTS) return `abi has ${total} slots; a table holds at most ${MAX_SLOTS}`;
  const table: Record<string, Record<string, number>> = {};
  for (const [field, o] of [['names', names], ['errno', errno]] as const) {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return `abi.${field} must be an object of numbers`;
    const own: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) {
      if (!isInt(v, I32_MIN, I32_MAX)) return `abi.${field} must be an object of numbers`;
      own[k] = v;
    }
    table[field] = Object.freeze(own);
  }
  if (!isInt(enosys, I32_MIN, I32_MAX)) return 'abi.enosys must be a 32-bit integer';
  const out: Abi = { id, convention, base, count, extra: Object.freeze(ranges.slice(1)) as AbiRange[], names: table.names!, errno: table.errno!, enosys };
  if (signatures !== undefined) out.signatures = signatures as Abi['signatures'];
  if (unimplemented !== undefined) {
    const bad = 'abi.unimplemented must be an array of call numbers that abi.names holds';
    if (!Array.isArray(unimplemented)) return bad;
    const numbers = new Set(Object.values(table.names!));
    const own: number[] = [];
    for (let i = 0; i < unimplemented.length; i++) {
      const nr: unknown = unimplemented[i];
      if (typeof nr !== 'number' || !numbers.has(nr)) return bad;
      own.push(nr);
    }
    out.unimplemented = Object.freeze(own) as number[];
  }
  if (callIndex !== undefined) {
    if (typeof callIndex !== 'string') return 'abi.callIndex must be a string';
    out.callIndex = callIndex;
  }
  return Object.freeze(out);
}

/** Every slot of `abi`: its main range and its extra ranges. */
export function totalSlots(abi: Abi): number {
  let n = abi.count;
  for (const r of abi.extra) n += r.count;
  return n;
}

/**
 * An i32 FNV-1a hash of everything a table relies on in its ABI: id,
 * convention, ranges, ENOSYS, and the sorted name -> number and errno sets.
 * The header stores it (H_ABI): two ABI objects that differ in any of them
 * cannot share a table. `unimplemented`, `signatures` and `callIndex` change
 * no slot and are left out.
 */
export function abiFingerprint(abi: Abi): number {
  const pairs = (o: Record<string, number>): string =>
    Object.keys(o)
      .sort()
      .map((k) => `${k}=${o[k]}`)
      .join(',');
  const text = [abi.id, abi.convention, abi.base, abi.count, abi.enosys, abi.extra.map((r) => `${r.base}+${r.count}`).join(','), pairs(abi.names), pairs(abi.errno)].join('\n');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), 0x01000193);
    h = Math.imul(h ^ (c >>> 8), 0x01000193);
  }
  return h | 0;
}
