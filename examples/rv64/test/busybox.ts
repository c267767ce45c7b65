// Runs Debian's static riscv64 busybox (scripts/fetch-riscv64.sh) in the
// emulator and under qemu-riscv64, step by step in one work directory, and
// compares stdout, stderr, exit codes and the files left behind.
//
// Both sides see the same paths: qemu-user passes the host's file system
// through, and the emulator mounts the work directory read-write and /etc and
// the fixtures read-only at their own host paths (--mount=D:D), starting in
// the work directory (--cwd). qemu runs first in a fresh copy of the setup,
// then the emulator in another fresh copy at the same path.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, GUEST_ENV, ROOT } from './harness.js';

export const DEBS = join(ROOT, 'examples/rv64/build/debs');
export const BUSYBOX = join(DEBS, 'busybox-static/usr/bin/busybox');
export const SASH = join(DEBS, 'sash/usr/bin/sash');
export const BASH = join(DEBS, 'bash-static/usr/bin/bash-static');
export const FIXTURES = join(ROOT, 'examples/rv64/fixtures');

/** One case: programs run one after another in the same work directory. */
export interface Case {
  name: string;
  /** Each step: argv after the program (busybox by default; a step starting with SASH or BASH runs that program). */
  steps: string[][];
  /** What every step reads on stdin (a pipe). */
  stdin?: string;
}

/** Fetches the packages unless they are there (the script is idempotent). */
export function ensureDebs(): void {
  if (fs.existsSync(BUSYBOX) && fs.existsSync(SASH) && fs.existsSync(BASH)) return;
  const r = spawnSync(join(ROOT, 'scripts/fetch-riscv64.sh'), [DEBS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/fetch-riscv64.sh failed (needs apt-get and the network to reach deb.debian.org):\n${r.stderr}`);
}

/** 2020-01-02 03:04:05 UTC: every setup file's time, so `ls -l` can be compared. */
export const SETUP_TIME = 1577934245;

/** The work directory every case starts from. */
export function setup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(join(dir, 'tree/sub'), { recursive: true });
  fs.writeFileSync(join(dir, 'text.txt'), 'banana\napple\ncherry\napple\ndate\n');
  fs.writeFileSync(join(dir, 'nums.txt'), '10\n2\n33\n4\n');
  fs.writeFileSync(join(dir, 'tree/a.txt'), 'alpha\n');
  fs.writeFileSync(join(dir, 'tree/b.bin'), Buffer.from([0, 1, 2, 250, 255]));
  fs.writeFileSync(join(dir, 'tree/sub/c.txt'), 'gamma\n'.repeat(100));
  fs.chmodSync(join(dir, 'tree/b.bin'), 0o600);
  // mixed/: one of each kind, for ls -la (kept apart: cp -r would block opening the fifo)
  fs.mkdirSync(join(dir, 'mixed/dir'), { recursive: true });
  fs.writeFileSync(join(dir, 'mixed/file'), 'x'.repeat(1234));
  fs.writeFileSync(join(dir, 'mixed/run.sh'), '#!/bin/sh\n');
  fs.chmodSync(join(dir, 'mixed/run.sh'), 0o755);
  fs.linkSync(join(dir, 'mixed/file'), join(dir, 'mixed/hard'));
  fs.symlinkSync('file', join(dir, 'mixed/link'));
  fs.symlinkSync('missing', join(dir, 'mixed/dangling'));
  execFileSync('mkfifo', ['-m', '640', join(dir, 'mixed/fifo')]);
  for (const p of ['mixed/link', 'mixed/dangling']) fs.lutimesSync(join(dir, p), SETUP_TIME, SETUP_TIME);
  for (const p of ['tree/sub/c.txt', 'tree/sub', 'tree/a.txt', 'tree/b.bin', 'tree', 'mixed/dir', 'mixed/file', 'mixed/run.sh', 'mixed/fifo', 'mixed', 'text.txt', 'nums.txt', '.']) fs.utimesSync(join(dir, p), SETUP_TIME, SETUP_TIME);
}

/** What a directory holds: every entry's type, mode, size, link target, content hash, and mtime when a step or the setup chose it. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(join(dir, p));
      // Times of files made during the run differ by construction; times before 2022 were set on purpose.
      const time = st.mtimeMs < Date.UTC(2022, 0, 1) ? ` mtime=${st.mtime.toISOString()}` : '';
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `link->${fs.readlinkSync(join(dir, p))}` : st.isFIFO() ? 'fifo' : st.isFile() ? `file ${st.size} ${createHash('sha256').update(fs.readFileSync(join(dir, p))).digest('hex').slice(0, 12)}` : 'other';
      out.push(`${p} ${(st.mode & 0o7777).toString(8)} nlink=${st.isDirectory() ? '-' : st.nlink} ${kind}${time}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

export interface CaseRun {
  /** Per step: `$ argv`, then stdout, stderr (prefixed 2>) and `exit N`. */
  transcript: string;
  files: string[];
  ms: number;
}

/**
 * HOME is the work directory: stdin is a socket pair (Node's 'pipe'), and bash,
 * seeing a socket on stdin under qemu, reads ~/.bashrc as if run by sshd (the
 * emulator has no sockets, so its getpeername fails and bash does not).
 */
function spawnAsync(cmd: string, args: string[], cwd: string, input: string | undefined): Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...GUEST_ENV, HOME: cwd }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
    child.stdin.on('error', () => { /* the guest may exit before reading */ });
    child.stdin.end(input ?? '');
  });
}

/**
 * Runs the case's steps on one side ('qemu' or 'emu') in dir (set up afresh).
 * emulator: another bundle and its flags instead of the mounts (to measure an older emulator).
 */
export async function runCase(c: Case, side: 'qemu' | 'emu', dir: string, emulator?: { bundle: string; flags: string[] }): Promise<CaseRun> {
  setup(dir);
  const t0 = performance.now();
  let transcript = '';
  for (const step of c.steps) {
    const [prog, args] = step[0] === SASH || step[0] === BASH ? [step[0], step.slice(1)] : [BUSYBOX, step];
    const argv = side === 'qemu'
      ? ['qemu-riscv64', prog, ...args]
      : [process.execPath, emulator?.bundle ?? BUNDLE, ...emulator?.flags ?? [`--mount=${dir}:${dir}:rw`, '--mount=/etc:/etc', `--mount=${FIXTURES}:${FIXTURES}`, `--cwd=${dir}`], prog, ...args];
    const r = await spawnAsync(argv[0]!, argv.slice(1), dir, c.stdin);
    const err = r.stderr.split('\n').filter((l) => l !== '').map((l) => `2> ${l}\n`).join('');
    transcript += `$ ${step.join(' ')}\n${r.stdout}${err}exit ${r.code ?? r.signal}\n`;
  }
  return { transcript, files: snapshot(dir), ms: performance.now() - t0 };
}
