// An OCI runtime-spec seccomp profile (linux.seccomp), with Docker's
// extensions (archMap, includes/excludes, `name`), read as runc and moby read
// it: checked field by field, filtered by the capabilities, kernel and arch
// the embedder claims, and turned into the rules runc gives libseccomp
// (libcontainer/seccomp/seccomp_linux.go: one rule per name; a rule whose
// action is the default's dropped; several comparisons on one argument
// split into one rule each, ORed).
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF } from './actions.js';
import { seccompArchs } from './arch.js';
import { ociArchs, ociArchsWithoutAbi } from './oci-arch.js';

/** libseccomp's comparison operators (enum scmp_compare), as the spec names them. */
export const SCMP_CMP = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 } as const;
export type ScmpCmp = keyof typeof SCMP_CMP;

/** One comparison: argument `index` against `value` (MASKED_EQ: (arg & value) == valueTwo). */
export interface ProfileCmp {
  index: number;
  op: ScmpCmp;
  value: bigint;
  valueTwo: bigint;
}

/** One rule as libseccomp takes it (seccomp_rule_add_array): a name, an action, comparisons ANDed. */
export interface ProfileRule {
  name: string;
  action: number;
  args: ProfileCmp[];
}

export interface ProfileRules {
  defaultAction: number;
  rules: ProfileRule[];
}

/** What the embedder claims about the container, as Docker evaluates includes/excludes. */
export interface ProfileClaims {
  /** The capabilities in the bounding set, e.g. ['CAP_SYS_ADMIN']; default none. */
  caps?: readonly string[];
  /** The kernel version "major.minor" minKernel compares with; default: every minKernel is met. */
  kernel?: string;
}

const EPERM = 1;
const U64 = (1n << 64n) - 1n;
const TOP = ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'flags', 'listenerPath', 'listenerMetadata'];
const ENTRY = ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes'];
const ARG = ['index', 'value', 'valueTwo', 'op'];
const FILTER = ['arches', 'caps', 'minKernel'];
const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'];
const ACTIONS: Record<string, number> = {
  SCMP_ACT_KILL: SECCOMP_RET_KILL_THREAD,
  SCMP_ACT_KILL_THREAD: SECCOMP_RET_KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: SECCOMP_RET_KILL_PROCESS,
  SCMP_ACT_TRAP: SECCOMP_RET_TRAP,
  SCMP_ACT_ERRNO: SECCOMP_RET_ERRNO,
  SCMP_ACT_TRACE: SECCOMP_RET_TRACE,
  SCMP_ACT_ALLOW: SECCOMP_RET_ALLOW,
  SCMP_ACT_LOG: SECCOMP_RET_LOG,
  SCMP_ACT_NOTIFY: SECCOMP_RET_USER_NOTIF,
};

const bad = (at: string, why: string): SystabError => new SystabError('EBADSPEC', `seccomp profile: ${at} ${why}`);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function keys(v: unknown, allowed: readonly string[], at: string, what: string): Record<string, unknown> {
  if (!isObject(v)) throw bad(at, `must be ${what} (got ${show(v)})`);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw bad(at, `has no field "${k}" (it takes ${allowed.join(', ')})`);
  return v;
}

function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw bad(at, `must be an array of non-empty strings (got ${show(v)})`);
  return v as string[];
}

/** An action and its data: errnoRet for ERRNO and TRACE (default EPERM, as runc), refused on any other. */
function action(name: unknown, errno: unknown, at: string, errnoField: string): number {
  if (typeof name !== 'string' || !(name in ACTIONS)) throw bad(at, `is ${show(name)}, not an action (${Object.keys(ACTIONS).join(', ')})`);
  const base = ACTIONS[name]!;
  const takesData = base === SECCOMP_RET_ERRNO || base === SECCOMP_RET_TRACE;
  if (errno === undefined || errno === null) return takesData ? (base | EPERM) >>> 0 : base >>> 0;
  if (!takesData) throw bad(errnoField, `is given for ${name}, which returns no errno (the spec: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)`);
  // libseccomp refuses ERRNO data from MAX_ERRNO (4095) up (EINVAL: runc fails); TRACE takes all 16 bits.
  const max = base === SECCOMP_RET_ERRNO ? 4094 : 0xffff;
  if (typeof errno !== 'number' || !Number.isInteger(errno) || errno < 0 || errno > max) {
    throw bad(errnoField, `must be an errno from 0 to ${max}${base === SECCOMP_RET_ERRNO ? ' (libseccomp takes those below MAX_ERRNO, 4095)' : ", the action's 16 data bits"} (got ${show(errno)})`);
  }
  return (base | errno) >>> 0;
}

function u64(v: unknown, at: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= U64) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  // (2^64 - 1 in JSON, as profiles write masks, parses to 2^64.)
  if (typeof v === 'number' && v > Number.MAX_SAFE_INTEGER && v <= 2 ** 64) throw bad(at, `is ${v}, above 2^53: JSON.parse has rounded it; give the profile this value as a BigInt`);
  throw bad(at, `must be an unsigned 64-bit integer (a number or a BigInt; got ${show(v)})`);
}

function kernelVersion(v: unknown, at: string, loose: boolean): [number, number] {
  const m = typeof v === 'string' ? (loose ? /^(\d+)\.(\d+)(?:[.\-+~].*)?$/ : /^(\d+)\.(\d+)$/).exec(v) : null;
  if (m === null) throw bad(at, `must be a kernel version "major.minor" such as "4.8" (got ${show(v)})`);
  return [Number(m[1]), Number(m[2])];
}

interface Filter {
  arches: string[];
  caps: string[];
  minKernel: [number, number] | undefined;
}

function filter(v: unknown, at: string): Filter {
  if (v === undefined || v === null) return { arches: [], caps: [], minKernel: undefined };
  const f = keys(v, FILTER, at, 'an object { arches?, caps?, minKernel? }');
  return {
    arches: f.arches === undefined || f.arches === null ? [] : strings(f.arches, `${at}.arches`),
    caps: f.caps === undefined || f.caps === null ? [] : strings(f.caps, `${at}.caps`),
    minKernel: f.minKernel === undefined || f.minKernel === null ? undefined : kernelVersion(f.minKernel, `${at}.minKernel`, false),
  };
}

const atLeast = (k: [number, number] | undefined, min: [number, number]): boolean => k === undefined || k[0] > min[0] || (k[0] === min[0] && k[1] >= min[1]);

/** Docker's test (profiles/seccomp: excludes first, then includes): an entry applies when none of its excludes and all of its includes hold. */
function applies(inc: Filter, exc: Filter, arches: readonly string[], caps: ReadonlySet<string>, kernel: [number, number] | undefined): boolean {
  if (exc.arches.some((a) => arches.includes(a))) return false;
  if (exc.caps.some((c) => caps.has(c))) return false;
  if (exc.minKernel !== undefined && atLeast(kernel, exc.minKernel)) return false;
  if (inc.arches.length > 0 && !inc.arches.some((a) => arches.includes(a))) return false;
  if (!inc.caps.every((c) => caps.has(c))) return false;
  if (inc.minKernel !== undefined && !atLeast(kernel, inc.minKernel)) return false;
  return true;
}

function checkArch(token: unknown, at: string): void {
  if (typeof token !== 'string' || !(token in ociArchs || ociArchsWithoutAbi.includes(token))) {
    throw bad(at, `is ${show(token)}, not an arch token (${[...Object.keys(ociArchs), ...ociArchsWithoutAbi].join(', ')})`);
  }
}

/** Checks the claims an embedder passes (caps, kernel). */
export function checkClaims(o: ProfileClaims, what: string): { caps: Set<string>; kernel: [number, number] | undefined } {
  const caps = o.caps === undefined ? [] : o.caps;
  if (!Array.isArray(caps) || caps.some((c) => typeof c !== 'string')) throw new SystabError('EBADSPEC', `${what}: caps must be an array of capability names such as "CAP_SYS_ADMIN" (got ${show(o.caps)})`);
  let kernel: [number, number] | undefined;
  if (o.kernel !== undefined) {
    try {
      kernel = kernelVersion(o.kernel, 'kernel', true);
    } catch {
      throw new SystabError('EBADSPEC', `${what}: kernel must be a version such as "6.1" or "6.1.0-13-amd64" (got ${show(o.kernel)})`);
    }
  }
  return { caps: new Set(caps), kernel };
}

/**
 * The profile's rules for a container whose arch names (Docker's, for the
 * native ABI), capabilities and kernel are given: every field checked (a
 * bad one throws EBADSPEC naming it), nothing about ABIs decided yet.
 */
export function profileRules(profile: unknown, arches: readonly string[], caps: ReadonlySet<string>, kernel: [number, number] | undefined): ProfileRules {
  const p = keys(profile, TOP, 'the profile', 'an object (the linux.seccomp of an OCI config, or a Docker profile)');
  const defaultAction = action(p.defaultAction, p.defaultErrnoRet, 'defaultAction', 'defaultErrnoRet');
  if (p.architectures !== undefined && p.architectures !== null) {
    if (!Array.isArray(p.architectures)) throw bad('architectures', `must be an array of arch tokens (got ${show(p.architectures)})`);
    p.architectures.forEach((a, i) => checkArch(a, `architectures[${i}]`));
  }
  if (p.archMap !== undefined && p.archMap !== null) {
    if (!Array.isArray(p.archMap)) throw bad('archMap', `must be an array of { architecture, subArchitectures } (got ${show(p.archMap)})`);
    if (Array.isArray(p.architectures) && p.architectures.length > 0) throw bad('archMap', 'and architectures are both given; Docker takes one or the other');
    p.archMap.forEach((m, i) => {
      const e = keys(m, ['architecture', 'subArchitectures'], `archMap[${i}]`, 'an object { architecture, subArchitectures }');
      checkArch(e.architecture, `archMap[${i}].architecture`);
      if (e.subArchitectures !== undefined && e.subArchitectures !== null) {
        if (!Array.isArray(e.subArchitectures)) throw bad(`archMap[${i}].subArchitectures`, `must be an array of arch tokens or null (got ${show(e.subArchitectures)})`);
        e.subArchitectures.forEach((a, j) => checkArch(a, `archMap[${i}].subArchitectures[${j}]`));
      }
    });
  }
  if (p.flags !== undefined && p.flags !== null) {
    strings(p.flags, 'flags').forEach((f, i) => {
      if (!FLAGS.includes(f)) throw bad(`flags[${i}]`, `is ${show(f)}, not a seccomp() flag (${FLAGS.join(', ')})`);
    });
  }
  for (const k of ['listenerPath', 'listenerMetadata']) if (p[k] !== undefined && typeof p[k] !== 'string') throw bad(k, `must be a string (got ${show(p[k])})`);
  const syscalls = p.syscalls ?? [];
  if (!Array.isArray(syscalls)) throw bad('syscalls', `must be an array of { names, action, args? } (got ${show(syscalls)})`);
  const rules: ProfileRule[] = [];
  syscalls.forEach((entry: unknown, i) => {
    const at = `syscalls[${i}]`;
    const e = keys(entry, ENTRY, at, 'an object { names, action, errnoRet?, args?, includes?, excludes? }');
    if (e.names !== undefined && e.name !== undefined) throw bad(at, 'has both "names" and "name"; give one (Docker: "name" is the old spelling of a one-name "names")');
    const names = e.names !== undefined ? strings(e.names, `${at}.names`) : e.name !== undefined ? strings([e.name], `${at}.name`) : undefined;
    if (names === undefined) throw bad(at, 'has no "names" (the calls it is about)');
    const act = action(e.action, e.errnoRet, `${at}.action`, `${at}.errnoRet`);
    if (e.comment !== undefined && typeof e.comment !== 'string') throw bad(`${at}.comment`, `must be a string (got ${show(e.comment)})`);
    const args = e.args === undefined || e.args === null ? [] : e.args;
    if (!Array.isArray(args)) throw bad(`${at}.args`, `must be an array of { index, value, valueTwo?, op } (got ${show(args)})`);
    const cmps = args.map((a: unknown, j): ProfileCmp => {
      const aat = `${at}.args[${j}]`;
      const c = keys(a, ARG, aat, 'an object { index, value, valueTwo?, op }');
      if (typeof c.index !== 'number' || !Number.isInteger(c.index) || c.index < 0 || c.index > 5) throw bad(`${aat}.index`, `must be an argument index from 0 to 5 (got ${show(c.index)})`);
      if (typeof c.op !== 'string' || !(c.op in SCMP_CMP)) throw bad(`${aat}.op`, `is ${show(c.op)}, not an operator (${Object.keys(SCMP_CMP).join(', ')})`);
      if (c.value === undefined) throw bad(`${aat}.value`, 'is missing (the value compared with, or the mask of SCMP_CMP_MASKED_EQ)');
      return { index: c.index, op: c.op as ScmpCmp, value: u64(c.value, `${aat}.value`), valueTwo: c.valueTwo === undefined ? 0n : u64(c.valueTwo, `${aat}.valueTwo`) };
    });
    const inc = filter(e.includes, `${at}.includes`);
    const exc = filter(e.excludes, `${at}.excludes`);
    if (!applies(inc, exc, arches, caps, kernel)) return;
    // runc: a rule with the default's action is dropped (libseccomp refuses it, EACCES).
    if (act === defaultAction) return;
    // runc: comparisons on one argument more than once become one rule each.
    const counts = new Array<number>(6).fill(0);
    for (const c of cmps) counts[c.index]!++;
    const split = counts.some((n) => n > 1) ? cmps.map((c) => [c]) : [cmps];
    for (const name of names) for (const a of split) rules.push({ name, action: act, args: a });
  });
  return { defaultAction, rules };
}

/**
 * The ABIs Docker and runc filter for a container on `native` (an ABI id):
 * the native one, then archMap's subArchitectures for the native arch, or
 * the profile's `architectures` (libseccomp's filter always has its native
 * arch). Tokens with no systab ABI (SCMP_ARCH_S390) are left out. Compile
 * for these to make the program runc would install in the kernel.
 */
export function profileAbiIds(profile: unknown, native: string): string[] {
  profileRules(profile, [], new Set(), undefined); // every field checked
  const p = profile as { architectures?: string[] | null; archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null };
  const home = seccompArchs[native];
  const mine = (token: string): boolean => ociArchs[token]?.id === native && ociArchs[token]!.arch === home?.arch;
  const tokens = p.archMap?.find((m) => mine(m.architecture));
  const list = tokens !== undefined ? [tokens.architecture, ...(tokens.subArchitectures ?? [])] : (p.architectures ?? []);
  return [...new Set([native, ...list.filter((t) => t in ociArchs).map((t) => ociArchs[t]!.id)])];
}
