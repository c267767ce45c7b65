// OCI seccomp profiles compiled to one cBPF program for the ABIs asked for,
// with libseccomp's semantics (src/db.c, src/gen_bpf.c of libseccomp 2.5.4,
// read to learn, not copied): the arch first (a foreign one gets the bad-arch
// action, KILL_THREAD); on x86_64 alone an x32 number (but -1) is a foreign
// arch too, and on x32 alone an x86_64 one; then the call number; then the
// rules of that number, each an AND of comparisons, ORed, their arguments'
// 64-bit halves compared high then low (unsigned), on a 32-bit arch (x86,
// arm, x32, mips n32, ...) the low half only, against the value's low half.
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { SECCOMP_RET_KILL_THREAD } from './actions.js';
import { AUDIT_ARCH_64BIT, AUDIT_ARCH_CONVENTION_MIPS64_N32, seccompArchs, X32_SYSCALL_BIT } from './arch.js';
import { ALU_AND_K, Asm, JEQ_K, JGE_K, JGT_K, LD_W_ABS, type Label } from './asm.js';
import { dockerArchNames, MUXED_ABIS, MUXED_CALLS } from './oci-arch.js';
import { checkClaims, profileRules, type ProfileClaims, type ProfileCmp } from './profile.js';
import type { SockFilter } from './program.js';

/** An ABI a profile is compiled for: an `Abi` from `systab/abi/<id>` fits; arch and bigEndian override arch.ts (ppc64le, mipsel). */
export interface ProfileAbi {
  id: string;
  names: Readonly<Record<string, number>>;
  arch?: number;
  bigEndian?: boolean;
}

export interface CompileOptions extends ProfileClaims {
  /** The ABIs the program answers for; the first is the native one, whose arch names Docker's includes/excludes `arches` test. */
  abi: ProfileAbi | readonly ProfileAbi[];
}

/** What libseccomp's bad-arch action is by default (SCMP_FLTATR_ACT_BADARCH: SCMP_ACT_KILL). */
export const BAD_ARCH_ACTION = SECCOMP_RET_KILL_THREAD;
const MAX_INSNS = 4096;
const NR = 0;
const ARCH = 4;
const ARGS = 16;
const LO32 = 0xffffffffn;

interface Target {
  id: string;
  names: Readonly<Record<string, number>>;
  arch: number;
  bigEndian: boolean;
  wide: boolean; // libseccomp's ARCH_SIZE_64: both halves compared
}

interface Check {
  op: ProfileCmp['op'];
  lo: number; // offsets of the argument's halves in seccomp_data
  hi: number;
  value: bigint;
  mask: bigint;
  wide: boolean;
}

interface Calls {
  /** The first unconditional rule's action: libseccomp keeps it over every rule with arguments. */
  always?: number;
  rules: { action: number; checks: Check[] }[];
}

function target(a: unknown, i: number): Target {
  const s = a as Partial<ProfileAbi> | null;
  if (s === null || typeof s !== 'object' || typeof s.id !== 'string' || s.names === null || typeof s.names !== 'object') {
    throw new SystabError('EBADSPEC', `compileProfile: abi${i > 0 ? `[${i}]` : ''} must be an Abi from systab/abi/<id> (with id and names; got ${show(a)})`);
  }
  const known = seccompArchs[s.id];
  if (!s.id.startsWith('linux-')) {
    throw new SystabError('EBADSPEC', `compileProfile: ${s.id} has no seccomp arch token (OCI profiles name Linux arches: SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...); filter it with programs of your own through filterTable()`);
  }
  const arch = s.arch ?? known?.arch;
  const bigEndian = s.bigEndian ?? known?.bigEndian;
  if (arch === undefined || bigEndian === undefined || !Number.isInteger(arch) || arch < -(2 ** 31) || arch >= 2 ** 32 || typeof bigEndian !== 'boolean') {
    throw new SystabError('EBADSPEC', `compileProfile: ABI ${s.id} is not one systab knows: give its seccomp_data.arch and byte order ({ arch, bigEndian })`);
  }
  const a32 = arch >>> 0;
  const wide = (a32 & AUDIT_ARCH_64BIT) !== 0 && (a32 & AUDIT_ARCH_CONVENTION_MIPS64_N32) === 0 && s.id !== 'linux-x32';
  return { id: s.id, names: s.names, arch: a32, bigEndian, wide };
}

/** A comparison as the ABI's filter makes it, or undefined where libseccomp drops it (a MASKED_EQ whose mask is 0 there). */
function check(c: ProfileCmp, t: Target): Check | undefined {
  const base = ARGS + 8 * c.index;
  const lo = base + (t.bigEndian ? 4 : 0);
  const hi = base + (t.bigEndian ? 0 : 4);
  const keep = t.wide ? (1n << 64n) - 1n : LO32;
  const mask = (c.op === 'SCMP_CMP_MASKED_EQ' ? c.value : keep) & keep;
  const value = (c.op === 'SCMP_CMP_MASKED_EQ' ? c.valueTwo : c.value) & mask; // libseccomp masks the datum too
  if (mask === 0n) return undefined;
  return { op: c.op, lo, hi, value, mask, wide: t.wide };
}

const w = (v: bigint, half: 0 | 1): number => Number((half === 1 ? v >> 32n : v) & LO32);

/** Jumps to `pass` where the comparison holds, else to `fail`. */
function emit(asm: Asm, c: Check, pass: Label, fail: Label): void {
  const [vlo, vhi, mlo, mhi] = [w(c.value, 0), w(c.value, 1), w(c.mask, 0), w(c.mask, 1)];
  if (c.op === 'SCMP_CMP_MASKED_EQ') {
    if (c.wide && mhi !== 0) {
      asm.op(LD_W_ABS, c.hi);
      if (mhi !== 0xffffffff) asm.op(ALU_AND_K, mhi);
      const l = mlo !== 0 ? asm.label() : pass;
      asm.jmp(JEQ_K, vhi, l, fail);
      if (mlo === 0) return;
      asm.place(l);
    }
    asm.op(LD_W_ABS, c.lo);
    if (mlo !== 0xffffffff) asm.op(ALU_AND_K, mlo);
    asm.jmp(JEQ_K, vlo, pass, fail);
    return;
  }
  if (!c.wide) {
    asm.op(LD_W_ABS, c.lo);
    const [code, holds] = ({ SCMP_CMP_EQ: [JEQ_K, true], SCMP_CMP_NE: [JEQ_K, false], SCMP_CMP_GT: [JGT_K, true], SCMP_CMP_GE: [JGE_K, true], SCMP_CMP_LT: [JGE_K, false], SCMP_CMP_LE: [JGT_K, false] } as const)[c.op];
    asm.jmp(code, vlo, holds ? pass : fail, holds ? fail : pass);
    return;
  }
  asm.op(LD_W_ABS, c.hi);
  switch (c.op) {
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_NE': {
      const [t, f] = c.op === 'SCMP_CMP_EQ' ? [pass, fail] : [fail, pass];
      const l = asm.label();
      asm.jmp(JEQ_K, vhi, l, f);
      asm.place(l);
      asm.op(LD_W_ABS, c.lo);
      asm.jmp(JEQ_K, vlo, t, f);
      return;
    }
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      const l0 = asm.label();
      asm.jmp(JGT_K, vhi, pass, l0);
      asm.place(l0);
      const l1 = asm.label();
      asm.jmp(JEQ_K, vhi, l1, fail);
      asm.place(l1);
      asm.op(LD_W_ABS, c.lo);
      asm.jmp(c.op === 'SCMP_CMP_GT' ? JGT_K : JGE_K, vlo, pass, fail);
      return;
    }
    default: {
      // LT, LE: the high half above: no; equal: the low half decides; below: yes.
      const l0 = asm.label();
      asm.jmp(JGT_K, vhi, fail, l0);
      asm.place(l0);
      const l1 = asm.label();
      asm.jmp(JEQ_K, vhi, l1, pass);
      asm.place(l1);
      asm.op(LD_W_ABS, c.lo);
      asm.jmp(c.op === 'SCMP_CMP_LT' ? JGE_K : JGT_K, vlo, fail, pass);
    }
  }
}

/** Number -> its rules, for a group of ABIs sharing one arch value. */
function callsOf(group: Target[], rules: ReturnType<typeof profileRules>['rules']): Map<number, Calls> {
  const calls = new Map<number, Calls>();
  for (const r of rules) {
    for (const t of group) {
      const has = (name: string): number | undefined => (Object.hasOwn(t.names, name) ? t.names[name]! >>> 0 : undefined);
      const forms: [number | undefined, ProfileCmp[]][] = [];
      const mux = MUXED_ABIS.has(t.id) && Object.hasOwn(MUXED_CALLS, r.name) ? MUXED_CALLS[r.name]! : undefined;
      if (mux !== undefined) forms.push([has(mux[0]), [{ index: 0, op: 'SCMP_CMP_EQ', value: BigInt(mux[1]), valueTwo: 0n }, ...r.args.filter((a) => a.index !== 0)]]);
      forms.push([has(r.name), r.args]); // a name the ABI lacks is skipped (libseccomp's __NR_SCMP_ERROR / pseudo numbers)
      for (const [nr, args] of forms) {
        if (nr === undefined) continue;
        let c = calls.get(nr);
        if (c === undefined) calls.set(nr, (c = { rules: [] }));
        if (c.always !== undefined) continue;
        const checks = args.map((a) => check(a, t)).filter((x): x is Check => x !== undefined);
        if (checks.length === 0) {
          c.always = r.action;
          c.rules = [];
        } else c.rules.push({ action: r.action, checks });
      }
    }
  }
  return calls;
}

/**
 * A binary search over the number line cut into runs of one target (runs of
 * numbers with the same action merged; the gaps go to the default).
 */
function dispatch(asm: Asm, nrs: [number, Label][], otherwise: Label): void {
  const runs: [number, Label][] = [];
  const add = (start: number, to: Label): void => {
    if (runs.length === 0 || runs[runs.length - 1]![1] !== to) runs.push([start, to]);
  };
  add(0, otherwise);
  for (const [nr, to] of nrs) {
    if (runs[runs.length - 1]![0] === nr) runs.pop(); // the default run that started here is empty
    add(nr, to);
    if (nr < 0xffffffff) add(nr + 1, otherwise);
  }
  const search = (part: [number, Label][]): void => {
    if (part.length === 1) return asm.ja(part[0]![1]);
    const mid = part.length >> 1;
    const [lo, hi] = [part.slice(0, mid), part.slice(mid)];
    const l = lo.length === 1 ? lo[0]![1] : asm.label();
    const h = hi.length === 1 ? hi[0]![1] : asm.label();
    asm.jmp(JGE_K, part[mid]![0], h, l);
    if (lo.length > 1) {
      asm.place(l);
      search(lo);
    }
    if (hi.length > 1) {
      asm.place(h);
      search(hi);
    }
  };
  search(runs);
}

/**
 * Compiles an OCI runtime-spec seccomp profile (linux.seccomp, or a Docker
 * profile with archMap and includes/excludes) to one cBPF program for the
 * ABIs in `o.abi`, as runc builds it with libseccomp. Throws EBADSPEC
 * naming the field of a profile that is not one.
 */
export function compileProfile(profile: unknown, o: CompileOptions): SockFilter[] {
  if (o === null || typeof o !== 'object') throw new SystabError('EBADSPEC', `compileProfile: options must be an object { abi, caps?, kernel? } (got ${show(o)})`);
  for (const k of Object.keys(o)) if (!['abi', 'caps', 'kernel'].includes(k)) throw new SystabError('EBADSPEC', `compileProfile has no option "${k}" (it takes abi, caps, kernel)`);
  const list: readonly unknown[] = Array.isArray(o.abi) ? o.abi : [o.abi];
  if (list.length === 0) throw new SystabError('EBADSPEC', 'compileProfile: abi is an empty array; give the ABI (or ABIs) the program answers for');
  const targets = list.map((a, i) => target(a, i));
  const claims = checkClaims(o, 'compileProfile');
  const { defaultAction, rules } = profileRules(profile, dockerArchNames(targets[0]!.id, targets[0]!.arch), claims.caps, claims.kernel);
  // ABIs that share an arch value share a section: only x86_64 and x32 may (the numbers tell them apart).
  const groups: Target[][] = [];
  for (const t of targets) {
    const g = groups.find((x) => x[0]!.arch === t.arch);
    if (g === undefined) groups.push([t]);
    else if (g.some((x) => x.id === t.id) || ![...g, t].every((x) => x.id === 'linux-x86_64' || x.id === 'linux-x32')) {
      throw new SystabError('EBADSPEC', `compileProfile: ${t.id} and ${g[0]!.id} have the same seccomp_data.arch (0x${t.arch.toString(16)}); a program tells them apart only for x86_64 and x32`);
    }
    else g.push(t);
  }
  const asm = new Asm();
  const bad = asm.ret(BAD_ARCH_ACTION);
  const def = asm.ret(defaultAction);
  const bodies = groups.map(() => asm.label());
  asm.op(LD_W_ABS, ARCH);
  groups.forEach((g, i) => {
    const next = i === groups.length - 1 ? bad : asm.label();
    asm.jmp(JEQ_K, g[0]!.arch, bodies[i]!, next);
    if (next !== bad) asm.place(next);
  });
  groups.forEach((g, i) => {
    asm.place(bodies[i]!);
    asm.op(LD_W_ABS, NR);
    const ids = g.map((t) => t.id);
    const start = asm.label();
    if (ids.length === 1 && ids[0] === 'linux-x86_64') {
      // An x32 number on a filter without x32: the bad arch, but -1 (a tracer's skipped call).
      const x32 = asm.label();
      asm.jmp(JGE_K, X32_SYSCALL_BIT, x32, start);
      asm.place(x32);
      asm.jmp(JEQ_K, 0xffffffff, start, bad);
    } else if (ids.length === 1 && ids[0] === 'linux-x32') asm.jmp(JGE_K, X32_SYSCALL_BIT, start, bad);
    asm.place(start);
    const calls = [...callsOf(g, rules)].sort((a, b) => a[0] - b[0]);
    const blocks = calls.map(([nr, c]): [number, Label, Calls] => [nr, c.always !== undefined ? asm.ret(c.always) : asm.label(), c]);
    dispatch(asm, blocks.map(([nr, l]) => [nr, l]), def);
    for (const [, label, c] of blocks) {
      if (c.always !== undefined) continue;
      asm.place(label);
      c.rules.forEach((r, ri) => {
        const fail = ri === c.rules.length - 1 ? def : asm.label();
        r.checks.forEach((k, ki) => {
          const pass = ki === r.checks.length - 1 ? asm.ret(r.action) : asm.label();
          emit(asm, k, pass, fail);
          if (ki < r.checks.length - 1) asm.place(pass);
        });
        if (fail !== def) asm.place(fail);
      });
    }
  });
  const program = asm.finish();
  if (program.length > MAX_INSNS) {
    throw new SystabError('EINVAL', `compileProfile: the program for ${targets.map((t) => t.id).join(', ')} is ${program.length} instructions; the kernel takes ${MAX_INSNS} (compile it for fewer ABIs, one program each)`);
  }
  return program;
}
