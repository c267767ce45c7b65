// WASI preview1 calls in strace's style with the witx names and types
// (data/wasi-preview1/*.witx): `fd_write(1, [{"hello\n", 6}], 1, 0x1ff8c) = 0`.
// Arguments are the lowered core values: a witx string is (pointer,
// length) and prints as one quoted string; i64 values arrive as numbers
// or BigInts. Out-pointers print as addresses, except where the call's
// output is the point (fd_read's data, path_open's fd, clock_time_get's time).
import { addr, type Ctx, strn } from './call.js';
import type { Decoder } from './decoder.js';
import { quoteBuffer } from './escape.js';
import { hex } from './xlat.js';

/** witx enums and flags, in declaration order (bit i / value i). */
const CLOCKID = ['realtime', 'monotonic', 'process_cputime_id', 'thread_cputime_id'];
const WHENCE = ['set', 'cur', 'end'];
const FILETYPE = ['unknown', 'block_device', 'character_device', 'directory', 'regular_file', 'socket_dgram', 'socket_stream', 'symbolic_link'];
const FDFLAGS = ['append', 'dsync', 'nonblock', 'rsync', 'sync'];
const OFLAGS = ['creat', 'directory', 'excl', 'trunc'];
const LOOKUPFLAGS = ['symlink_follow'];
const PREOPENTYPE = ['dir'];

const p32 = (c: Ctx, i: number): bigint => BigInt.asUintN(32, c.u(i));
const s32 = (c: Ctx, i: number): string => String(BigInt.asIntN(32, c.u(i)));
const ptr = (c: Ctx, i: number): string => addr(p32(c, i));
const enumName = (names: string[], v: bigint): string => names[Number(v)] ?? `${v}`;

/** witx flags: names joined by `|`, unknown bits in hex, 0 as `0`. */
function wflags(names: string[], v: bigint): string {
  const out: string[] = [];
  names.forEach((n, i) => { if (v & (1n << BigInt(i))) { out.push(n); v &= ~(1n << BigInt(i)); } });
  if (v !== 0n) out.push(hex(v));
  return out.length > 0 ? out.join('|') : '0';
}

/** A (pointer, length) string argument. */
function str(c: Ctx, i: number): string {
  const a = p32(c, i), len = p32(c, i + 1);
  const b = c.g.bytes(a, Math.min(Number(len), c.strSize + 1));
  return b === null ? addr(a) : quoteBuffer(b, Number(len), c.strSize, c.hexStyle);
}

/** An iovec list: `[{"hello\n", 6}]`, at most `data` bytes shown in all (-1n: no limit). */
function iovs(c: Ctx, i: number, data: bigint): string {
  const a = p32(c, i), count = Number(p32(c, i + 1));
  if (count === 0) return '[]';
  const n = Math.min(count, c.strSize);
  const b = c.g.bytes(a, n * 8);
  if (b === null) return addr(a);
  const parts: string[] = [];
  let left = data;
  for (let k = 0; k < n; k++) {
    const base = c.g.uint(b, k * 8, 4), len = c.g.uint(b, k * 8 + 4, 4);
    let shown = len;
    if (left >= 0n) { if (shown > left) shown = left; left -= shown; }
    parts.push(`{${strn(c, base, shown)}, ${len}}`);
  }
  if (count > n) parts.push('...');
  return `[${parts.join(', ')}]`;
}

/** A u32 or u64 the call wrote: `[value]`, or the address after a failure. */
function outInt(c: Ctx, i: number, size: 4 | 8): string {
  const a = p32(c, i);
  const b = c.failed || a === 0n ? null : c.g.bytes(a, size);
  return b === null ? addr(a) : `[${c.g.uint(b, 0, size)}]`;
}

/** The u32 the call wrote at argument i (fd_read's nread), or -1n when unreadable. */
function readU32(c: Ctx, i: number): bigint {
  const b = c.g.bytes(p32(c, i), 4);
  return b === null ? -1n : c.g.uint(b, 0, 4);
}

function prestat(c: Ctx, i: number): string {
  const a = p32(c, i);
  const b = c.failed ? null : c.g.bytes(a, 8);
  if (b === null) return addr(a);
  return `{tag=${enumName(PREOPENTYPE, c.g.uint(b, 0, 1))}, pr_name_len=${c.g.uint(b, 4, 4)}}`;
}

function fdstat(c: Ctx, i: number): string {
  const a = p32(c, i);
  const b = c.failed ? null : c.g.bytes(a, 24);
  if (b === null) return addr(a);
  return `{fs_filetype=${enumName(FILETYPE, c.g.uint(b, 0, 1))}, fs_flags=${wflags(FDFLAGS, c.g.uint(b, 2, 2))}, ` +
    `fs_rights_base=${hex(c.g.uint(b, 8, 8))}, fs_rights_inheriting=${hex(c.g.uint(b, 16, 8))}}`;
}

const entry = (f: (c: Ctx) => string[]): Decoder => ({ enter: (c) => f(c).join(', ') });
const split = (e: (c: Ctx) => string[], x: (c: Ctx) => string[]): Decoder => ({
  enter: (c) => { const a = e(c); return a.length > 0 ? a.join(', ') + ', ' : ''; },
  exit: (c) => x(c).join(', '),
});

/** Every WASI call decoded beyond raw arguments, by witx name. */
export function wasiDecoders(): Record<string, Decoder> {
  // One statement per call (not one object literal): test/structure.test.ts reads imports with a regex that a long run of lines without `;` or quotes sends into backtracking.
  const d: Record<string, Decoder> = {};
  d.args_sizes_get = split(() => [], (c) => [outInt(c, 0, 4), outInt(c, 1, 4)]);
  d.environ_sizes_get = split(() => [], (c) => [outInt(c, 0, 4), outInt(c, 1, 4)]);
  d.args_get = entry((c) => [ptr(c, 0), ptr(c, 1)]);
  d.environ_get = entry((c) => [ptr(c, 0), ptr(c, 1)]);
  d.clock_res_get = split((c) => [enumName(CLOCKID, p32(c, 0))], (c) => [outInt(c, 1, 8)]);
  d.clock_time_get = split((c) => [enumName(CLOCKID, p32(c, 0)), c.u(1).toString()], (c) => [outInt(c, 2, 8)]);
  d.fd_close = entry((c) => [s32(c, 0)]);
  d.fd_fdstat_get = split((c) => [s32(c, 0)], (c) => [fdstat(c, 1)]);
  d.fd_fdstat_set_flags = entry((c) => [s32(c, 0), wflags(FDFLAGS, p32(c, 1))]);
  d.fd_prestat_get = split((c) => [s32(c, 0)], (c) => [prestat(c, 1)]);
  d.fd_prestat_dir_name = split((c) => [s32(c, 0)], (c) => [c.failed ? ptr(c, 1) : str(c, 1), p32(c, 2).toString()]);
  d.fd_read = split((c) => [s32(c, 0)], (c) => [c.failed ? ptr(c, 1) : iovs(c, 1, readU32(c, 3)), p32(c, 2).toString(), ptr(c, 3)]);
  d.fd_pread = split((c) => [s32(c, 0)], (c) => [c.failed ? ptr(c, 1) : iovs(c, 1, readU32(c, 4)), p32(c, 2).toString(), c.u(3).toString(), ptr(c, 4)]);
  d.fd_write = entry((c) => [s32(c, 0), iovs(c, 1, -1n), p32(c, 2).toString(), ptr(c, 3)]);
  d.fd_pwrite = entry((c) => [s32(c, 0), iovs(c, 1, -1n), p32(c, 2).toString(), c.u(3).toString(), ptr(c, 4)]);
  d.fd_seek = split((c) => [s32(c, 0), BigInt.asIntN(64, c.u(1)).toString(), enumName(WHENCE, p32(c, 2))], (c) => [outInt(c, 3, 8)]);
  d.fd_tell = split((c) => [s32(c, 0)], (c) => [outInt(c, 1, 8)]);
  d.fd_sync = entry((c) => [s32(c, 0)]);
  d.fd_datasync = entry((c) => [s32(c, 0)]);
  d.fd_renumber = entry((c) => [s32(c, 0), s32(c, 1)]);
  d.path_open = split(
      (c) => [s32(c, 0), wflags(LOOKUPFLAGS, p32(c, 1)), str(c, 2), wflags(OFLAGS, p32(c, 4)), hex(c.u(5)), hex(c.u(6)), wflags(FDFLAGS, p32(c, 7))],
      (c) => [outInt(c, 8, 4)],
    );
  d.path_create_directory = entry((c) => [s32(c, 0), str(c, 1)]);
  d.path_remove_directory = entry((c) => [s32(c, 0), str(c, 1)]);
  d.path_unlink_file = entry((c) => [s32(c, 0), str(c, 1)]);
  d.proc_exit = { enter: (c) => s32(c, 0), ret: 'none' };
  d.sched_yield = entry(() => []);
  d.random_get = split(() => [], (c) => [c.failed ? ptr(c, 0) : strn(c, p32(c, 0), p32(c, 1), 'all'), p32(c, 1).toString()]);
  return d;
}
