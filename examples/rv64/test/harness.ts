// Shared by test/rv64-*.test.ts: compiles fixtures, bundles the CLI, runs a
// program in the emulator and under qemu-riscv64, and parses both traces.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENTED_DIFFERENCES } from './differences.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/rv64');
const BUILD = join(EXAMPLE, 'build');
export const BUNDLE = join(BUILD, 'rv64.mjs');
const CC = 'riscv64-linux-gnu-gcc';
const QEMU = 'qemu-riscv64';

/** The same environment for the emulator and qemu, so argv/env output can match. */
export const GUEST_ENV: Record<string, string> = { RV64_GREETING: 'hello there', RV64_EMPTY: '', LANG: 'C', PATH: '/usr/bin:/bin' };

function need(tool: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status !== 0) {
    throw new Error(`${tool} is not installed: the rv64 tests need it (Debian: apt-get install -y ${pkg}); they never skip`);
  }
}

let bundled: Promise<void> | undefined;

/** Bundles src/main.ts once per test worker (written to a temp name, then renamed: workers may race). */
export function ensureBundle(): Promise<void> {
  bundled ??= (async () => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (the emulator imports systab from dist/)');
    mkdirSync(BUILD, { recursive: true });
    const { buildRv64 } = await import('../../../scripts/build-examples.mjs');
    const tmp = `${BUNDLE}.${process.pid}.${Math.random().toString(36).slice(2)}.mjs`;
    await buildRv64(tmp);
    renameSync(tmp, BUNDLE);
    rmSync(`${tmp}.map`, { force: true });
  })();
  return bundled;
}

/** Compiles fixtures/<name>.c with -static -O2 unless the binary is newer than the source. */
export function compileFixture(name: string): string {
  need(CC, 'gcc-riscv64-linux-gnu');
  const src = join(EXAMPLE, 'fixtures', `${name}.c`);
  const out = join(BUILD, 'fixtures', name);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(join(BUILD, 'fixtures'), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(CC, ['-static', '-O2', '-o', tmp, src, '-lm'], { stdio: 'pipe' });
  renameSync(tmp, out);
  return out;
}

export interface RunOutput {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Call names in order, from --trace (emulator) or -strace (qemu). */
  calls: string[];
}

/** Runs the program in the emulator, in a fresh temporary cwd, with a trace file. */
export function runEmulator(bin: string, args: string[] = [], flags: string[] = []): RunOutput {
  const dir = mkdtempSync(join(tmpdir(), 'rv64-emu-'));
  try {
    const trace = join(dir, 'trace.txt');
    const r = spawnSync(process.execPath, [BUNDLE, '-o', trace, ...flags, bin, ...args], {
      cwd: dir, env: GUEST_ENV, encoding: 'utf8', maxBuffer: 64 << 20,
    });
    const calls = existsSync(trace) ? parseTrace(readFileSync(trace, 'utf8')) : [];
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the program under qemu-riscv64 -strace, in a fresh temporary cwd. */
export function runQemu(bin: string, args: string[] = [], names: Record<string, number>): RunOutput {
  need(QEMU, 'qemu-user');
  const dir = mkdtempSync(join(tmpdir(), 'rv64-qemu-'));
  try {
    const log = join(dir, 'strace.log');
    const r = spawnSync(QEMU, ['-strace', '-D', log, bin, ...args], { cwd: dir, env: GUEST_ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, calls: parseQemuStrace(readFileSync(log, 'utf8'), names) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Emulator trace lines: `name(args) = result`, after strace -f's `[pid N] ` while threads run (a `<... name resumed>` line continues its call). */
export function parseTrace(text: string): string[] {
  return text.split('\n').flatMap((l) => /^(?:\[pid +\d+\] )?([a-z0-9_]+)\(/.exec(l)?.[1] ?? []);
}

/**
 * qemu's -strace lines: `PID name(args) = result` or `PID Unknown syscall NR`.
 * Unknown numbers become their ABI name, or strace's `syscall_0xNR` without one; entries the
 * documented differences drop are left out.
 */
export function parseQemuStrace(text: string, names: Record<string, number>): string[] {
  const byNr = new Map(Object.entries(names).map(([k, v]) => [v, k]));
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const unknown = /^\d+ Unknown syscall (\d+)/.exec(line);
    if (unknown) {
      const nr = Number(unknown[1]);
      const name = byNr.get(nr);
      if (!DOCUMENTED_DIFFERENCES.some((d) => d.dropFromQemu(nr, name))) out.push(name ?? `syscall_0x${nr.toString(16)}`); // strace's name for a number without one
      continue;
    }
    const call = /^\d+ ([a-z0-9_]+)\(/.exec(line);
    if (call) out.push(call[1]!);
  }
  return out;
}

export interface Compared {
  emu: RunOutput;
  qemu: RunOutput;
}

/** Compiles, bundles, runs both ways. */
export async function runBoth(fixture: string, args: string[], names: Record<string, number>, flags: string[] = []): Promise<Compared> {
  await ensureBundle();
  const bin = compileFixture(fixture);
  return { emu: runEmulator(bin, args, flags), qemu: runQemu(bin, args, names) };
}

/** Generous: the CI machine has two cores and runs test files in parallel. */
export const TIMEOUT = 120_000;
