// Issue 13, section 5, first bullet: one C fixture, built natively with gcc
// and with riscv64-linux-gnu-gcc -static, run natively under Debian's strace
// and in the rv64 emulator (whose --trace prints through systab's trace
// formatter). For the calls both runs make, the lines must be identical
// character for character once addresses, pids, times and random bytes are
// masked.
//
// Compared: every line between the fixture's two `close(-2)` markers. Left
// out, and why:
// - everything before the first marker: startup differs between a dynamic
//   x86_64 binary (execve, ld.so's openat/mmap/mprotect, arch_prctl, access)
//   and a static riscv64 one (readlinkat("/proc/self/exe"), brk, getrandom
//   for the stack guard); both run every later call through syscall() so
//   libc picks no different call on either side;
// - exit_group and `+++ exited with 0 +++` after the markers are compared too.
// The fixture makes no call the emulator lacks (it implements mkdirat,
// nanosleep, clock_nanosleep and pipe2 for this).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, ROOT, TIMEOUT } from '../examples/rv64/test/harness.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['strace', 'gcc', 'riscv64-linux-gnu-gcc'].filter((t) => !have(t));

/** The calls the fixture makes, as one strace -e trace= expression for both runs. */
const CALLS = [
  'openat', 'write', 'writev', 'lseek', 'read', 'readv', 'fstat', 'newfstatat', 'faccessat', 'fcntl', 'dup3', 'close',
  'ioctl', 'pipe2', 'mmap', 'mprotect', 'munmap', 'mkdirat', 'unlinkat', 'nanosleep', 'clock_nanosleep', 'clock_gettime',
  'getrandom', 'rt_sigaction', 'rt_sigprocmask', 'getpid', 'gettid', 'exit_group',
];
const MARKER = 'close(-2)';

/**
 * What may differ between the runs: addresses (hex of 5+ digits not after
 * `|`, where flag remainders sit), pids, clock readings, random bytes. A
 * masked line changes length, so its padding before `=` is collapsed; an
 * unmasked line keeps strace's exact padding.
 */
function mask(line: string): string {
  let m = line.replace(/(?<![|\w])0x[0-9a-f]{5,}/g, '0xADDR');
  if (/^(getpid|gettid)\(\)/.test(m)) m = m.replace(/= \d+$/, '= PID');
  if (m.startsWith('clock_gettime(')) m = m.replace(/tv_sec=\d+, tv_nsec=\d+/, 'tv_sec=S, tv_nsec=NS');
  if (/^getrandom\("(\\x[0-9a-f]{2})+"/.test(m)) m = m.replace(/^getrandom\("[^"]*"/, 'getrandom("RANDOM"');
  return m === line ? line : m.replace(/\) +=/, ') =');
}

/** The lines from the first marker to the end, masked. */
function compared(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const begin = lines.indexOf(`${MARKER}${' '.repeat(40 - MARKER.length - 1)} = -1 EBADF (Bad file descriptor)`);
  expect(begin, 'the begin marker is in the trace').toBeGreaterThanOrEqual(0);
  return lines.slice(begin).map(mask);
}

describe.skipIf(missing.length > 0)(`strace oracle${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  it('prints the fixture\'s calls exactly as strace does natively', async () => {
    await ensureBundle();
    const rv = compileFixture('strace-calls');
    const dir = mkdtempSync(join(tmpdir(), 'trace-oracle-'));
    try {
      const native = join(dir, 'native');
      execFileSync('gcc', ['-O2', '-o', native, join(ROOT, 'examples/rv64/fixtures/strace-calls.c')]);
      const nativeCwd = join(dir, 'n'), emuCwd = join(dir, 'e');
      mkdirSync(nativeCwd); mkdirSync(emuCwd);
      const nlog = join(dir, 'native.txt'), elog = join(dir, 'emu.txt');
      const n = spawnSync('strace', ['-o', nlog, '-e', `trace=${CALLS.join(',')}`, native], { cwd: nativeCwd, env: GUEST_ENV, encoding: 'utf8' });
      expect(n.status, n.stderr).toBe(0);
      // The same options, given to the emulator as to strace.
      const e = spawnSync(process.execPath, [BUNDLE, '-o', elog, '-e', `trace=${CALLS.join(',')}`, rv], { cwd: emuCwd, env: GUEST_ENV, encoding: 'utf8' });
      expect(e.status, e.stderr).toBe(0);
      expect(e.stdout).toBe(n.stdout);

      const want = compared(readFileSync(nlog, 'utf8'));
      const got = compared(readFileSync(elog, 'utf8'));
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(50);
      // Lines that needed no mask at all: padding and every character exact.
      expect(want.filter((l) => !l.includes('ADDR') && !l.includes('PID')).length).toBeGreaterThan(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);
});
