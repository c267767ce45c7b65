// Linux call decoders, after strace 6.1's (io.c, open.c, mem.c, stat.c,
// fcntl.c, signal.c, resource.c, time.c, net.c, ...): which arguments print
// at entry, which at exit (what the call writes), and how the result
// prints. Written from reading strace; no strace code.
import { type Arg, addr, type Ctx, D, DIRFD, I, MODE, P, PATH, path, strn, U, X } from './call.js';
import type { Decoder, RetStyle } from './decoder.js';
import type { Layout } from './layout.js';
import * as S from './structs.js';
import * as M from './structs-more.js';
import { pollDecoders } from './decode-poll.js';
import { clone, clone3 } from './decode-clone.js';
import { flags, hex, lookup, openModes, xval } from './xlat.js';

/** enter args, then exit args (strace's common shape). */
function def(enter: Arg[], exit: Arg[] = [], ret?: RetStyle): Decoder {
  const sep = exit.length > 0 ? ', ' : '';
  const d: Decoder = { enter: (c) => enter.map((a) => a(c)).join(', ') + (enter.length > 0 ? sep : '') };
  if (exit.length > 0) d.exit = (c) => exit.map((a) => a(c)).join(', ');
  if (ret) d.ret = ret;
  return d;
}

const FLAGS = (i: number, t: string, dflt: string) => (c: Ctx) => flags(c.x(t), c.uint(i), dflt);
const XVAL = (i: number, t: string, dflt: string) => (c: Ctx) => xval(c.x(t), c.uint(i), dflt);
/** A pointer the call fills: its struct after success, the address after failure. */
const OUT = (i: number, f: (c: Ctx, v: bigint) => string) => (c: Ctx) => (c.failed || c.u(i) === 0n ? addr(c.u(i)) : f(c, c.u(i)));
const STRN = (i: number, len: number) => (c: Ctx) => strn(c, c.u(i), c.u(len));
/** A buffer of as many bytes as the call returned. */
const RBUF = (i: number) => (c: Ctx) => (c.failed ? addr(c.u(i)) : strn(c, c.u(i), c.result));
const SIG = (i: number) => (c: Ctx) => S.signal(c.int(i));
const CLOCK = (i: number) => (c: Ctx) => xval(c.x('clocknames'), c.uint(i), 'CLOCK_???');
const TIMESPEC = (i: number) => (c: Ctx) => S.timespec(c, c.u(i));
/** nanosleep's remaining time: printed only when a signal cut the sleep short. */
const REM = (i: number) => (c: Ctx) => (c.failed && (c.result === -4n || c.result <= -512n) ? S.timespec(c, c.u(i)) : addr(c.u(i)));

function mmapFlags(c: Ctx, v: bigint): string {
  const t = c.x('mmap_flags');
  let out = xval(t, v & 0xfn, 'MAP_???');
  const huge = v & (0x3fn << 26n);
  const rest = v & ~0xfn & ~(0x3fn << 26n);
  if (rest !== 0n) out += '|' + flags(t, rest, null);
  if (huge !== 0n) out += `|${huge >> 26n}<<MAP_HUGE_SHIFT`;
  return out;
}

function openat(c: Ctx, o: number): string {
  const fl = c.uint(o + 1);
  const creat = (lookupValue(c, 'open_mode_flags', 'O_CREAT') | lookupValue(c, 'open_mode_flags', '__O_TMPFILE')) & fl;
  return `${path(c, c.u(o))}, ${openModes(c.arch, fl)}` + (creat !== 0n ? `, ${MODE(o + 2)(c)}` : '');
}

function lookupValue(c: Ctx, t: string, name: string): bigint {
  for (const [n, v] of c.x(t)) if (n === name) return v;
  return 0n;
}

function fcntl(): Decoder {
  const named = (c: Ctx, n: string) => lookup(c.x('fcntlcmds'), c.uint(1)) === n;
  return {
    enter(c) {
      const cmd = xval(c.x('fcntlcmds'), c.uint(1), 'F_???');
      const name = lookup(c.x('fcntlcmds'), c.uint(1));
      let third: string | null;
      switch (name) {
        case 'F_SETFD': third = flags(c.x('fdflags'), c.u(2), 'FD_???'); break;
        case 'F_DUPFD': case 'F_DUPFD_CLOEXEC': case 'F_SETPIPE_SZ': third = D(2)(c); break;
        case 'F_SETFL': third = openModes(c.arch, c.u(2)); break;
        case 'F_SETSIG': third = S.signal(c.int(2)); break;
        case 'F_SETOWN': third = I(2)(c); break;
        // struct flock is not decoded: its address (what strace prints when the call fails).
        case 'F_GETLK': case 'F_SETLK': case 'F_SETLKW': case 'F_OFD_GETLK': case 'F_OFD_SETLK': case 'F_OFD_SETLKW': third = P(2)(c); break;
        case 'F_GETFD': case 'F_GETFL': case 'F_GETOWN': case 'F_GETSIG': case 'F_GETPIPE_SZ': case 'F_GETLEASE': case 'F_GET_SEALS': third = null; break;
        default: third = hex(c.u(2));
      }
      return `${I(0)(c)}, ${cmd}` + (third === null ? '' : `, ${third}`);
    },
    aux(c) {
      if (named(c, 'F_GETFD') && c.result !== 0n) return { text: 'flags ' + flags(c.x('fdflags'), c.result, null), hex: true };
      if (named(c, 'F_GETFL')) return { text: 'flags ' + openModes(c.arch, c.result), hex: true };
      return null;
    },
  };
}

const IOC_DIR = ['_IOC_NONE', '_IOC_WRITE', '_IOC_READ', '_IOC_READ|_IOC_WRITE'];

/** An ioctl request strace has no name for: `_IOC(_IOC_READ, 0x54, 0x1, 0x8)` (the generic encoding x86_64 and riscv64 share). */
function ioc(cmd: bigint): string {
  return `_IOC(${IOC_DIR[Number((cmd >> 30n) & 3n)]}, ${hex((cmd >> 8n) & 0xffn)}, ${hex(cmd & 0xffn)}, ${hex((cmd >> 16n) & 0x3fffn)})`;
}

/** ioctl: the request by name and its argument's address (the structs behind requests are not decoded), or _IOC() and the raw argument. */
function ioctl(): Decoder {
  return {
    enter(c) {
      const name = lookup(c.x('ioctls'), c.uint(1));
      return `${I(0)(c)}, ${name ?? ioc(c.uint(1))}, ${name !== null ? P(2)(c) : X(2)(c)}`;
    },
  };
}

/** madvise's advice: two strace tables (the values hppa moved in Linux 6.2 are in the second). */
function madvise(c: Ctx): string {
  const v = c.uint(2);
  return lookup(c.x('madvise_cmds'), v) ?? xval(c.x('madvise_hppa_generic_cmds'), v, 'MADV_???');
}

/** arch_prctl (x86_64): ARCH_GET_FS/GS print the word they wrote, other codes their argument in hex. */
function archPrctl(): Decoder {
  const get = (c: Ctx) => ['ARCH_GET_FS', 'ARCH_GET_GS'].includes(lookup(c.x('archvals'), c.uint(0)) ?? '');
  return {
    enter(c) {
      const code = xval(c.x('archvals'), c.uint(0), 'ARCH_???');
      return code === 'ARCH_GET_CPUID' ? code : code + (get(c) ? ', ' : `, ${hex(c.u(1))}`);
    },
    exit(c) {
      if (!get(c)) return '';
      const b = c.failed || c.u(1) === 0n ? null : c.g.bytes(c.u(1), 8);
      return b === null ? addr(c.u(1)) : `[${hex(c.g.uint(b, 0, 8))}]`;
    },
  };
}

/** FUTEX_WAKE_OP's encoded operation: `FUTEX_OP_ADD<<28|0x345<<12|FUTEX_OP_CMP_LT<<24|0x678`. */
function wakeOp(c: Ctx, v: bigint): string {
  const named = (t: string, x: bigint, dflt: string) => {
    const n = lookup(c.x(t), x);
    return n === null ? [hex(x), ` /* ${dflt} */`] : [n, ''];
  };
  const [op, opc] = named('futexwakeops', (v >> 28n) & 7n, 'FUTEX_OP_???');
  const [cmp, cmpc] = named('futexwakecmps', (v >> 24n) & 0xfn, 'FUTEX_OP_CMP_???');
  return ((v >> 28n) & 8n ? 'FUTEX_OP_OPARG_SHIFT<<28|' : '') +
    `${op}<<28${opc}|${hex((v >> 12n) & 0xfffn)}<<12|${cmp}<<24${cmpc}|${hex(v & 0xfffn)}`;
}

/** futex: the operation, then the arguments that operation reads (strace's do_futex). */
function futex(): Decoder {
  return {
    enter(c) {
      const cmd = c.uint(1) & 127n;
      const val = () => c.uint(2).toString(), val2 = () => BigInt.asUintN(32, c.u(3)).toString();
      const ts = () => S.timespec(c, c.u(3));
      const bitset = () => xval(c.x('futexbitset'), c.uint(5), '').replace(/ \/\*  \*\/$/, '');
      const parts = [addr(c.u(0)), xval(c.x('futexops'), c.uint(1), 'FUTEX_???')];
      switch (cmd) {
        case 0n: parts.push(val(), ts()); break;
        case 6n: case 13n: parts.push(ts()); break;
        case 9n: parts.push(val(), ts(), bitset()); break;
        case 10n: parts.push(val(), bitset()); break;
        case 3n: parts.push(val(), val2(), addr(c.u(4))); break;
        case 4n: case 12n: parts.push(val(), val2(), addr(c.u(4)), c.uint(5).toString()); break;
        case 11n: parts.push(val(), ts(), addr(c.u(4))); break;
        case 5n: parts.push(val(), val2(), addr(c.u(4)), wakeOp(c, c.uint(5))); break;
        case 1n: case 2n: parts.push(val()); break;
        case 7n: case 8n: break;
        default: parts.push(val(), addr(c.u(3)), addr(c.u(4)), hex(c.uint(5)));
      }
      return parts.join(', ');
    },
  };
}

/** socket's type: `SOCK_STREAM|SOCK_CLOEXEC`. */
function sockType(c: Ctx, v: bigint): string {
  const type = lookup(c.x('socktypes'), v & 0xfn);
  if (type === null) return flags(c.x('sock_type_flags'), v, 'SOCK_???');
  const rest = v & ~0xfn;
  return rest === 0n ? type : `${type}|${flags(c.x('sock_type_flags'), rest, 'SOCK_???')}`;
}

/** socket's protocol by family (strace names more families' protocols; the rest print in decimal here). */
function sockProto(c: Ctx): string {
  const fam = c.u(0);
  if (fam === 2n || fam === 10n) return xval(c.x('inet_protocols'), c.uint(2), 'IPPROTO_???');
  if (fam === 16n) return xval(c.x('netlink_protocols'), c.uint(2), 'NETLINK_???');
  return c.u(2).toString();
}

/** Every Linux call decoded beyond raw arguments, by name. */
export function linuxDecoders(L: Layout): Record<string, Decoder> {
  const stat = (c: Ctx, v: bigint) => S.stat(c, L, v);
  const sigaction = (c: Ctx, v: bigint) => S.sigaction(c, L, v);
  const none: Decoder = def([]);
  return {
    read: def([I(0)], [RBUF(1), U(2)]),
    write: def([I(0), STRN(1, 2), U(2)]),
    pread64: def([I(0)], [RBUF(1), U(2), D(3)]),
    pwrite64: def([I(0), STRN(1, 2), U(2), D(3)]),
    readv: def([I(0)], [(c) => S.iovec(c, c.u(1), c.u(2), c.failed ? -1n : c.result, !c.failed), U(2)]),
    writev: def([I(0), (c) => S.iovec(c, c.u(1), c.u(2), -1n, true), U(2)]),
    openat: { enter: (c) => `${DIRFD(0)(c)}, ${openat(c, 1)}` },
    close: def([I(0)]),
    lseek: def([I(0), D(1), XVAL(2, 'whence_codes', 'SEEK_???')]),
    newfstatat: def([DIRFD(0), PATH(1)], [OUT(2, stat), FLAGS(3, 'at_flags', 'AT_???')]),
    fstat: def([I(0)], [OUT(1, stat)]),
    brk: def([P(0)], [], 'x'),
    mmap: def([P(0), U(1), FLAGS(2, 'mmap_prot', 'PROT_???'), (c) => mmapFlags(c, c.u(3)), I(4), X(5)], [], 'x'),
    munmap: def([P(0), U(1)]),
    mprotect: def([P(0), U(1), FLAGS(2, 'mmap_prot', 'PROT_???')]),
    exit: def([I(0)], [], 'none'),
    exit_group: def([I(0)], [], 'none'),
    getpid: none, gettid: none, getppid: none, getuid: none, geteuid: none, getgid: none, getegid: none, sched_yield: none,
    uname: def([], [OUT(0, S.utsname)]),
    clock_gettime: def([CLOCK(0)], [OUT(1, S.timespec)]),
    clock_getres: def([CLOCK(0)], [OUT(1, S.timespec)]),
    nanosleep: def([TIMESPEC(0)], [REM(1)]),
    clock_nanosleep: def([CLOCK(0), FLAGS(1, 'clockflags', 'TIMER_???'), TIMESPEC(2)], [REM(3)]),
    readlinkat: def([DIRFD(0), PATH(1)], [RBUF(2), U(3)]),
    getcwd: def([], [(c) => (c.failed ? addr(c.u(0)) : path(c, c.u(0))), U(1)]),
    unlinkat: def([DIRFD(0), PATH(1), FLAGS(2, 'at_flags', 'AT_???')]),
    mkdirat: def([DIRFD(0), PATH(1), MODE(2)]),
    faccessat: def([DIRFD(0), PATH(1), FLAGS(2, 'access_modes', '?_OK')]),
    fcntl: fcntl(),
    ioctl: ioctl(),
    dup: def([I(0)]),
    dup3: def([I(0), I(1), FLAGS(2, 'open_mode_flags', 'O_???')]),
    pipe2: def([], [OUT(0, S.fdPair), FLAGS(1, 'open_mode_flags', 'O_???')]),
    getrandom: def([], [(c) => (c.failed ? addr(c.u(0)) : strnHex(c, c.u(0), c.result)), U(1), FLAGS(2, 'getrandom_flags', 'GRND_???')]),
    prlimit64: def([I(0), XVAL(1, 'resources', 'RLIMIT_???'), (c) => S.rlimit64(c, c.u(2))], [OUT(3, S.rlimit64)]),
    rt_sigaction: def([SIG(0), (c) => sigaction(c, c.u(1))], [OUT(2, sigaction), U(3)]),
    rt_sigprocmask: def([XVAL(0, 'sigprocmaskcmds', 'SIG_???'), (c) => S.sigset(c, c.u(1), c.u(3))], [OUT(2, (cc, v) => S.sigset(cc, v, cc.u(3))), U(3)]),
    set_tid_address: def([P(0)]),
    set_robust_list: def([P(0), U(1)]),
    kill: def([I(0), SIG(1)]),
    tkill: def([I(0), SIG(1)]),
    tgkill: def([I(0), I(1), SIG(2)]),
    umask: def([MODE(0)], [], 'o'),
    connect: def([I(0), (c) => S.sockaddr(c, c.u(1), c.int(2)), U(2)]),
    madvise: def([P(0), U(1), (c) => madvise(c)]),
    ftruncate: def([I(0), U(1)]),
    fchmod: def([I(0), MODE(1)]),
    fchdir: def([I(0)]),
    fsync: def([I(0)]),
    fdatasync: def([I(0)]),
    chdir: def([PATH(0)]),
    // x86_64's older calls, which glibc and static binaries still make.
    open: { enter: (c) => openat(c, 0) },
    access: def([PATH(0), FLAGS(1, 'access_modes', '?_OK')]),
    stat: def([PATH(0)], [OUT(1, stat)]),
    lstat: def([PATH(0)], [OUT(1, stat)]),
    pipe: def([], [OUT(0, S.fdPair)]),
    dup2: def([I(0), I(1)]),
    mkdir: def([PATH(0), MODE(1)]),
    unlink: def([PATH(0)]),
    rmdir: def([PATH(0)]),
    readlink: def([PATH(0)], [RBUF(1), U(2)]),
    arch_prctl: archPrctl(),
    ...pollDecoders(),
    futex: futex(),
    clone,
    clone3,
    statx: def([DIRFD(0), PATH(1), (c) => M.statxFlags(c, c.uint(2)), FLAGS(3, 'statx_masks', 'STATX_???')], [OUT(4, M.statx)]),
    getdents64: def([I(0)], [(c) => (c.failed || c.result > c.uint(2) ? addr(c.u(1)) : M.dirents64(c, c.u(1), c.result)), (c) => c.uint(2).toString()]),
    gettimeofday: def([], [OUT(0, M.timeval), OUT(1, M.timezone)]),
    sysinfo: def([], [OUT(0, M.sysinfo)]),
    wait4: def([I(0)], [
      (c) => { const b = c.result <= 0n || c.u(1) === 0n ? null : c.g.bytes(c.u(1), 4); return b === null ? addr(c.u(1)) : M.waitStatus(Number(BigInt.asIntN(32, c.g.uint(b, 0, 4)))); },
      FLAGS(2, 'wait4_options', 'W???'),
      (c) => (c.result > 0n ? M.rusage(c, c.u(3)) : addr(c.u(3))),
    ]),
    sched_getaffinity: def([I(0), (c) => c.uint(1).toString()], [(c) => (c.failed ? addr(c.u(2)) : M.cpuset(c, c.u(2), Number(c.result)))]),
    sched_setaffinity: def([I(0), (c) => c.uint(1).toString(), (c) => M.cpuset(c, c.u(2), Number(c.uint(1)))]),
    mremap: { enter: (c) => `${P(0)(c)}, ${U(1)(c)}, ${U(2)(c)}, ${flags(c.x('mremap_flags'), c.u(3), 'MREMAP_???')}` + ((c.u(3) & 3n) === 3n ? `, ${P(4)(c)}` : ''), ret: 'x' },
    socket: def([XVAL(0, 'addrfams', 'AF_???'), (c) => sockType(c, c.uint(1)), sockProto]),
    listen: def([I(0), I(1)]),
    execve: def([PATH(0), (c) => S.argv(c, c.u(1)), (c) => S.envc(c, c.u(2))]),
    bind: def([I(0), (c) => S.sockaddr(c, c.u(1), c.int(2)), U(2)]),
  };
}

/** getrandom's buffer: always hex-quoted, as strace's QUOTE_FORCE_HEX. */
function strnHex(c: Ctx, v: bigint, len: bigint): string {
  return strn(c, v, len, 'all');
}
