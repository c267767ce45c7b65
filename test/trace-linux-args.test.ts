// Flags, constants and scalar arguments printed as strace prints them,
// known and unknown bits alike (`O_RDONLY|__O_TMPFILE|0x80000000`,
// `0x7 /* SEEK_??? */`, `16<<MAP_HUGE_SHIFT`, `_IOC(...)`), and error
// results with their errno names and texts. The oracle: a C program made
// from CALLS below, run natively under Debian's strace; the formatter prints
// the same calls (linux-x86_64) with the results strace saw, and the lines
// must be equal, padding included.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { createFormatter } from '../src/trace/format.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['strace', 'gcc'].filter((t) => !have(t));

type Arg = number | string; // a string is a C string literal the call points to
/** Calls that touch nothing (bad fds, NULL pointers, bad flags), so their results do not depend on the machine. */
const CALLS: [string, ...Arg[]][] = [
  ['close', -2], // the marker: libc's startup calls come before it
  ['openat', -100, 'no/such/file', 0o2000000, 0], ['openat', -100, 'no/such/file', 0o100 | 0o1000 | 1, 0o644],
  ['openat', -1, 0, 0o100 | 3, 0o755], ['openat', -5, 0, 0o20000000 | 0x80000000, 0o755], ['openat', -100, 'x', 0x40000000, 0],
  ['openat', -100, 'tab\there', 0o4000 | 0o200000 | 0o400000 | 0o1000000, 0],
  ['lseek', -1, 0, 7], ['lseek', -1, -8, 2], ['lseek', 99, 4096, 1],
  ['read', -1, 0, 0], ['read', 99, 0, 16], ['write', -1, 0, 5], ['pread64', -1, 0, 8, -1],
  ['readv', -1, 0, 0], ['writev', -1, 0, 3], ['close', -1], ['close', 2147483647],
  ['ioctl', -1, 0x1234, 0], ['ioctl', -1, 0x80085401, 0x10], ['ioctl', -1, 0x5413, 0], ['ioctl', -1, 0x5401, 0x7fff0000],
  ['fcntl', -1, 0x999, 5], ['fcntl', -1, 1], ['fcntl', -1, 3], ['fcntl', -1, 5, 0], ['fcntl', -1, 4, 0o4000 | 0o2000],
  ['fcntl', -1, 2, 1], ['fcntl', -1, 2, 0x10], ['fcntl', -1, 0, 3],
  ['clock_gettime', 99, 0], ['clock_gettime', -2, 0], ['clock_gettime', 1, 0], ['clock_getres', 7, 0],
  ['rt_sigaction', 99, 0, 0, 8], ['rt_sigaction', 10, 0, 0, 7], ['tgkill', -1, -1, 40], ['tgkill', -1, -1, 33], ['kill', 2147483632, 0],
  ['kill', 2147483632, 15], ['tkill', -1, 64],
  ['rt_sigprocmask', 7, 0, 0, 8], ['rt_sigprocmask', 0, 0, 0, 9],
  ['pipe2', 0, 0o4000 | 0o2000000 | 0o40000],
  ['mmap', 0, 0, 1 | 0x80, 0x22 | 0x40000000, -1, 0x1000], ['mmap', 0, 0, 0, 0x5 | (21 << 26), -1, 0x1000],
  ['mmap', 0, 0, 7, 0x3 | 0x10 | 0x4000 | 0x8000 | 0x100000, 3, 0], ['munmap', 0x1001, 0], ['mprotect', 0, 0, 0x1000000 | 7],
  ['mprotect', 0x1001, 4096, 0],
  ['getrandom', 0, 0, 0x80 | 2], ['getrandom', 0, 16, 1],
  ['prlimit64', 0, 99, 0, 0], ['prlimit64', 0, 7, 0, 0],
  ['faccessat', -1, 0, 0x10 | 4], ['faccessat', -100, 'no/such/file', 0], ['faccessat', -100, 'no/such/file', 7],
  ['clock_nanosleep', 0, 3, 0, 0], ['nanosleep', 0, 0],
  ['newfstatat', -1, 0, 0, 0x100 | 0x10000], ['newfstatat', -100, 'no/such/file', 0, 0x1000], ['fstat', -1, 0],
  ['unlinkat', -1, 0, 0x200 | 0x1], ['unlinkat', -100, 'no/such/file', 0], ['mkdirat', -1, 0, 0o1777], ['mkdirat', -100, 'no/such/dir', 0],
  ['dup3', -1, -1, 0x1], ['dup3', -1, 5, 0o2000000], ['dup', -1],
  ['set_robust_list', 0, 0], ['connect', -1, 0, 0], ['bind', -1, 0, 1],
  ['readlinkat', -100, 'no/such/link', 0, 64], ['getcwd', 0, 1],
  ['getpid'], ['umask', 0o22], ['umask', 0o22],
  ['madvise', 0, 0, 4], ['madvise', 0, 0, 12], ['madvise', 0, 0, 99], ['ftruncate', -1, 100], ['fchmod', -1, 0o4755],
  ['fchdir', -1], ['fsync', -1], ['fdatasync', -1], ['chdir', 'no/such/dir'],
  ['open', 'no/such/file', 0o100 | 1, 0o600], ['open', 0, 0], ['access', 'no/such/file', 4 | 2], ['stat', 'no/such/file', 0],
  ['lstat', 0, 0], ['pipe', 0], ['dup2', -1, 5], ['mkdir', 'no/such/dir', 0o755], ['unlink', 'no/such/file'],
  ['rmdir', 'no/such/dir'], ['readlink', 'no/such/link', 0, 10],
  ['futex', 0, 0, 1, 0, 0, 0], ['futex', 0, 0x80, 7, 0, 0, 0], ['futex', 0, 1, 1, 0, 0, 0], ['futex', 0, 0x189, 0, 0, 0, 0xffffffff],
  ['futex', 0, 9, 3, 0, 0, 0x5], ['futex', 0, 10, 2, 0, 0, 0xffffffff], ['futex', 0, 0x84, 1, 2, 0x1000, 9], ['futex', 0, 3, 1, 2, 0x1000, 0],
  ['futex', 0, 7, 0, 0, 0, 0], ['futex', 0, 0x7f, 1, 0x10, 0x20, 0x30], ['futex', 0, 0x85, 1, 2, 0x1000, 0x12345678], ['futex', 0, 5, 1, 2, 0x1000, 0xfe000001 | 0],
  ['socket', 2, 1 | 0o2000000, 0], ['socket', 10, 2 | 0o4000, 17], ['socket', 1, 5, 0], ['socket', 16, 3, 15], ['socket', 99, 0x20, 7],
  ['socket', 2, 3, 255], ['socket', 2, 1 | 0x10, 0], ['listen', -1, 128],
  ['mremap', 0x1001, 0, 0, 0, 0], ['mremap', 0x1001, 4096, 8192, 3, 0x200000], ['mremap', 0x1001, 4096, 8192, 0x9, 0x200000],
  ['arch_prctl', 0x1003, 0], ['arch_prctl', 0x9999, 0], ['arch_prctl', 0x1011, 0],
];

function cSource(): string {
  const lit = (a: Arg) => (typeof a === 'string' ? JSON.stringify(a) : `(long)${a}L`);
  return `#include <sys/syscall.h>\n#include <unistd.h>\nint main(void) {\n${
    CALLS.map(([name, ...args]) => `  syscall(SYS_${name}${args.map((a) => `, ${lit(a)}`).join('')});`).join('\n')
  }\n  return 0;\n}\n`;
}

/** The result strace printed, as the raw value the call returned. */
function resultOf(line: string): number {
  const m = / = (-1 (E[A-Z0-9]+)|0x[0-9a-f]+|-?\d+|0\d+)(?: |$)/.exec(line);
  if (!m) throw new Error(`no result in ${line}`);
  if (m[2]) return -abi.errno[m[2]]!;
  return m[1]!.startsWith('0') && m[1]!.length > 1 && !m[1]!.startsWith('0x') ? parseInt(m[1]!, 8) : Number(m[1]);
}

describe.skipIf(missing.length > 0)(`flags, constants and errors against strace${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  it('prints each call of the list exactly as strace does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-args-'));
    try {
      writeFileSync(join(dir, 'calls.c'), cSource());
      execFileSync('gcc', ['-w', '-o', join(dir, 'calls'), join(dir, 'calls.c')]);
      const log = join(dir, 'log.txt');
      execFileSync('strace', ['-o', log, '-e', `trace=${[...new Set(CALLS.map((c) => c[0]))].join(',')}`, join(dir, 'calls')], { cwd: dir });
      const all = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('+++'));
      const want = all.slice(all.findIndex((l) => l.startsWith('close(-2)')));
      expect(want).toHaveLength(CALLS.length);
      expect(want).toHaveLength(CALLS.length);

      // Guest memory holds the strings the C program points to.
      const mem = new Uint8Array(1 << 16);
      let top = 0x100;
      const f = createFormatter({ abi, read: (a, n) => (a + n <= mem.length ? mem.slice(a, a + n) : null) });
      const got = CALLS.map(([name, ...args], i) => {
        const values = args.map((a) => {
          if (typeof a === 'number') return a;
          const at = top;
          mem.set(new TextEncoder().encode(a + '\0'), at);
          top += a.length + 1;
          return at;
        });
        return f.line(abi.names[name]!, values, resultOf(want[i]!));
      });
      expect(got).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
