// What a decoder sees of one call, and the argument printers strace's
// decoders share (printfd, printaddr, printpath, printstrn, PRINT_VAL_U...).
import type { Abi } from '../abi/types.js';
import { quoteBuffer, quoteCString, type HexStyle } from './escape.js';
import type { Guest } from './guest.js';
import { hex, table, type Xlat, type XlatArch } from './xlat.js';

/** strace's PATH_MAX cut for path names (they ignore -s). */
const PATH_MAX = 4096;

export class Ctx {
  /** The result as a signed word; set before exit printers run. */
  result = 0n;
  /** True when the result is an error. */
  failed = false;

  /** Arguments as unsigned registers, converted on first use (most decoders read few of them). */
  private readonly big: (bigint | undefined)[] = [];

  constructor(
    readonly abi: Abi,
    readonly arch: XlatArch,
    readonly g: Guest,
    /** The registers as the embedder passed them. */
    readonly args: readonly (number | bigint)[],
    /** Register width: 64, or 32 on 32-bit ABIs (WASI keeps 64 for its i64 arguments). */
    readonly bits: number,
    readonly strSize: number,
    readonly hexStyle: HexStyle,
  ) {}

  /** Argument i as the kernel's unsigned long. */
  u(i: number): bigint {
    let v = this.big[i];
    if (v === undefined) {
      const a = this.args[i];
      v = a === undefined ? 0n : typeof a === 'bigint' ? BigInt.asUintN(this.bits, a)
        : Number.isFinite(a) ? BigInt.asUintN(this.bits, BigInt(Math.trunc(a))) : 0n;
      this.big[i] = v;
    }
    return v;
  }

  /** Argument i as a signed long. */
  s(i: number): bigint {
    return BigInt.asIntN(this.g.word * 8, this.u(i));
  }

  /** Argument i as a C int (fds, signal numbers, ...). */
  int(i: number): number {
    return Number(BigInt.asIntN(32, this.u(i)));
  }

  /** Argument i as a C unsigned int (flags). */
  uint(i: number): bigint {
    return BigInt.asUintN(32, this.u(i));
  }

  x(name: string): Xlat {
    return table(this.arch, name);
  }

  /** Bytes of argument i's buffer, at most len: null when unreadable. */
  read(i: number, len: number): Uint8Array | null {
    const a = this.u(i);
    return a === 0n ? null : this.g.bytes(a, len);
  }
}

/** printaddr: NULL or hex. */
export const addr = (v: bigint): string => (v === 0n ? 'NULL' : '0x' + v.toString(16));

/** PRINT_VAL_U / PRINT_VAL_D / PRINT_VAL_X of an argument. */
export const U = (i: number) => (c: Ctx): string => c.u(i).toString();
export const D = (i: number) => (c: Ctx): string => c.s(i).toString();
export const X = (i: number) => (c: Ctx): string => hex(c.u(i));
/** An int argument: fds, pids, signal numbers in decimal. */
export const I = (i: number) => (c: Ctx): string => String(c.int(i));
export const P = (i: number) => (c: Ctx): string => addr(c.u(i));

/** print_dirfd: AT_FDCWD or the fd. */
export const DIRFD = (i: number) => (c: Ctx): string => (c.int(i) === -100 ? 'AT_FDCWD' : String(c.int(i)));

/** %#03o: 0644, 000. */
export const octal = (v: bigint): string => (v === 0n ? '000' : '0' + v.toString(8).padStart(2, '0'));
export const MODE = (i: number) => (c: Ctx): string => octal(c.u(i) & 0xffffn);

/** printpath: the NUL-terminated string, NULL, or the address when unreadable. */
export function path(c: Ctx, v: bigint): string {
  if (v === 0n) return 'NULL';
  const b = c.g.cstring(v, PATH_MAX + 1);
  return b === null ? addr(v) : quoteCString(b, PATH_MAX, c.hexStyle);
}
export const PATH = (i: number) => (c: Ctx): string => path(c, c.u(i));

/** printstrn: len bytes at v cut at -s, or the address when unreadable. */
export function strn(c: Ctx, v: bigint, len: bigint, hexStyle: HexStyle = c.hexStyle): string {
  if (v === 0n) return 'NULL';
  const want = len > BigInt(c.strSize + 1) ? c.strSize + 1 : Number(len);
  const b = c.g.bytes(v, want);
  return b === null ? addr(v) : quoteBuffer(b, Number(len > 1n << 52n ? 1n << 52n : len), c.strSize, hexStyle);
}

/** printstr of a C string array field (utsname): up to its NUL, cut at the field's size. */
export function cstringField(c: Ctx, b: Uint8Array): string {
  return quoteCString(b, b.length, c.hexStyle);
}

/** Decimal of an argument's flags/xval lookups. */
export type Arg = (c: Ctx) => string;
