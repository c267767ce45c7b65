// strace's `-e trace=` grammar over one ABI: which call numbers an
// expression selects. Semantics learnt from strace's basic_filters.c
// (qualify_syscall_tokens); written anew.
import type { Abi } from '../abi/types.js';
import { readAbi } from '../abi/read.js';
import { SystabError } from '../errors.js';
import { compileEre } from './ere.js';
import { nearest } from '../suggest.js';
import { slotMap, slotOf, type SlotMap } from '../slots.js';
import { abiCallNames, callClass, personalities, straceAliases, straceHasNumber, TraceClass, type Personality } from './classes.js';
import { offsets } from './classes.gen.js';

/** The calls an expression selects on one ABI. */
export interface TraceSet {
  /** The ABI's id. */
  readonly abi: string;
  /** The expression, as given. */
  readonly expr: string;
  /**
   * The selected numbers inside the ABI's ranges, ascending. Always among
   * them, whatever the expression: every number of the ranges with no call
   * (neither the ABI nor strace's table names it), as strace traces a
   * number it has no call for, raw, as syscall_0x...
   */
  readonly numbers: readonly number[];
  /** Whether integer `nr` is selected: a number outside the ABI's ranges always is (it has no call), a non-integer never. */
  has(nr: number): boolean;
}

const C = TraceClass;
/** strace's class names (basic_filters.c), matched exactly (`%FILE` is no class); `all` in a list is every named call. */
export const CLASS_NAMES: Readonly<Record<string, number>> = {
  '%desc': C.desc, '%file': C.file, '%memory': C.memory, '%process': C.process, '%creds': C.creds,
  '%signal': C.signal, '%ipc': C.ipc, '%net': C.network, '%network': C.network,
  '%stat': C.stat, '%lstat': C.lstat, '%fstat': C.fstat, '%%stat': C.statLike,
  '%statfs': C.statfs, '%fstatfs': C.fstatfs, '%%statfs': C.statfsLike, '%pure': C.pure, '%clock': C.clock,
  all: 0, desc: C.desc, file: C.file, memory: C.memory, process: C.process, signal: C.signal, ipc: C.ipc, network: C.network,
};

/** One personality as a token sees it: the own ABI selects numbers; a sibling only answers whether a token names something. */
interface View {
  readonly designator: string;
  readonly own: boolean;
  /** name -> our number (sibling: -1). */
  readonly names: ReadonlyMap<string, number>;
  /** The number `n` of a token means here, or undefined when the table has no call at it. */
  number(n: number): number | undefined;
  /** name -> its class bits, own view only. */
  classes(name: string): number;
}

interface Own {
  readonly id: string;
  readonly map: SlotMap;
  readonly views: readonly View[];
}

const owns = new WeakMap<object, Own>();

function ownOf(abi: Abi): Own {
  const known = abi !== null && typeof abi === 'object' ? owns.get(abi) : undefined;
  if (known) return known;
  const copy = readAbi(abi);
  if (typeof copy === 'string') throw new SystabError('EBADSPEC', `parseTraceSet() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (${copy})`);
  const map = slotMap(copy);
  const id = copy.id;
  const pers: Personality[] = personalities(id) ?? [{ id, designator: '' }];
  const names = new Map(Object.entries(copy.names));
  for (const [theirs, ours] of straceAliases(id)) if (names.has(ours) && !names.has(theirs)) names.set(theirs, names.get(ours)!);
  const candidates = (pid: string, n: number): number[] => {
    const off = Object.hasOwn(offsets, pid) ? offsets[pid]! : 0;
    return off !== 0 && n < off ? [n, n + off] : [n];
  };
  const own: View = {
    designator: pers[0]!.designator,
    own: true,
    names,
    number: (n) =>
      candidates(id, n).find((c) => {
        const s = slotOf(map, c);
        return s >= 0 && (map.nameOfSlot[s] !== undefined || straceHasNumber(id, c) === true);
      }),
    classes: (name) => callClass(copy, name).classes,
  };
  const siblings = pers.slice(1).map(({ id: sid, designator }): View => {
    const sibNames = new Map<string, number>();
    for (const n of abiCallNames(sid)) sibNames.set(n, -1);
    for (const theirs of straceAliases(sid).keys()) sibNames.set(theirs, -1);
    return { designator, own: false, names: sibNames, number: (n) => candidates(sid, n).find((c) => straceHasNumber(sid, c) === true), classes: () => 0 };
  });
  const o: Own = { id, map, views: [own, ...siblings] };
  owns.set(abi, o);
  return o;
}

/** strace's string_to_uint: decimal digits only, at most INT_MAX. */
function decimal(s: string): number | undefined {
  return /^\d+$/.test(s) && Number(s) <= 0x7fffffff ? Number(s) : undefined;
}

/** Adds what `body` selects in `view` to `into`; whether it named anything (strace's qualify_syscall_pers). */
function select(body: string, view: View, into: Set<number>, expr: string): boolean {
  if (/^[0-9]/.test(body)) {
    const n = decimal(body);
    const nr = n === undefined ? undefined : view.number(n);
    if (nr === undefined) return false;
    if (view.own) into.add(nr);
    return true;
  }
  if (body.startsWith('/')) {
    const matches = compileEre(body.slice(1), `trace expression ${JSON.stringify(expr)}: "${body}"`);
    let found = false;
    for (const [name, nr] of view.names) {
      if (!matches(name)) continue;
      found = true;
      if (view.own) into.add(nr);
    }
    return found;
  }
  if (Object.hasOwn(CLASS_NAMES, body)) {
    const bits = CLASS_NAMES[body]!;
    if (view.own) for (const [name, nr] of view.names) if ((view.classes(name) & bits) === bits) into.add(nr);
    return true;
  }
  const nr = view.names.get(body);
  if (nr === undefined) return false;
  if (view.own) into.add(nr);
  return true;
}

/**
 * The calls `expr` selects on `abi`, in strace's `-e trace=` grammar: a
 * comma list of names, numbers, `%class`es (and the legacy class names),
 * `/regex` (a POSIX extended regular expression as strace's regcomp takes
 * it, unanchored, over the names: ere.ts, an automaton); each leading
 * `!` inverts the whole; `all` and `none` alone; a token led by `?` may name
 * nothing; `name@64` names one personality. A token is checked against every
 * personality of the strace build that traces the ABI (x86_64's includes
 * i386 and x32): one another personality has (`socketcall` on x86_64)
 * selects nothing here and is no error, as in strace. Anything else throws
 * EBADSPEC naming the token.
 */
export function parseTraceSet(expr: string, abi: Abi): TraceSet {
  if (typeof expr !== 'string') throw new SystabError('EBADSPEC', `parseTraceSet() takes a trace expression string such as 'openat,read' or '%file' (got ${typeof expr})`);
  const own = ownOf(abi);
  let s = expr;
  let invert = false;
  while (s.startsWith('!')) {
    invert = !invert;
    s = s.slice(1);
  }
  const picked = new Set<number>();
  if (s === 'all') invert = !invert;
  else if (s !== 'none') {
    const tokens = s.split(',').filter((t) => t !== '');
    if (tokens.length === 0) throw new SystabError('EBADSPEC', `trace expression ${JSON.stringify(expr)} names no call: give names, numbers, %classes, /regex, all or none`);
    for (const token of tokens) {
      const body = token.replace(/^\?+/, '');
      const optional = body !== token;
      const at = body.lastIndexOf('@');
      let views = own.views;
      let name = body;
      if (at >= 0) {
        const d = body.slice(at + 1);
        views = own.views.filter((v) => v.designator === d);
        if (views.length === 0) throw new SystabError('EBADSPEC', `trace expression ${JSON.stringify(expr)}: "${d}" in "${token}" is not a personality of ${own.id} (${own.views.map((v) => `@${v.designator}`).join(', ')})`);
        name = body.slice(0, at);
      }
      let found = false;
      for (const v of views) found = select(name, v, picked, expr) || found;
      if (!found && !optional) throw new SystabError('EBADSPEC', badToken(expr, token, name, own));
    }
  }
  const slots = own.map;
  const numbers = Array.from(slots.nrOfSlot).filter((n) => picked.has(n) !== invert || own.views[0]!.number(n) === undefined);
  numbers.sort((a, b) => a - b);
  const selected = new Set(numbers);
  return Object.freeze({
    abi: own.id,
    expr,
    numbers: Object.freeze(numbers),
    has: (nr: number) => Number.isInteger(nr) && (slotOf(slots, nr) < 0 || selected.has(nr)),
  });
}

/** The message of a token that names nothing: what it was taken for, the nearest names, and `?`. */
function badToken(expr: string, token: string, body: string, own: Own): string {
  const where = `in trace expression ${JSON.stringify(expr)} for ${own.id}`;
  const hint = ` (prefix it with ? to allow a call this ABI lacks)`;
  if (/^[0-9]/.test(body)) {
    const r = own.map.ranges.map((x) => (x.count === 1 ? `${x.base}` : `${x.base}-${x.base + x.count - 1}`)).join(', ');
    if (decimal(body) === undefined) return `"${token}" ${where} is not a call number (decimal digits, at most 2147483647)`;
    return `no call ${body} ${where} (its numbers: ${r}, not all of them assigned)${hint}`;
  }
  if (body.startsWith('/')) return `/${body.slice(1)} ${where} matches no call name${hint}`;
  const near = nearest(body, [...own.views[0]!.names.keys(), ...Object.keys(CLASS_NAMES)]);
  const space = body.trim() !== body ? ' (spaces are part of a name: strace does not trim them)' : '';
  return `unknown call "${body}" ${where}${space}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}${hint}`;
}
