// libseccomp as the oracle of systab's profile compiler: the test's own
// reading of a Docker profile into the rules runc gives libseccomp (written
// here apart from src/seccomp/profile.ts, from moby's and runc's documented
// behaviour), test/fixtures/libseccomp-profile.c to build and export them
// with Debian's libseccomp 2.5.4, and argument values at every comparison's
// edges.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIB = '/usr/lib/x86_64-linux-gnu/libseccomp.so.2';

/** Why libseccomp cannot be the oracle here, or undefined. */
export function libseccompUnavailable(): string | undefined {
  if (!existsSync(LIB)) return `${LIB} is missing (libseccomp2)`;
  if (spawnSync('gcc', ['--version']).status !== 0) return 'gcc is not installed';
  return undefined;
}

/** libseccomp's arch tokens (SCMP_ARCH_*) for the ABIs compared. */
export const TOKEN: Record<string, number> = {
  'linux-x86_64': 0xc000003e, 'linux-x32': 0x4000003e, 'linux-i386': 0x40000003, 'linux-arm': 0x40000028,
  'linux-arm64': 0xc00000b7, 'linux-riscv64': 0xc00000f3,
};
const GOARCH: Record<string, string> = { 'linux-x86_64': 'amd64', 'linux-riscv64': 'riscv64', 'linux-arm64': 'arm64', 'linux-i386': '386', 'linux-arm': 'arm', 'linux-x32': 'x32' };
const OPS: Record<string, number> = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 };
const ACT: Record<string, number> = {
  SCMP_ACT_KILL: 0, SCMP_ACT_KILL_THREAD: 0, SCMP_ACT_KILL_PROCESS: 0x80000000, SCMP_ACT_TRAP: 0x00030000, SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_TRACE: 0x7ff00000, SCMP_ACT_ALLOW: 0x7fff0000, SCMP_ACT_LOG: 0x7ffc0000, SCMP_ACT_NOTIFY: 0x7fc00000,
};

export interface LsRule {
  action: number;
  name: string;
  /** [index, op (enum scmp_compare), a, b] */
  args: [number, number, bigint, bigint][];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function act(name: string, errno: number | undefined): number {
  const a = ACT[name]!;
  return (a === 0x00050000 || a === 0x7ff00000 ? a | (errno ?? 1) : a) >>> 0;
}

/** What moby + runc hand libseccomp for a container on `native` with these caps and kernel. */
export function runcRules(p: Json, native: string, caps: string[], kernel: [number, number] | undefined): { def: number; rules: LsRule[] } {
  const def = act(p.defaultAction, p.defaultErrnoRet);
  const arch = GOARCH[native]!;
  const ge = (v: string): boolean => {
    const [a, b] = v.split('.').map(Number) as [number, number];
    return kernel === undefined || kernel[0] > a || (kernel[0] === a && kernel[1] >= b);
  };
  const rules: LsRule[] = [];
  for (const s of p.syscalls as Json[]) {
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    if ((exc.arches ?? []).includes(arch) || (exc.caps ?? []).some((c: string) => caps.includes(c)) || (exc.minKernel && ge(exc.minKernel))) continue;
    if ((inc.arches?.length && !inc.arches.includes(arch)) || !(inc.caps ?? []).every((c: string) => caps.includes(c)) || (inc.minKernel && !ge(inc.minKernel))) continue;
    const action = act(s.action, s.errnoRet);
    if (action === def) continue;
    const args: [number, number, bigint, bigint][] = (s.args ?? []).map((a: Json) => [a.index, OPS[a.op]!, BigInt(a.value), BigInt(a.valueTwo ?? 0)]);
    const indexes = args.map((a) => a[0]);
    const groups = new Set(indexes).size < indexes.length ? args.map((a) => [a]) : [args];
    for (const name of s.names ?? [s.name]) for (const g of groups) rules.push({ action, name, args: g });
  }
  return { def, rules };
}

let binary: string | undefined;
function fixture(): string {
  if (binary !== undefined) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'systab-libseccomp-profile-'));
  const out = join(dir, 'build');
  execFileSync('gcc', ['-O1', '-o', out, new URL('../fixtures/libseccomp-profile.c', import.meta.url).pathname, '-l:libseccomp.so.2']);
  return (binary = out);
}

export interface LsBuild {
  bpf: Uint8Array;
  skipped: string[];
  failed: string[];
  /** libseccomp's number of a name per ABI id (negative: not on that arch). */
  nr: (id: string, name: string) => number;
}

/** libseccomp's filter for the rules, on exactly these ABIs. */
export function libseccompBuild(def: number, ids: string[], rules: LsRule[], names: string[]): LsBuild {
  const lines = [`default ${def}`, `arches ${ids.map((id) => TOKEN[id]!).join(' ')}`];
  for (const r of rules) lines.push(`rule ${r.action} ${r.name} ${r.args.length} ${r.args.map(([i, op, a, b]) => `${i} ${op} ${a} ${b}`).join(' ')}`);
  for (const id of ids) for (const n of names) lines.push(`resolve ${TOKEN[id]} ${n}`);
  const file = fixture() + `.${process.pid}.bpf`;
  const out = execFileSync(fixture(), [file], { input: lines.join('\n') + '\n', maxBuffer: 1 << 26 }).toString().split('\n');
  const nrs = new Map(out.filter((l) => l.startsWith('nr ')).map((l) => l.split(' ')).map(([, t, n, v]) => [`${Number(t)} ${n}`, Number(v)]));
  return {
    bpf: new Uint8Array(readFileSync(file)),
    skipped: out.filter((l) => l.startsWith('skip ')).map((l) => l.slice(5)),
    failed: out.filter((l) => l.startsWith('fail ')).map((l) => l.slice(5)),
    nr: (id, name) => nrs.get(`${TOKEN[id]} ${name}`) ?? NaN,
  };
}

const U64 = (1n << 64n) - 1n;
const clamp = (v: bigint): bigint => v & U64;

/** Values around one comparison: either side of it, in both halves, and the mask's edges. */
export function edges(op: number, a: bigint, b: bigint): bigint[] {
  const base = [a, a - 1n, a + 1n, a ^ (1n << 32n), a & 0xffffffffn, (a & 0xffffffffn) | (1n << 63n), a + (1n << 32n), a - (1n << 32n)];
  if (op === 7) {
    const low = a & -a; // the mask's lowest bit
    base.push(b, b & a, (b & a) | ~a, (b & a) ^ low, (b & a) | (1n << 40n), b ^ (1n << 32n));
  }
  return [...new Set(base.map(clamp))];
}

export const EDGE = [0n, 1n, 0xffffffffn, 0x100000000n, 0x7fffffffn, 0x80000000n, U64, 1n << 63n];

/**
 * Whether libseccomp's program loads seccomp_data.nr after its check for
 * `arch` (libseccomp 2.5.4 does not when the first syscall of a non-x86
 * arch's list is a pseudo-syscall, a name that arch lacks: gen_bpf.c gives
 * the accumulator reset to the list's head only, and skips the head).
 */
export function loadsNr(bpf: Uint8Array, arch: number): boolean {
  const v = new DataView(bpf.buffer, bpf.byteOffset, bpf.byteLength);
  for (let pc = 0; pc < bpf.length / 8; pc++) {
    if (v.getUint16(pc * 8, true) === 0x15 && v.getUint32(pc * 8 + 4, true) === arch >>> 0) {
      const to = pc + 1 + v.getUint8(pc * 8 + 2);
      return v.getUint16(to * 8, true) === 0x20 && v.getUint32(to * 8 + 4, true) === 0;
    }
  }
  return true; // no section for it
}
