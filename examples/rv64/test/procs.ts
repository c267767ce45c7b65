// Shared by test/rv64-procs*.test.ts: shells and fixtures that make
// processes, run in the emulator and under qemu-riscv64 in the same work
// directory. The host kernel cannot run a riscv64 program (no binfmt_misc
// here), so on the qemu side DIR/bin holds wrapper scripts
// (`exec qemu-riscv64 DIR/bin/busybox APPLET "$@"`), and a link to qemu
// itself, through which Debian's qemu-user runs what the guest execs
// (busybox re-running /proc/self/exe): the reference stays riscv64. On the
// emulator's side DIR/bin holds links to a copy of busybox
// (busybox runs the applet its name says), and DIR is mounted at its own
// path. Both sides see PATH=DIR/bin. The emulator runs with --verify
// (table.verify() once every worker has ended), whose line is checked and
// taken out of stderr.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BUSYBOX } from './busybox.js';
import { BUNDLE, GUEST_ENV } from './harness.js';

export const APPLETS = ['cat', 'tr', 'wc', 'sort', 'head', 'seq', 'yes', 'ls', 'sleep', 'true', 'false', 'echo', 'sh', 'xargs', 'sed', 'awk'];

/** qemu by absolute path: the guests' PATH is DIR/bin alone. */
export const QEMU = spawnSync('sh', ['-c', 'command -v qemu-riscv64'], { encoding: 'utf8' }).stdout.trim() || 'qemu-riscv64';

export interface Ran { stdout: string; stderr: string; code: number | null; signal: string | null }

function spawnAsync(argv: string[], cwd: string, env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
    child.stdin.end('');
  });
}

/** DIR/bin for one side; DIR/data holds a few files for ls. */
export function setupDir(dir: string, side: 'qemu' | 'emu'): void {
  fs.rmSync(join(dir, 'bin'), { recursive: true, force: true });
  fs.mkdirSync(join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(join(dir, 'data'), { recursive: true });
  for (const f of ['a', 'b', 'c', 'd']) fs.writeFileSync(join(dir, 'data', f), `${f}\n`);
  if (side === 'emu') fs.copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  else {
    fs.writeFileSync(join(dir, 'bin/busybox'), `#!/bin/sh\nexec ${QEMU} ${BUSYBOX} "$@"\n`, { mode: 0o755 });
    // Debian's qemu-user runs a foreign program the guest execs (busybox's /proc/self/exe) through the qemu-riscv64 it finds in PATH.
    fs.symlinkSync(QEMU, join(dir, 'bin/qemu-riscv64'));
  }
  for (const a of APPLETS) {
    if (side === 'emu') fs.symlinkSync('busybox', join(dir, 'bin', a));
    else fs.writeFileSync(join(dir, 'bin', a), `#!/bin/sh\nexec ${QEMU} ${BUSYBOX} ${a} "$@"\n`, { mode: 0o755 });
  }
}

/** prog args on one side, in dir (set up for that side first). */
export async function runSide(side: 'qemu' | 'emu', dir: string, prog: string, args: string[], flags: string[] = []): Promise<Ran> {
  setupDir(dir, side);
  const env = { ...GUEST_ENV, PATH: join(dir, 'bin'), HOME: dir };
  const argv = side === 'qemu'
    ? [QEMU, prog, ...args]
    : [process.execPath, BUNDLE, '--verify', ...flags, `--mount=${dir}:${dir}:rw`, `--cwd=${dir}`, prog, ...args];
  const r = await spawnAsync(argv, dir, env);
  if (side === 'emu') {
    expect(r.stderr, 'the table verified after the run').toContain('rv64: table verified\n');
    r.stderr = r.stderr.replace('rv64: table verified\n', '');
  }
  return r;
}

/** qemu, then the emulator, in the same directory. */
export async function compareSides(dir: string, prog: string, args: string[]): Promise<{ qemu: Ran; emu: Ran }> {
  const qemu = await runSide('qemu', dir, prog, args);
  const emu = await runSide('emu', dir, prog, args);
  return { qemu, emu };
}

/** The same stdout, stderr and exit as qemu. */
export function expectSame(r: { qemu: Ran; emu: Ran }): void {
  expect(r.emu.stdout).toBe(r.qemu.stdout);
  expect(r.emu.stderr).toBe(r.qemu.stderr);
  expect(r.emu.code).toBe(r.qemu.code);
}
