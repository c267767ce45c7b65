// createFormatter()'s options, checked once: each wrong one is an EBADSPEC
// that names the option, what it got and what it takes.
import type { Abi } from '../abi/types.js';
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import type { HexStyle } from './escape.js';
import type { GuestReader } from './guest.js';

export interface FormatterOptions {
  abi: Abi;
  /** Guest memory: bytes at an address, or null. Without it pointers print as hex. */
  read?: GuestReader;
  /** strace -s: bytes of a buffer shown before `...` (default 32). */
  strSize?: number;
  /** strace -x ('non-ascii'), -xx ('all'), --strings-in-hex=non-ascii-chars. */
  hex?: HexStyle;
  /** strace -a: the column results align to (default 40). */
  column?: number;
  /** Arguments of a call printed raw (no decoder): strace's nargs for it. Default 6. */
  nargs?: (name: string) => number | undefined;
}

const KEYS = ['abi', 'read', 'strSize', 'hex', 'column', 'nargs'];
const HEX: readonly unknown[] = [0, 'non-ascii', 'all', 'non-ascii-chars'];
const bad = (msg: string) => new SystabError('EBADSPEC', `createFormatter(): ${msg}`);

/** Throws EBADSPEC for the first wrong option. */
export function checkOptions(o: unknown): asserts o is FormatterOptions {
  if (typeof o !== 'object' || o === null) throw bad(`takes an options object { abi, read?, strSize?, hex?, column?, nargs? } (got ${show(o)})`);
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.includes(k)) throw bad(`unknown option ${JSON.stringify(k)} (options: ${KEYS.join(', ')})`);
  const abi = r.abi as Partial<Abi> | undefined;
  if (typeof abi !== 'object' || abi === null || typeof abi.id !== 'string' || typeof abi.names !== 'object' || typeof abi.errno !== 'object' || (abi.convention !== 'negative' && abi.convention !== 'positive')) {
    throw bad(`abi must be an ABI object, e.g. abi from 'systab/abi/linux-x86_64' (got ${show(r.abi)})`);
  }
  if (r.read !== undefined && typeof r.read !== 'function') throw bad(`read must be a function (addr, len) => Uint8Array | null (got ${show(r.read)})`);
  if (r.nargs !== undefined && typeof r.nargs !== 'function') throw bad(`nargs must be a function (name) => number | undefined (got ${show(r.nargs)})`);
  for (const k of ['strSize', 'column'] as const) {
    const v = r[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x3fffffff)) {
      throw bad(`${k} must be an integer from 0 to ${0x3fffffff} (got ${show(v)})`);
    }
  }
  if (r.hex !== undefined && !HEX.includes(r.hex)) throw bad(`hex must be 0, 'non-ascii' (-x), 'all' (-xx) or 'non-ascii-chars' (got ${show(r.hex)})`);
}
