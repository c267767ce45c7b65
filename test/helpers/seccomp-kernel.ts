// Runs cBPF programs in the Linux kernel of this machine through
// test/helpers/seccomp-harness.c (compiled here with gcc), and says what
// systab's action for the same call would look like there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KernelCall {
  nr: number;
  args: readonly bigint[];
}
export interface KernelCase {
  filters: readonly Uint8Array[];
  calls: readonly KernelCall[];
}
export interface KernelResult {
  /** Index of the filter seccomp() refused, or -1. */
  failed: number;
  errno: number;
  /** Per call: 'R <value> <native value>' | 'T <data>' | 'K <signal>'. */
  calls: string[];
}

/** Why the kernel cannot be the oracle here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the kernel oracle needs Linux on x86_64 (this is ${process.platform} ${process.arch})`;
  if (spawnSync('gcc', ['--version']).status !== 0) return 'gcc is not installed';
  return undefined;
}

let binary: string | undefined;
function harness(): string {
  if (binary !== undefined) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'systab-seccomp-'));
  const out = join(dir, 'harness');
  execFileSync('gcc', ['-O2', '-o', out, new URL('./seccomp-harness.c', import.meta.url).pathname]);
  return (binary = out);
}

export function runInKernel(cases: readonly KernelCase[]): { ip: bigint; results: KernelResult[] } {
  const parts: Buffer[] = [];
  const u32 = (v: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    parts.push(b);
  };
  u32(cases.length);
  for (const c of cases) {
    u32(c.filters.length);
    for (const f of c.filters) {
      u32(f.length / 8);
      parts.push(Buffer.from(f));
    }
    u32(c.calls.length);
    for (const call of c.calls) {
      u32(call.nr);
      const b = Buffer.alloc(48);
      for (let i = 0; i < 6; i++) b.writeBigUInt64LE(BigInt.asUintN(64, call.args[i] ?? 0n), i * 8);
      parts.push(b);
    }
  }
  const input = join(harness() + '.in');
  writeFileSync(input, Buffer.concat(parts));
  const out = execFileSync(harness(), [input], { maxBuffer: 1 << 28 }).toString().split('\n');
  const ip = BigInt('0x' + out[0]!.split(' ')[1]);
  let line = 1;
  const results = cases.map((c) => {
    const [, f, e] = out[line++]!.split(' ');
    const failed = Number(f);
    const calls = failed === -1 ? c.calls.map(() => out[line++]!) : [];
    return { failed, errno: Number(e), calls };
  });
  return { ip, results };
}

const SIGSYS = 31;
const ENOSYS = 38;

/**
 * Whether the kernel's outcome of a call (a harness line) is what systab's
 * action means there: ALLOW and LOG return what the call returns unfiltered,
 * ERRNO its -data capped at 4095, TRACE and USER_NOTIF (no tracer, no
 * listener) -ENOSYS, TRAP a SIGSYS with the data, the kills and unknown
 * actions a death by SIGSYS.
 */
export function kernelAgrees(action: number, line: string): boolean {
  const [kind, a, b] = line.split(' ');
  const value = Number(a);
  const act = (action & 0xffff0000) >>> 0;
  const data = action & 0xffff;
  switch (act) {
    case 0x7fff0000: // ALLOW
    case 0x7ffc0000: // LOG
      return kind === 'R' && value === Number(b);
    case 0x00050000:
      return kind === 'R' && value === -Math.min(data, 4095);
    case 0x00030000:
      return kind === 'T' && value === data;
    case 0x7ff00000:
    case 0x7fc00000:
      return kind === 'R' && value === -ENOSYS;
    default:
      return kind === 'K' && value === SIGSYS;
  }
}

/** Harmless x86_64 calls that ignore their arguments. */
export const HARMLESS = {
  sched_yield: 24,
  getpid: 39,
  getuid: 102,
  getgid: 104,
  geteuid: 107,
  getegid: 108,
  getppid: 110,
  getpgrp: 111,
  gettid: 186,
} as const;
