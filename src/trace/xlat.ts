// Flags and constants printed as strace prints them (printflags_ex,
// printxvals_ex, sprintflags_ex in strace 6.1's xlat.c): names from its
// xlat tables in table order, unknown bits and values in hex.
import { XLAT } from './xlat.gen.js';

/** The architectures xlat.gen.ts holds values for. */
export type XlatArch = 'x86_64' | 'riscv64';
export type Xlat = readonly (readonly [string, bigint])[];

/** Parsed tables per architecture (no string key built per lookup: decoders look tables up on every call). */
const cache: Record<XlatArch, Map<string, Xlat>> = { x86_64: new Map(), riscv64: new Map() };

/** One of strace's tables (data/strace/xlat/<name>.in) with its values on arch. */
export function table(arch: XlatArch, name: string): Xlat {
  let t = cache[arch].get(name);
  if (t === undefined) {
    const src = XLAT[name];
    if (src === undefined) throw new Error(`no xlat table ${name}`);
    const text = typeof src === 'string' ? src : src[arch];
    t = text === '' ? [] : text.split(' ').map((e) => {
      const at = e.indexOf(':');
      return [e.slice(0, at), BigInt('0x' + e.slice(at + 1))] as const;
    });
    cache[arch].set(name, t);
  }
  return t;
}

/** `%#llx`: 0 as `0`, others `0x...`. */
export const hex = (v: bigint): string => (v === 0n ? '0' : '0x' + v.toString(16));

/** The first name whose value is v, or null (strace's xlookup). */
export function lookup(t: Xlat, v: bigint): string | null {
  for (const [name, value] of t) if (value === v) return name;
  return null;
}

/** printxval: the name, or `0x... /* dflt *\/`. */
export function xval(t: Xlat, v: bigint, dflt: string): string {
  return lookup(t, v) ?? `${hex(v)} /* ${dflt} */`;
}

/** printxval_d: the name, or the signed decimal value and the comment. */
export function xvalD(t: Xlat, v: bigint, dflt: string): string {
  return lookup(t, v) ?? `${BigInt.asIntN(64, v)} /* ${dflt} */`;
}

/**
 * printflags: matching names joined by `|` (a zero-valued name only for 0),
 * the unknown rest as `|0x...`; no name at all: `0x... /* dflt *\/`, or `0`.
 */
export function flags(t: Xlat, v: bigint, dflt: string | null): string {
  const names: string[] = [];
  for (const [name, value] of t) {
    if (v === value || (value !== 0n && (v & value) === value)) {
      names.push(name);
      v &= ~value;
    }
    if (v === 0n) break;
  }
  if (names.length > 0) return v !== 0n ? `${names.join('|')}|${hex(v)}` : names.join('|');
  if (v !== 0n) return dflt === null ? hex(v) : `${hex(v)} /* ${dflt} */`;
  return '0';
}

/**
 * sprintflags with a separator already started (strace's open modes, mmap
 * flags after the type): names joined by `|`, the rest as hex; null when
 * nothing was printed.
 */
export function flagsRest(t: Xlat, v: bigint): string | null {
  const names: string[] = [];
  for (const [name, value] of t) {
    if (v === 0n) break;
    if (value !== 0n && (v & value) === value) {
      names.push(name);
      v &= ~value;
    }
  }
  if (v !== 0n) names.push(hex(v));
  return names.length > 0 ? names.join('|') : null;
}

/** Open flags (open, openat, fcntl F_SETFL, F_GETFL): the access mode, then the flags. */
export function openModes(arch: XlatArch, v: bigint): string {
  const mode = lookup(table(arch, 'open_access_modes'), v & 3n);
  if (mode === null) return flagsRest(table(arch, 'open_mode_flags'), v) ?? '0';
  const rest = flagsRest(table(arch, 'open_mode_flags'), v & ~3n);
  return rest === null ? mode : `${mode}|${rest}`;
}
