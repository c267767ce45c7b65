// More structs strace prints abbreviated: statx, a getdents64 buffer (its
// address and entry count), timeval and timezone.
import { addr, type Ctx } from './call.js';
import { signame, symbolicMode } from './structs.js';
import { flags, hex } from './xlat.js';

/** struct statx (include/uapi/linux/stat.h, the same on every ABI): `{stx_mask=..., stx_attributes=0, stx_mode=..., stx_size=..., ...}`. */
export function statx(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 256);
  if (b === null) return addr(v);
  const mask = c.g.uint(b, 0, 4);
  let out = `{stx_mask=${flags(c.x('statx_masks'), mask, 'STATX_???')}, stx_attributes=${flags(c.x('statx_attrs'), c.g.uint(b, 8, 8), 'STATX_ATTR_???')}`;
  if (mask & 3n) out += `, stx_mode=${symbolicMode(c, c.g.uint(b, 28, 2))}`;
  if (mask & 0x200n) out += `, stx_size=${c.g.uint(b, 40, 8)}`;
  return out + ', ...}';
}

/** statx's flags: the sync type, then the AT_ flags. */
export function statxFlags(c: Ctx, v: bigint): string {
  const sync = flags(c.x('at_statx_sync_types'), v & 0x6000n, null);
  const rest = v & ~0x6000n;
  return rest === 0n ? sync : `${sync}|${flags(c.x('at_flags'), rest, null)}`;
}

/** A getdents64 buffer of len bytes, abbreviated: `0x55d0c0a5a2b0 /* 5 entries *\/`. */
export function dirents64(c: Ctx, v: bigint, len: bigint): string {
  const HEAD = 19; // offsetof(struct linux_dirent64, d_name)
  let count = 0, left = Number(len), at = v;
  while (left >= HEAD) {
    const b = c.g.bytes(at, HEAD);
    if (b === null) break;
    count++;
    const reclen = Math.min(Math.max(Number(c.g.uint(b, 16, 2)), HEAD), left);
    left -= reclen;
    at += BigInt(reclen);
  }
  return `${addr(v)} /* ${count}${left > 0 ? '+' : ''} entries */`;
}

/** struct timeval: `{tv_sec=1, tv_usec=2}`. */
export function timeval(c: Ctx, v: bigint): string {
  const w = c.g.word;
  const b = v === 0n ? null : c.g.bytes(v, 2 * w);
  if (b === null) return addr(v);
  return `{tv_sec=${BigInt.asIntN(w * 8, c.g.wordAt(b, 0))}, tv_usec=${c.g.wordAt(b, w)}}`;
}

/** struct timezone: `{tz_minuteswest=0, tz_dsttime=0}`. */
export function timezone(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 8);
  if (b === null) return addr(v);
  return `{tz_minuteswest=${BigInt.asIntN(32, c.g.uint(b, 0, 4))}, tz_dsttime=${BigInt.asIntN(32, c.g.uint(b, 4, 4))}}`;
}

/** struct sysinfo (64-bit ABIs), printed whole as strace does: `{uptime=..., loads=[...], ..., mem_unit=1}`. */
export function sysinfo(c: Ctx, v: bigint): string {
  const b = v === 0n ? null : c.g.bytes(v, 112);
  if (b === null || c.g.word !== 8) return addr(v);
  const u = (off: number, size = 8) => c.g.uint(b, off, size).toString();
  return `{uptime=${BigInt.asIntN(64, c.g.uint(b, 0, 8))}, loads=[${u(8)}, ${u(16)}, ${u(24)}], totalram=${u(32)}, freeram=${u(40)}, ` +
    `sharedram=${u(48)}, bufferram=${u(56)}, totalswap=${u(64)}, freeswap=${u(72)}, procs=${u(80, 2)}, totalhigh=${u(88)}, ` +
    `freehigh=${u(96)}, mem_unit=${u(104, 4)}}`;
}

/** A CPU set of len bytes: `[0 1]`, as strace's print_affinitylist (its cap at the host's CPU set size left out). */
export function cpuset(c: Ctx, v: bigint, len: number): string {
  if (v === 0n) return addr(v);
  if (len === 0) return '[]';
  // strace reads at most the host's CPU set size; 1024 bytes (8192 CPUs) stands in for it.
  const size = Math.min(len, 1024);
  const b = c.g.bytes(v, size);
  if (b === null) return addr(v);
  const cpus: string[] = [];
  // Byte i, bit j is CPU 8i + j on the little-endian ABIs decoded here.
  for (let i = 0; i < size * 8; i++) if (b[i >> 3]! & (1 << (i & 7))) cpus.push(String(i));
  if (size < len) cpus.push('...');
  return `[${cpus.join(' ')}]`;
}

/** A wait status as strace's printstatus: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`. */
export function waitStatus(status: number): string {
  const sig = (n: number) => signame(n) ?? String(n);
  let s = status, text: string;
  if ((s & 0xff) === 0x7f) { // WIFSTOPPED
    const st = (s >> 8) & 0xff;
    text = `{WIFSTOPPED(s) && WSTOPSIG(s) == ${sig(st & 0x7f)}${st & 0x80 ? ' | 0x80' : ''}}`;
    s &= ~((st << 8) | 0x7f);
  } else if ((s & 0x7f) !== 0 && (s & 0x7f) !== 0x7f) { // WIFSIGNALED
    text = `{WIFSIGNALED(s) && WTERMSIG(s) == ${sig(s & 0x7f)}${s & 0x80 ? ' && WCOREDUMP(s)' : ''}}`;
    s &= ~(0x7f | 0x80);
  } else if ((s & 0x7f) === 0) { // WIFEXITED
    text = `{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}`;
    s &= ~0xff00;
  } else if (s === 0xffff) { // WIFCONTINUED
    return '[{WIFCONTINUED(s)}]';
  } else return `[${hex(BigInt(s >>> 0))}]`;
  if (s !== 0) {
    const event = s >>> 16;
    if (event) { text += `|${hex(BigInt(event))} /* PTRACE_EVENT_??? */<<16`; s &= 0xffff; }
    if (s) text += `|${hex(BigInt(s >>> 0))}`;
  }
  return `[${text}]`;
}

/** struct rusage, abbreviated: `{ru_utime={tv_sec=0, tv_usec=12}, ru_stime={...}, ...}`. */
export function rusage(c: Ctx, v: bigint): string {
  const w = c.g.word;
  if (v === 0n || c.g.bytes(v, 4 * w) === null) return addr(v);
  return `{ru_utime=${timeval(c, v)}, ru_stime=${timeval(c, v + BigInt(2 * w))}, ...}`;
}
