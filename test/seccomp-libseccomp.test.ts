// libseccomp as an oracle: its regression tests' rules (the .py of each, as
// data) compiled by Debian's libseccomp 2.5.4 (seccomp_export_bpf), run by
// systab's interpreter on every bpf-sim row of the test's .tests file, on
// every architecture the filter has (little- and big-endian), with and
// without the action cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSeccompEngine } from '../src/seccomp/engine.js';

const TESTS = new URL('../data/libseccomp-tests/', import.meta.url).pathname;
const LIB = '/usr/lib/x86_64-linux-gnu/libseccomp.so.2';
const why = !existsSync(TESTS) ? `${TESTS} is missing` : !existsSync(LIB) ? `${LIB} is missing (libseccomp2)` : spawnSync('gcc', ['--version']).status !== 0 ? 'gcc is not installed' : undefined;

// libseccomp's arch tokens (its AUDIT_ARCH values; x32's is its own: the kernel reports x86_64 for x32 calls).
const ARCH: Record<string, number> = {
  x86: 0x40000003, x86_64: 0xc000003e, x32: 0x4000003e, arm: 0x40000028, aarch64: 0xc00000b7, loongarch64: 0xc0000102,
  mipsel: 0x40000008, mipsel64: 0xc0000008, mipsel64n32: 0xe0000008, ppc64le: 0xc0000015, riscv64: 0xc00000f3, sh: 0x4000002a,
  m68k: 0x4, mips: 0x8, mips64: 0x80000008, mips64n32: 0xa0000008, parisc: 0xf, parisc64: 0x8000000f, ppc: 0x14, ppc64: 0x80000015,
  s390: 0x16, s390x: 0x80000016, sheb: 0x2a,
};
const A = { ALLOW: 0x7fff0000, KILL: 0, KILL_PROCESS: 0x80000000, TRAP: 0x00030000, LOG: 0x7ffc0000 };
const ERRNO = (n: number): number => 0x00050000 | n;
const TRACE = (n: number): number => 0x7ff00000 | n;
const [EQ, GT, LT, MASKED_EQ] = [4, 6, 2, 7];
type Rule = [exact: boolean, action: number, call: string | number, args?: [number, number, number | bigint, (number | bigint)?][]];
interface Spec {
  def: number;
  arches?: string[]; // replaces the native arch
  rules: Rule[];
}
const basicChains: Rule[] = [
  [true, A.ALLOW, 'read', [[0, EQ, 0]]],
  [true, A.ALLOW, 'write', [[0, EQ, 1]]],
  [true, A.ALLOW, 'write', [[0, EQ, 2]]],
  [true, A.ALLOW, 'close'],
  [true, A.ALLOW, 'rt_sigreturn'],
];
const loose = (rules: Rule[]): Rule[] => rules.map(([, a, c, g]) => [false, a, c, g]);
const LE_ARCHES = ['x86', 'x86_64', 'x32', 'arm', 'aarch64', 'loongarch64', 'mipsel', 'mipsel64', 'mipsel64n32', 'ppc64le', 'riscv64', 'sh'];
const BE_ARCHES = ['m68k', 'mips', 'mips64', 'mips64n32', 'parisc', 'parisc64', 'ppc', 'ppc64', 's390', 's390x', 'sheb'];
// The rules of each test's .py, transcribed (stdin 0, stdout 1, stderr 2).
const SPECS: Record<string, Spec> = {
  '01-sim-allow': { def: A.ALLOW, rules: [] },
  '02-sim-basic': { def: A.KILL, rules: [[true, A.ALLOW, 'read'], [true, A.ALLOW, 'write'], [true, A.ALLOW, 'close'], [true, A.ALLOW, 'rt_sigreturn']] },
  '03-sim-basic_chains': { def: A.KILL, rules: basicChains },
  '06-sim-actions': {
    def: A.KILL,
    rules: [[false, A.ALLOW, 'read'], [false, A.LOG, 'rt_sigreturn'], [false, ERRNO(1), 'write'], [false, A.TRAP, 'close'], [false, TRACE(1234), 'openat'], [false, A.KILL_PROCESS, 'fstatfs']],
  },
  '12-sim-basic_masked_ops': {
    def: A.KILL,
    rules: [
      [true, A.ALLOW, 1000, [[0, EQ, 0], [1, EQ, 1], [2, EQ, 2]]],
      ...[[0x00ff, 1], [0xffff, 11], [0xffff, 111], [0xff00, 1000]].map(([m, v]): Rule => [true, A.ALLOW, 1000, [[0, EQ, 0], [1, MASKED_EQ, m!, v!], [2, EQ, 2]]]),
    ],
  },
  '16-sim-arch_basic': {
    def: A.KILL,
    arches: LE_ARCHES,
    rules: [...loose(basicChains.slice(0, 4)), [false, A.ALLOW, 'socket'], [false, A.ALLOW, 'connect'], [false, A.ALLOW, 'shutdown']],
  },
  '23-sim-arch_all_le_basic': { def: A.KILL, arches: LE_ARCHES, rules: loose(basicChains) },
  '26-sim-arch_all_be_basic': { def: A.KILL, arches: BE_ARCHES, rules: loose(basicChains) },
  '40-sim-log': { def: A.LOG, rules: [] },
  '46-sim-kill_process': {
    def: A.KILL_PROCESS,
    arches: ['x86_64'],
    rules: [[true, A.ALLOW, 'read'], [true, ERRNO(5), 'write'], [true, A.KILL, 'open'], [true, ERRNO(6), 'close', [[0, GT, 100]]]],
  },
  '48-sim-32b_args': {
    def: A.KILL,
    rules: [
      [true, A.ALLOW, 1000, [[0, EQ, 0xffffffffffffffffn]]], [true, A.ALLOW, 1064, [[0, EQ, 0xffffffffffffffffn]]], [true, A.ALLOW, 1032, [[0, EQ, 0xffffffff]]],
      [true, A.ALLOW, 2000, [[0, EQ, 0xffffffffffffffffn]]], [true, A.ALLOW, 2064, [[0, EQ, 0xffffffffffffffffn]]], [true, A.ALLOW, 2032, [[0, EQ, 0xffffffff]]],
    ],
  },
  '49-sim-64b_comparisons': { def: A.KILL, rules: [[true, A.ALLOW, 1000, [[0, LT, 0x123456789abcn]]]] },
};

let helper: string | undefined;
function compile(spec: Spec): { bpf: Uint8Array; arches: string[]; nr: (arch: string, name: string) => number } {
  const dir = mkdtempSync(join(tmpdir(), 'systab-libseccomp-'));
  helper ??= (execFileSync('gcc', ['-O1', '-o', join(dir, 'export'), new URL('./helpers/libseccomp-export.c', import.meta.url).pathname, `-l:libseccomp.so.2`]), join(dir, 'export'));
  const arches = spec.arches ?? ['x86_64'];
  const names = [...new Set(spec.rules.map((r) => r[2]).filter((c): c is string => typeof c === 'string')), 'read', 'write', 'close', 'open', 'openat', 'fstatfs', 'rt_sigreturn', 'socket', 'connect', 'shutdown'];
  const lines = ['api 3', `default ${spec.def}`];
  if (spec.arches) lines.push('arch remove native', ...spec.arches.map((a) => `arch add ${ARCH[a]}`));
  for (const [exact, action, call, args = []] of spec.rules) {
    lines.push(`rule ${exact ? 1 : 0} ${action} ${typeof call === 'number' ? `#${call}` : call} ${args.length} ${args.map(([i, op, a, b]) => `${i} ${op} ${a} ${b ?? 0}`).join(' ')}`);
  }
  for (const a of arches) for (const n of names) lines.push(`resolve ${ARCH[a]} ${n}`);
  const out = execFileSync(helper, [join(dir, 'f.bpf')], { input: lines.join('\n') + '\n' }).toString();
  const added = arches.filter((a) => !out.includes(`arch ${ARCH[a]} -`)); // 2.5.4 does not know every arch of today's tests
  const nrs = new Map(out.split('\n').filter((l) => l.startsWith('nr ')).map((l) => l.split(' ')).map(([, t, n, v]) => [`${Number(t)} ${n}`, Number(v)]));
  let bpf: Uint8Array = new Uint8Array(readFileSync(join(dir, 'f.bpf')));
  // libseccomp writes a filter of big-endian arches only in their byte order.
  if (added.every((a) => !(ARCH[a]! & 0x40000000))) bpf = swapped(bpf);
  return { bpf, arches: added, nr: (a, n) => nrs.get(`${ARCH[a]} ${n}`) ?? NaN };
}

/** struct sock_filter bytes of the other byte order. */
function swapped(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Uint8Array(b.length);
  const w = new DataView(out.buffer);
  for (let i = 0; i < b.length; i += 8) {
    w.setUint16(i, v.getUint16(i, false), true);
    out[i + 2] = b[i + 2]!;
    out[i + 3] = b[i + 3]!;
    w.setUint32(i + 4, v.getUint32(i + 4, false), true);
  }
  return out;
}

/** The arches a row's Arch column names, among those the filter has. */
function rowArches(col: string, have: string[]): string[] {
  let set = new Set<string>();
  for (const t0 of col.split(',')) {
    const neg = t0.startsWith('-');
    const t = t0.replace(/^[+-]/, '');
    const match = t === 'all' ? have : t === 'all_le' ? have.filter((a) => ARCH[a]! & 0x40000000) : t === 'all_be' ? have.filter((a) => !(ARCH[a]! & 0x40000000)) : t === 'all_64' ? have.filter((a) => ARCH[a]! & 0x80000000) : t === 'all_32' ? have.filter((a) => !(ARCH[a]! & 0x80000000)) : have.filter((a) => a === t);
    if (neg) set = new Set([...set].filter((a) => !match.includes(a)));
    else match.forEach((a) => set.add(a));
  }
  return [...set];
}

function expand(v: string): bigint[] {
  if (v === 'N') return [0n, 0x856b008n, 0xffffffffffffffffn];
  const m = /^(\w+)-(\w+)$/.exec(v);
  if (m) {
    const [lo, hi] = [BigInt(m[1]!), BigInt(m[2]!)];
    const out: bigint[] = [];
    for (let x = lo; x <= hi; x += hi - lo > 40n ? (hi - lo) / 17n : 1n) out.push(x);
    return [...out, hi];
  }
  return [BigInt(v)];
}

function result(r: string): number {
  const m = /^(ERRNO|TRACE)\((\d+)\)$/.exec(r);
  if (m) return m[1] === 'ERRNO' ? ERRNO(Number(m[2])) : TRACE(Number(m[2]));
  return A[r as keyof typeof A] ?? NaN;
}

describe.skipIf(why !== undefined)(`libseccomp's compilation of its regression rules, run by systab${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(name, () => {
      const { bpf, arches, nr } = compile(spec);
      const e = createSeccompEngine();
      const abis = arches.map((a) => ({ id: a, arch: a === 'x32' ? 0xc000003e : ARCH[a]!, bigEndian: !(ARCH[a]! & 0x40000000), base: a === 'x32' ? 0x40000000 : 0, count: 8192 }));
      const f = e.install([bpf], { abis });
      const rows = readFileSync(join(TESTS, `${name}.tests`), 'utf8').split(/test type: /).filter((s) => s.startsWith('bpf-sim\n')).flatMap((s) => s.split('\n').slice(1)).filter((l) => l.trim() !== '' && !l.startsWith('#'));
      let checked = 0;
      const bad: string[] = [];
      for (const row of rows) {
        const [, archCol, call, ...rest] = row.trim().split(/\s+/);
        const want = result(rest[6]!);
        for (const arch of rowArches(archCol!, arches)) {
          const nrs = /^[a-z_]\w*$/.test(call!) ? [BigInt(nr(arch, call!))] : expand(call!);
          for (const n of nrs) {
            const number = arch === 'x32' && !/^[a-z_]/.test(call!) ? Number(n) + 0x40000000 : Number(n);
            // Every combination of the arguments' values (ranges sampled).
            let combos: bigint[][] = [[]];
            for (const v of rest.slice(0, 6)) combos = combos.flatMap((c) => expand(v).slice(0, 3).map((x) => [...c, x]));
            for (const args of combos) {
              const data = { nr: number, abi: arch, args };
              const got = e.evaluate(f, data);
              const raw = e.evaluateUncached(f, data);
              checked++;
              if (got !== want || raw !== want) bad.push(`${arch} ${call}=${number} ${args.map((a) => a.toString(16)).join(',')}: want ${want.toString(16)} got ${got.toString(16)} uncached ${raw.toString(16)}`);
            }
          }
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
      expect(checked).toBeGreaterThan(0);
      console.log(`${name}: ${checked} rows x arguments on ${arches.join(' ')}`);
    });
  }
});
