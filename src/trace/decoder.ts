// The shape of one call's decoder, shared by the Linux and WASI tables.
import type { Ctx } from './call.js';

/** How a result prints: signed decimal, hex (brk, mmap), octal (umask), or `?` (the call does not return). */
export type RetStyle = 'd' | 'x' | 'o' | 'none';

export interface Decoder {
  /** What strace prints at entry: the arguments up to the first one the call writes, with the `, ` that follows them. */
  enter(c: Ctx): string;
  /** The rest, printed once the call returned. */
  exit?(c: Ctx): string;
  ret?: RetStyle;
  /** A successful result's `(text)` and style (fcntl F_GETFL: `= 0x8002 (flags O_RDWR|O_LARGEFILE)`). */
  aux?(c: Ctx): { text: string; hex: boolean } | null;
}
