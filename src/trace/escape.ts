// Strings quoted as strace quotes them (its string_quote(), learned from
// strace 6.1's util.c): \" \\ \f \n \r \t \v, printable ASCII as is, every
// other byte as the shortest octal escape, three digits when an octal digit
// follows. -x quotes the whole string in hex when any byte is neither
// printable nor whitespace; -xx always; -X non-printables only (\xNN).

/** strace's -x levels: 0 none, 'non-ascii' (-x), 'all' (-xx), 'non-ascii-chars' (--strings-in-hex=non-ascii-chars). */
export type HexStyle = 0 | 'non-ascii' | 'all' | 'non-ascii-chars';

const hex2 = (c: number): string => (c < 16 ? '0' : '') + c.toString(16);
const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;
const SIMPLE: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v' };

function octal(c: number, full: boolean): string {
  if (full) return '\\' + (c >> 6) + ((c >> 3) & 7) + (c & 7);
  return '\\' + c.toString(8);
}

/** True when -x would hex-quote the whole of bytes: a byte that is neither printable nor \t\n\v\f\r. */
function needsHex(bytes: Uint8Array, n: number, stopAtNul: boolean): boolean {
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (stopAtNul && c === 0) return false;
    if (c > 0x7e || (c < 0x20 && (c < 9 || c > 13))) return true;
  }
  return false;
}

/**
 * Quotes the first n bytes (quotes included). stopAtNul ends the string at
 * the first NUL, as for C strings. No `...` here: callers decide.
 */
export function quoteBytes(bytes: Uint8Array, n: number, hex: HexStyle = 0, stopAtNul = false): string {
  let out = '"';
  if (hex === 'all' || (hex === 'non-ascii' && needsHex(bytes, n, stopAtNul))) {
    for (let i = 0; i < n; i++) {
      const c = bytes[i]!;
      if (stopAtNul && c === 0) break;
      out += '\\x' + hex2(c);
    }
    return out + '"';
  }
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (stopAtNul && c === 0) break;
    const simple = SIMPLE[c];
    if (simple !== undefined) out += simple;
    else if (isPrint(c)) out += String.fromCharCode(c);
    else if (hex === 'non-ascii-chars') out += '\\x' + hex2(c);
    else {
      const next = i + 1 < n ? bytes[i + 1]! : -1;
      out += octal(c, next >= 0x30 && next <= 0x37);
    }
  }
  return out + '"';
}

/**
 * A buffer of len bytes as strace's printstrn() prints it with -s max: at
 * most max bytes, then `...` when len is longer. bytes holds what could be
 * read (up to max + 1 bytes is enough).
 */
export function quoteBuffer(bytes: Uint8Array, len: number, max: number, hex: HexStyle = 0): string {
  const n = Math.min(len, max, bytes.length);
  return quoteBytes(bytes, n, hex) + (len > max ? '...' : '');
}

/**
 * A C string as strace's printpath() prints it: up to the NUL; when no NUL
 * came within limit bytes, those bytes and `...`.
 */
export function quoteCString(bytes: Uint8Array, limit: number, hex: HexStyle = 0): string {
  const nul = bytes.subarray(0, limit).indexOf(0);
  if (nul >= 0) return quoteBytes(bytes, nul, hex, true);
  return quoteBytes(bytes, Math.min(limit, bytes.length), hex, true) + '...';
}
