// strace's `-e inject=` and `-e fault=` grammar over one ABI, read into a
// plain spec. Semantics learnt from strace's filter_qualify.c
// (parse_inject_token, qualify_inject_common); written anew.
import type { Abi } from '../abi/types.js';
import { readAbi } from '../abi/read.js';
import { SystabError } from '../errors.js';
import { callClass, TraceClass } from './classes.js';
import { parseTs, strtoull0, uintEx, uintUpto } from './cnum.js';
import { parseTraceSet, type TraceSet } from './select.js';
import { signalNumber } from './signals.js';

/** Which calls of a number are tampered with: the first-th, then every step-th up to the last-th, counted per number. */
export interface InjectWhen {
  /** 1..65535; default 1. */
  readonly first: number;
  /** first..65534, or Infinity (strace's INJECT_LAST_INF, the default). */
  readonly last: number;
  /** 0..65535: 0 is the first-th call only (`when=F`); default 1. */
  readonly step: number;
}

/** One `poke_enter=`/`poke_exit=` write: bytes put at the address argument `arg` (1..7) holds. */
export interface InjectPoke {
  readonly arg: number;
  readonly data: Uint8Array;
}

/** What one inject= or fault= expression asks, as strace would apply it. */
export interface InjectSpec {
  readonly kind: 'inject' | 'fault';
  readonly expr: string;
  /** The calls it applies to (each number counts its own calls). */
  readonly set: TraceSet;
  /** Fail with this errno (positive, the ABI's value; fault= without error= is ENOSYS). */
  readonly error?: number;
  /** Return this instead: the register value, unsigned, of the ABI's kernel word (64 or 32 bits). */
  readonly retval?: bigint;
  /** Deliver this signal (the ABI's number) on entering the call. */
  readonly signal?: number;
  /** With error= or retval=: run this pure call's number instead of skipping the call (strace's syscall=). */
  readonly syscall?: number;
  /** Delay before the call, in microseconds (fractions from ns or decimals). */
  readonly delayEnter?: number;
  /** Delay after the call, in microseconds. */
  readonly delayExit?: number;
  readonly pokeEnter?: readonly InjectPoke[];
  readonly pokeExit?: readonly InjectPoke[];
  readonly when: InjectWhen;
  /** strace's warnings (a retval= that reads as an error); the spec stands. */
  readonly warnings: readonly string[];
}

/** ABIs whose kernel word is 32 bits (strace's kernel_ulong_t); the rest, x32 and MIPS n32 among them, have 64. */
export const WORD32 = new Set([
  'linux-arc', 'linux-arm', 'linux-armoabi', 'linux-csky', 'linux-hexagon', 'linux-i386', 'linux-loongarch32', 'linux-m68k',
  'linux-microblaze', 'linux-mipso32', 'linux-nios2', 'linux-openrisc', 'linux-parisc', 'linux-powerpc', 'linux-riscv32',
  'linux-sh', 'linux-sparc', 'linux-xtensa', 'wasi-preview1',
]);
/** Architectures that return errors in a register of their own (HAVE_ARCH_DEDICATED_ERR_REG): no retval reads as an error. */
const ERR_REG = /^linux-(alpha|mips|powerpc|sparc)/;
/** Linux's kernel-internal errno names strace knows (generic/errnoent.h, 512 and up), the same on every architecture. */
const KERNEL_ERRNO: Record<string, number> = {
  ERESTARTSYS: 512, ERESTARTNOINTR: 513, ERESTARTNOHAND: 514, ENOIOCTLCMD: 515, ERESTART_RESTARTBLOCK: 516,
  EPROBE_DEFER: 517, EOPENSTALE: 518, EBADHANDLE: 521, ENOTSYNC: 522, EBADCOOKIE: 523, ENOTSUPP: 524,
  ETOOSMALL: 525, ESERVERFAULT: 526, EBADTYPE: 527, EJUKEBOX: 528, EIOCBQUEUED: 529, ERECALLCONFLICT: 530,
};
const MAX_ERRNO = 4095;
const LAST_INF = 0xffff;

interface Draft {
  when: { first: number; last: number; step: number };
  error?: number;
  retval?: bigint;
  signal?: number;
  syscall?: number;
  delayEnter?: number;
  delayExit?: number;
  pokeEnter?: InjectPoke[];
  pokeExit?: InjectPoke[];
  warnings: string[];
}

/**
 * The spec of `expr` on `abi` in strace's grammar:
 * `SET:error=ERRNO|retval=N[:signal=SIG][:syscall=NAME][:delay_enter=D][:delay_exit=D][:poke_enter=@argN=HEX,...][:poke_exit=...][:when=FIRST[..LAST][+[STEP]]]`
 * for 'inject' (at least one of error, retval, signal, delay, poke), and
 * `SET[:error=ERRNO][:syscall=NAME][:when=...]` for 'fault' (error defaults
 * to ENOSYS). SET is a trace= expression (parseTraceSet). Anything strace
 * refuses throws EBADSPEC saying which option and why. Several expressions
 * combine as in strace: each number takes the last one whose set has it,
 * and counts its calls (when=) on its own, per tracee (per thread).
 */
export function parseInject(expr: string, abi: Abi, kind: 'inject' | 'fault'): InjectSpec {
  if (kind !== 'inject' && kind !== 'fault') throw new SystabError('EBADSPEC', `parseInject() takes kind 'inject' or 'fault' (got ${typeof kind === 'string' ? JSON.stringify(kind) : typeof kind})`);
  if (typeof expr !== 'string') throw new SystabError('EBADSPEC', `parseInject() takes a ${kind} expression string such as 'openat:error=ENOENT:when=3' (got ${typeof expr})`);
  const own = readAbi(abi);
  if (typeof own === 'string') throw new SystabError('EBADSPEC', `parseInject() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (${own})`);
  const bad = (why: string): SystabError => new SystabError('EBADSPEC', `${kind} expression ${JSON.stringify(expr)}: ${why}`);
  if (expr === '' || expr.startsWith(':')) throw bad(`the set of calls comes first (${kind === 'inject' ? 'openat:error=ENOENT' : 'openat:when=3'})`);
  // strtok(":"): the first piece is the set, empty pieces are skipped.
  const [setText, ...tokens] = expr.split(':') as [string, ...string[]];
  const d: Draft = { when: { first: 1, last: LAST_INF, step: 1 }, warnings: [] };
  for (const token of tokens.filter((t) => t !== '')) {
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const val = token.slice(eq + 1);
    if (eq < 0 || !Object.hasOwn(OPTIONS, key)) {
      const known = kind === 'fault' ? FAULT_OPTIONS : Object.keys(OPTIONS);
      throw bad(`"${token}" is not an option (${known.map((k) => `${k}=`).join(', ')})`);
    }
    if (kind === 'fault' && !FAULT_OPTIONS.includes(key)) throw bad(`${key}= is an inject= option; fault= takes ${FAULT_OPTIONS.map((k) => `${k}=`).join(', ')}`);
    const why = OPTIONS[key]!(val, d, own);
    if (why !== undefined) throw bad(`${token}: ${why}`);
  }
  let set: TraceSet;
  try {
    set = parseTraceSet(setText, abi);
  } catch (e) {
    throw e instanceof SystabError ? bad(`its set: ${e.message}`) : e;
  }
  const acts = d.error !== undefined || d.retval !== undefined || d.signal !== undefined || d.delayEnter !== undefined || d.delayExit !== undefined || d.pokeEnter !== undefined || d.pokeExit !== undefined;
  if (!acts) {
    if (kind === 'inject') throw bad('it asks for nothing: give error=, retval=, signal=, delay_enter=, delay_exit=, poke_enter= or poke_exit=');
    d.error = errnoValue(own, 'ENOSYS');
  }
  const w = d.when;
  const spec: InjectSpec = {
    kind, expr, set,
    ...(d.error !== undefined && { error: d.error }),
    ...(d.retval !== undefined && { retval: d.retval }),
    ...(d.signal !== undefined && { signal: d.signal }),
    ...(d.syscall !== undefined && { syscall: d.syscall }),
    ...(d.delayEnter !== undefined && { delayEnter: d.delayEnter }),
    ...(d.delayExit !== undefined && { delayExit: d.delayExit }),
    ...(d.pokeEnter !== undefined && { pokeEnter: Object.freeze(d.pokeEnter) }),
    ...(d.pokeExit !== undefined && { pokeExit: Object.freeze(d.pokeExit) }),
    when: Object.freeze({ first: w.first, last: w.last === LAST_INF ? Infinity : w.last, step: w.step }),
    warnings: Object.freeze(d.warnings),
  };
  return Object.freeze(spec);
}

/** errno `name`'s value on `abi` (any case, as strace's find_errno_by_name), or undefined. */
function errnoValue(abi: Abi, name: string): number | undefined {
  const upper = name.toUpperCase();
  for (const [k, v] of Object.entries(abi.errno)) if (k.toUpperCase() === upper) return v;
  if (abi.convention === 'negative' && Object.hasOwn(KERNEL_ERRNO, upper)) return KERNEL_ERRNO[upper];
  return undefined;
}

/** Each option: reads `val` into the draft, or says why strace refuses it. */
const OPTIONS: Record<string, (val: string, d: Draft, abi: Abi) => string | undefined> = {
  when(val, d) {
    // F == F..INF+0, F+ == F..INF+1, F+S == F..INF+S, F..L == F..L+1, F..L+S
    const first = uintEx(val, 0xffff, '+.');
    if (!first || first.value < 1) return 'FIRST must be a number 1..65535';
    let rest = first.rest;
    let last = LAST_INF;
    if (rest.startsWith('.')) {
      if (!rest.startsWith('..')) return 'a range is FIRST..LAST';
      const l = uintEx(rest.slice(2), 0xffff, '+');
      if (!l || l.value < first.value || l.value === LAST_INF) return `LAST must be a number ${first.value}..65534`;
      last = l.value;
      rest = l.rest;
    }
    let step = last === LAST_INF ? 0 : 1;
    if (rest !== '') {
      const s = rest.slice(1); // rest starts with '+'
      if (s === '') step = 1;
      else {
        const n = uintUpto(s, 0xffff);
        if (n === undefined || n < 1) return 'STEP must be a number 1..65535';
        step = n;
      }
    }
    d.when = { first: first.value, last, step }; // a later when= replaces an earlier one, as in strace
    return undefined;
  },
  syscall(val, d, abi) {
    if (d.syscall !== undefined) return 'syscall= given twice';
    const nr = Object.hasOwn(abi.names, val) ? abi.names[val] : undefined;
    if (nr === undefined) return `${abi.id} has no call "${val}"`;
    if ((callClass(abi, val).classes & TraceClass.pure) === 0) return `only a pure call (%pure: no arguments, no side effects, such as getpid) may run instead`;
    d.syscall = nr;
    return undefined;
  },
  error(val, d, abi) {
    if (d.error !== undefined || d.retval !== undefined) return 'error= and retval= may be given once, and not both';
    const n = uintUpto(val, MAX_ERRNO) ?? errnoValue(abi, val);
    if (n === undefined || n < 1) return `not an errno of ${abi.id}: a name (ENOENT) or a number 1..${MAX_ERRNO}`;
    d.error = n;
    return undefined;
  },
  retval(val, d, abi) {
    if (d.error !== undefined || d.retval !== undefined) return 'error= and retval= may be given once, and not both';
    const v = strtoull0(val);
    const bits = WORD32.has(abi.id) ? 32 : 64;
    if (v === undefined) return 'not a number (decimal, 0x hex or 0 octal, at most 64 bits)';
    if (v >> BigInt(bits) !== 0n) return `${val} does not fit ${abi.id}'s ${bits}-bit return register`;
    const signed = BigInt.asIntN(bits, v);
    if (!ERR_REG.test(abi.id) && abi.convention === 'negative' && signed < 0n && signed >= -BigInt(MAX_ERRNO)) {
      d.warnings.push(`Inadvertent injection of error ${-signed} is possible for retval=${v}`);
    }
    d.retval = v;
    return undefined;
  },
  signal(val, d, abi) {
    if (d.signal !== undefined) return 'signal= given twice';
    const n = signalNumber(abi.id, val);
    if (n === undefined) return `not a signal of ${abi.id}: a name (SIGUSR1, USR1) or a number 1..its highest`;
    d.signal = n;
    return undefined;
  },
  delay_enter: (val, d) => delay(val, d, 'delayEnter'),
  delay_exit: (val, d) => delay(val, d, 'delayExit'),
  poke_enter: (val, d) => poke(val, d, 'pokeEnter'),
  poke_exit: (val, d) => poke(val, d, 'pokeExit'),
};
const FAULT_OPTIONS = ['when', 'syscall', 'error'];

function delay(val: string, d: Draft, field: 'delayEnter' | 'delayExit'): string | undefined {
  if (d[field] !== undefined) return 'given twice';
  const ns = parseTs(val);
  if (ns === undefined) return 'not a duration: a number of microseconds, or one ending in s, ms, us or ns';
  d[field] = Number(ns) / 1000;
  return undefined;
}

function poke(val: string, d: Draft, field: 'pokeEnter' | 'pokeExit'): string | undefined {
  if (d[field] !== undefined) return 'given twice';
  const pokes: InjectPoke[] = [];
  const parts = val.split(',').filter((p) => p !== '');
  if (parts.length === 0) return 'give @argN=HEX, N 1..7';
  for (const p of parts) {
    const m = /^@arg([1-7])=(.*)$/.exec(p);
    if (!m) return `"${p}" is not @argN=HEX with N 1..7`;
    const hex = m[2]!;
    if (hex.length === 0 || hex.length % 2 !== 0 || hex.length > 2048) return `"${p}": the data must be an even count of hex digits, 2..2048`;
    const data = new Uint8Array(hex.length / 2);
    for (let i = 0; i < data.length; i++) {
      const b = hexByte(hex.slice(2 * i));
      if (b === undefined) return `"${p}": the data must be hex digits`;
      data[i] = b;
    }
    const arg = Number(m[1]);
    if (pokes.some((q) => q.arg === arg)) return `@arg${arg} given twice`;
    pokes.push(Object.freeze({ arg, data }));
  }
  d[field] = pokes;
  return undefined;
}

/**
 * sscanf(s, "%2hhx") as strace reads each byte of a poke: leading space
 * skipped, then at most two characters of a sign, a 0x prefix and hex
 * digits (so "0x" is 0 and "-1" is 0xff, as strace takes them).
 */
function hexByte(s: string): number | undefined {
  let i = /^[ \t\n\v\f\r]*/.exec(s)![0].length;
  const end = i + 2;
  let sign = 1;
  let digits = false;
  let v = 0;
  if (s[i] === '+' || s[i] === '-') sign = s[i++] === '-' ? -1 : 1;
  if (i < end && s[i] === '0') {
    digits = true;
    i++;
    if (i < end && (s[i] === 'x' || s[i] === 'X')) i++;
  }
  for (; i < end && i < s.length && /[0-9a-fA-F]/.test(s[i]!); i++) {
    v = v * 16 + parseInt(s[i]!, 16);
    digits = true;
  }
  return digits ? (sign * v) & 0xff : undefined;
}
