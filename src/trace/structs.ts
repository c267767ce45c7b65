// Structs as strace prints them abbreviated (its default, no -v): struct
// stat, timespec, iovec, sockaddr, sigaction, sigset, rlimit, utsname.
// Each returns the address instead when the memory cannot be read.
import { addr, cstringField, type Ctx, octal, strn } from './call.js';
import { quoteBytes } from './escape.js';
import type { Layout } from './layout.js';
import { flags, hex, lookup, xval } from './xlat.js';

/** st_mode / stx_mode as print_symbolic_mode_t: `S_IFREG|S_ISUID|0755`. */
export function symbolicMode(c: Ctx, mode: bigint): string {
  const fmt = mode & 0o170000n;
  const ifmt = fmt === 0n ? '' : lookup(c.x('modetypes'), fmt);
  if (ifmt === null) return octal(mode);
  return ifmt + (ifmt ? '|' : '') + (mode & 0o4000n ? 'S_ISUID|' : '') + (mode & 0o2000n ? 'S_ISGID|' : '') +
    (mode & 0o1000n ? 'S_ISVTX|' : '') + octal(mode & 0o777n);
}

/** struct stat: `{st_mode=S_IFREG|0644, st_size=383, ...}`; char and block devices show st_rdev. */
export function stat(c: Ctx, L: Layout, v: bigint): string {
  const b = c.g.bytes(v, L.stat.bytes);
  if (b === null || v === 0n) return addr(v);
  const mode = c.g.uint(b, L.stat.mode, 4);
  const fmt = mode & 0o170000n;
  const m = symbolicMode(c, mode);
  const second = fmt === 0o020000n || fmt === 0o060000n
    ? `st_rdev=${makedev(c.g.uint(b, L.stat.rdev, 8))}`
    : `st_size=${BigInt.asIntN(64, c.g.uint(b, L.stat.size, 8))}`;
  return `{st_mode=${m}, ${second}, ...}`;
}

/** makedev(major, minor) of a Linux dev_t, in hex as strace prints it. */
export function makedev(dev: bigint): string {
  const major = ((dev >> 32n) & 0xfffff000n) | ((dev >> 8n) & 0xfffn);
  const minor = ((dev >> 12n) & 0xffffff00n) | (dev & 0xffn);
  return `makedev(${hex(major)}, ${hex(minor)})`;
}

/** struct timespec: `{tv_sec=0, tv_nsec=1000}`. */
export function timespec(c: Ctx, v: bigint): string {
  const w = c.g.word;
  const b = v === 0n ? null : c.g.bytes(v, 2 * w);
  if (b === null) return addr(v);
  const sec = BigInt.asIntN(w * 8, c.g.wordAt(b, 0)), nsec = BigInt.asIntN(w * 8, c.g.wordAt(b, w));
  return `{tv_sec=${sec}, tv_nsec=${nsec}}`;
}

/**
 * An iovec array of count entries: `[{iov_base="...", iov_len=8}, ...]`,
 * the bases printed as strings of at most `data` bytes in all (readv's
 * result; -1n for no limit), or as addresses when showData is false.
 * More entries than -s prints `...` after them, as strace's print_array.
 */
export function iovec(c: Ctx, v: bigint, count: bigint, data: bigint, showData: boolean): string {
  if (v === 0n) return 'NULL';
  if (count === 0n) return '[]';
  const w = c.g.word;
  const parts: string[] = [];
  let left = data;
  const n = count > BigInt(c.strSize) ? c.strSize : Number(count);
  for (let i = 0; i < n; i++) {
    const b = c.g.bytes(v + BigInt(i * 2 * w), 2 * w);
    if (b === null) {
      if (i === 0) return addr(v);
      parts.push(`... /* ${addr(v + BigInt(i * 2 * w))} */`);
      return `[${parts.join(', ')}]`;
    }
    const base = c.g.wordAt(b, 0), len = c.g.wordAt(b, w);
    let shown = len;
    if (left >= 0n) { if (shown > left) shown = left; left -= shown; }
    parts.push(`{iov_base=${showData ? strn(c, base, shown) : addr(base)}, iov_len=${len}}`);
  }
  if (count > BigInt(n)) parts.push('...');
  return `[${parts.join(', ')}]`;
}

/** A signal number's name: SIGUSR1, SIGRTMIN, SIGRT_2 (the generic Linux numbering, which x86_64 and riscv64 share). */
export const SIGNALS = ['', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE',
  'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH',
  'IO', 'PWR', 'SYS', 'RTMIN'];

export function signame(sig: number): string | null {
  if (sig > 0 && sig < SIGNALS.length) return 'SIG' + SIGNALS[sig];
  if (sig > 32 && sig <= 64) return `SIGRT_${sig - 32}`;
  return null;
}

/** printsignal: the name or the number. */
export const signal = (sig: number): string => signame(sig) ?? String(sig);

/** A signal mask of 64 bits: `[USR2]`, `~[KILL STOP]` when 2/3 or more bits are set. */
export function sigmask(mask: bigint, bytes = 8): string {
  const bits = Math.min(bytes, 8) * 8;
  let set = 0;
  for (let i = 0; i < bits; i++) if ((mask >> BigInt(i)) & 1n) set++;
  const words = Math.ceil(Math.min(bytes, 8) / 4);
  let prefix = '';
  if (set >= Math.floor(words * 32 * 2 / 3)) {
    mask = ~mask & ((1n << BigInt(words * 32)) - 1n);
    prefix = '~';
  }
  const names: string[] = [];
  for (let i = 0; i < words * 32; i++) {
    if (!((mask >> BigInt(i)) & 1n)) continue;
    const s = i + 1;
    names.push(s < SIGNALS.length ? SIGNALS[s]! : s <= 64 ? `RT_${s - 32}` : String(s));
  }
  return `${prefix}[${names.join(' ')}]`;
}

/** print_sigset_addr_len: the mask at v of len bytes. */
export function sigset(c: Ctx, v: bigint, len: bigint): string {
  if (len < 1n || len > 8n) return addr(v);
  const b = v === 0n ? null : c.g.bytes(v, Number(len));
  if (b === null) return addr(v);
  let m = 0n;
  for (let i = 0; i < Number(len); i++) m |= BigInt(b[c.g.little ? i : Number(len) - 1 - i]!) << BigInt(8 * i);
  return sigmask(m, Number(len));
}

/** The kernel's struct sigaction: `{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}`. */
export function sigaction(c: Ctx, L: Layout, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, L.sigaction.bytes);
  if (b === null) return addr(v);
  const w = c.g.word;
  const handler = c.g.wordAt(b, 0), fl = c.g.wordAt(b, w), mask = c.g.uint(b, L.sigaction.mask, 8);
  const all = (1n << BigInt(w * 8)) - 1n;
  const h = handler === 0n ? 'SIG_DFL' : handler === 1n ? 'SIG_IGN' : handler === all ? 'SIG_ERR' : addr(handler);
  let out = `{sa_handler=${h}, sa_mask=${sigmask(mask)}, sa_flags=${flags(c.x('sigact_flags'), fl, 'SA_???')}`;
  const restorerBit = lookup(c.x('sigact_flags'), 0x4000000n) === 'SA_RESTORER';
  if (L.sigaction.restorer !== undefined && restorerBit && (fl & 0x4000000n)) out += `, sa_restorer=${addr(c.g.wordAt(b, L.sigaction.restorer))}`;
  return out + '}';
}

/** print_rlim64_t: RLIM64_INFINITY, N*1024, or N. */
function rlim(v: bigint): string {
  if (v === 0xffffffffffffffffn) return 'RLIM64_INFINITY';
  if (v > 1024n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return v.toString();
}

/** struct rlimit64: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`. */
export function rlimit64(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 16);
  if (b === null) return addr(v);
  return `{rlim_cur=${rlim(c.g.uint(b, 0, 8))}, rlim_max=${rlim(c.g.uint(b, 8, 8))}}`;
}

/** struct utsname, abbreviated: `{sysname="Linux", nodename="host", ...}`. */
export function utsname(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 65 * 6);
  if (b === null) return addr(v);
  return `{sysname=${cstringField(c, b.subarray(0, 65))}, nodename=${cstringField(c, b.subarray(65, 130))}, ...}`;
}

/** int[2] of pipe2 and socketpair: `[3, 4]`. */
export function fdPair(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 8);
  if (b === null) return addr(v);
  return `[${BigInt.asIntN(32, c.g.uint(b, 0, 4))}, ${BigInt.asIntN(32, c.g.uint(b, 4, 4))}]`;
}

/** inet_ntop for IPv6, as glibc writes it: the longest run of zero groups as ::, an embedded IPv4 tail. */
export function ipv6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i]! << 8) | b[i + 1]!);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best >= 0 && i >= best && i < best + bestLen) {
      if (i === best) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += w[i]!.toString(16);
  }
  if (best >= 0 && best + bestLen === 8) out += ':';
  return out;
}

/** A socket address of len bytes: AF_INET, AF_INET6 and AF_UNIX decoded, others as hex data. */
export function sockaddr(c: Ctx, v: bigint, len: number): string {
  if (len < 2) return addr(v);
  const n = Math.min(len, 128);
  const b = v === 0n ? null : c.g.bytes(v, n);
  if (b === null) return addr(v);
  const fam = Number(c.g.uint(b, 0, 2));
  let out = `{sa_family=${xval(c.x('addrfams'), BigInt(fam), 'AF_???')}`;
  if (n > 2) {
    const port = (b[2]! << 8) | b[3]!;
    if (fam === 1) {
      const p = b.subarray(2, Math.min(n, 110));
      out += p[0] !== 0 ? `, sun_path=${quoteBytes(p, p.indexOf(0) >= 0 ? p.indexOf(0) : p.length, c.hexStyle, true)}`
        : `, sun_path=@${quoteBytes(p.subarray(1), p.length - 1, c.hexStyle)}`;
    } else if (fam === 2 && n >= 16) {
      out += `, sin_port=htons(${port}), sin_addr=inet_addr("${b[4]}.${b[5]}.${b[6]}.${b[7]}")`;
    } else if (fam === 10 && n >= 24) {
      const flow = ((b[4]! << 24) >>> 0) + ((b[5]! << 16) | (b[6]! << 8) | b[7]!);
      out += `, sin6_port=htons(${port}), sin6_flowinfo=htonl(${flow}), inet_pton(AF_INET6, "${ipv6(b.subarray(8, 24))}", &sin6_addr)`;
      if (n > 24) out += `, sin6_scope_id=${c.g.uint(b, 24, 4)}`;
    } else {
      out += `, sa_data=${quoteBytes(b.subarray(2), n - 2, c.hexStyle)}`;
    }
  }
  return out + '}';
}

/** printstr of a C string: up to its NUL, cut at -s with `...`. */
export function cstr(c: Ctx, v: bigint): string {
  if (v === 0n) return 'NULL';
  const b = c.g.cstring(v, c.strSize + 1);
  if (b === null) return addr(v);
  const nul = b.indexOf(0);
  if (nul >= 0) return quoteBytes(b, nul, c.hexStyle, true);
  return quoteBytes(b, Math.min(c.strSize, b.length), c.hexStyle, true) + '...';
}

/** execve's argv: `["ls", "-l"]`, `...` past -s entries, `... /* 0xaddr *\/` where memory ends. */
export function argv(c: Ctx, v: bigint): string {
  if (v === 0n) return 'NULL';
  const w = c.g.word;
  const parts: string[] = [];
  for (let n = 0; ; n++) {
    const at = v + BigInt(n * w);
    const b = c.g.bytes(at, w);
    if (b === null) {
      if (n === 0) return addr(v);
      parts.push(`... /* ${addr(at)} */`);
      break;
    }
    const word = c.g.wordAt(b, 0);
    if (word === 0n) break;
    if (n >= c.strSize) { parts.push('...'); break; }
    parts.push(cstr(c, word));
  }
  return `[${parts.join(', ')}]`;
}

/** execve's envp: its address and `/* 35 vars *\/`. */
export function envc(c: Ctx, v: bigint): string {
  if (v === 0n) return 'NULL';
  const w = c.g.word;
  let n = 0, cut = false;
  // Bounded: a guest's environment has far fewer than 2^20 entries.
  for (; n < 1 << 20; n++) {
    const b = c.g.bytes(v + BigInt(n * w), w);
    if (b === null) { if (n === 0) return addr(v); cut = true; break; }
    if (c.g.wordAt(b, 0) === 0n) break;
  }
  return `${addr(v)} /* ${n} var${n === 1 ? '' : 's'}${cut ? ', unterminated' : ''} */`;
}
