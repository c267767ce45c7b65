// Numbers read as strace reads them with the C library (strtoll, strtoull,
// strtod and its own string_to_uint_ex and parse_ts), so that an expression
// strace takes is taken here with the same value and one it refuses is
// refused. Behaviour learnt from strace's string_to_uint.c and util.c.

const SPACE = /^[ \t\n\v\f\r]*/;

/** strtoll(s, &end, 10): the value and where it stopped, or undefined when no digit was read. */
function strtoll10(s: string): { value: bigint; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return { value: m[1] === '-' ? -v : v, end: m[0].length };
}

/**
 * strace's string_to_uint_ex: a decimal number 0..max that ends the string
 * or stops at one of `endings`; the value and the rest, or undefined.
 */
export function uintEx(s: string, max: number, endings = ''): { value: number; rest: string } | undefined {
  if (s === '') return undefined;
  const r = strtoll10(s);
  if (!r || r.value < 0n || r.value > BigInt(max)) return undefined;
  const rest = s.slice(r.end);
  if (rest !== '' && !endings.includes(rest[0]!)) return undefined;
  return { value: Number(r.value), rest };
}

/** strace's string_to_uint_upto: the whole string a decimal number 0..max, or undefined. */
export function uintUpto(s: string, max: number): number | undefined {
  const r = uintEx(s, max);
  return r && r.rest === '' ? r.value : undefined;
}

const U64 = (1n << 64n) - 1n;

/**
 * strtoull(s, &end, 0) with the whole string read, as strace reads
 * retval=: leading space, a sign (a minus wraps modulo 2^64), 0x hex, 0
 * octal or decimal. Undefined when it reads nothing, stops early or
 * overflows 64 bits.
 */
export function strtoull0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(s.replace(SPACE, ''));
  if (!m) return undefined;
  const digits = m[2]!;
  const v = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (v > U64) return undefined; // ERANGE
  return m[1] === '-' ? (U64 + 1n - v) & U64 : v;
}

const UNITS: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

/**
 * strace's parse_ts: a duration, microseconds unless it ends in s, ms, us
 * or ns (any case); an integer, or a non-negative decimal fraction with an
 * exponent allowed. Nanoseconds, or undefined when strace refuses it.
 * NaN and hexadecimal fractions (which strtod reads) are refused.
 */
export function parseTs(s: string): bigint | undefined {
  const floatLen = /^[eE.+\-0-9]*/.exec(s)![0].length;
  const intLen = /^[+0-9]*/.exec(s)![0].length;
  if (floatLen > intLen) {
    const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
    if (!m) return undefined;
    const v = Number(m[0]);
    // strtod's ERANGE: overflow, and underflow to zero or to a subnormal.
    if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(m[1]!)) || (v !== 0 && Math.abs(v) < 2.2250738585072014e-308)) return undefined;
    if (v < 0) return undefined;
    const scale = unit(s.slice(m[0].length));
    if (scale === undefined) return undefined;
    const per = 1e9 / scale;
    const sec = Math.trunc(v / per);
    const nsec = Math.trunc((v - sec * per) * scale) % 1e9;
    return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
  }
  const r = strtoll10(s); // string_to_uint_ex(s, LLONG_MAX, "smun")
  if (!r || r.value < 0n || r.value > (1n << 63n) - 1n) return undefined;
  const rest = s.slice(r.end);
  if (rest !== '' && !'smun'.includes(rest[0]!)) return undefined;
  const scale = unit(rest);
  return scale === undefined ? undefined : r.value * BigInt(scale);
}

/** The nanoseconds of a parse_ts unit suffix ('' is microseconds), or undefined. */
function unit(suffix: string): number | undefined {
  if (suffix === '') return 1e3;
  const key = suffix.toLowerCase();
  return Object.hasOwn(UNITS, key) ? UNITS[key] : undefined;
}
