// Each call's strace classes and argument count, decoded from
// classes.gen.ts (scripts/gen-trace-classes.mjs) on first use per ABI.
import type { Abi } from '../abi/types.js';
import { callIndex } from '../abi/call-index.js';
import { aliases, builds, byAbi, common, numbers } from './classes.gen.js';

/** strace's class bits (its TRACE_* flags), one per `%` class; a call may have several. */
export const TraceClass = {
  desc: 1 << 0,
  file: 1 << 1,
  ipc: 1 << 2,
  network: 1 << 3,
  process: 1 << 4,
  signal: 1 << 5,
  memory: 1 << 6,
  creds: 1 << 7,
  clock: 1 << 8,
  pure: 1 << 9,
  /** strace's SYSCALL_NEVER_FAILS (NF): not a class, a hint for printing results. */
  neverFails: 1 << 10,
  stat: 1 << 11,
  lstat: 1 << 12,
  fstat: 1 << 13,
  statLike: 1 << 14,
  statfs: 1 << 15,
  fstatfs: 1 << 16,
  statfsLike: 1 << 17,
} as const;

// The generator's letters, in the order of TraceClass's bits.
const LETTERS = 'DFINPSMCKUZTLXAVWY';

/** What strace's table says of one call: its argument count and class bits (TraceClass). */
export interface CallClass {
  readonly nargs: number;
  readonly classes: number;
}

/** A call strace's tables do not know: no class, strace's MAX_ARGS. */
const UNKNOWN: CallClass = Object.freeze({ nargs: 6, classes: 0 });

function value(code: string): CallClass {
  let classes = 0;
  for (let i = 1; i < code.length; i++) classes |= 1 << LETTERS.indexOf(code[i]!);
  return Object.freeze({ nargs: Number(code[0]), classes });
}

/** `common`: values in the order of the call index's names (every ABI module imports that index, so names are not repeated). */
function decodeCommon(): Map<string, CallClass> {
  const out = new Map<string, CallClass>();
  const names = callIndex.slice(callIndex.indexOf('|') + 1).split(',');
  const codes = common.split(',');
  names.forEach((entry, i) => {
    const code = codes[i]!;
    if (code !== '') out.set(entry.split(':')[0]!, value(code));
  });
  return out;
}

/** A per-ABI list: name followed by its value, comma separated. */
function decode(list: string, into: Map<string, CallClass>): void {
  if (list === '') return;
  for (const entry of list.split(',')) {
    const m = /^(\w+?)(\d[A-Z]*)$/.exec(entry)!;
    into.set(m[1]!, value(m[2]!));
  }
}

let commonMap: Map<string, CallClass> | undefined;
const perAbi = new Map<string, Map<string, CallClass>>();

/**
 * name -> CallClass for ABI `id`: its own values over the common ones. An id
 * the generator does not know (a hand-made ABI) gets the common values only.
 */
function classesFor(id: string): Map<string, CallClass> {
  let m = perAbi.get(id);
  if (m === undefined) {
    commonMap ??= decodeCommon();
    m = new Map(commonMap);
    if (Object.hasOwn(byAbi, id)) decode(byAbi[id]!, m);
    perAbi.set(id, m);
  }
  return m;
}

/**
 * The classes and argument count of call `name` in `abi`, as strace's table
 * for that architecture has them. A name strace's table for the
 * architecture lacks takes the value the name has in most ABIs; a name no
 * table has (uprobe on x86_64, riscv_hwprobe) has no class and 6 arguments.
 * A hand-made ABI (an id not generated) takes those common values.
 */
export function callClass(abi: Pick<Abi, 'id'>, name: string): CallClass {
  return classesFor(abi.id).get(name) ?? UNKNOWN;
}

/** strace's names for calls `id` names otherwise (arc's `_llseek` is its `llseek`): strace's -> ours. */
export function straceAliases(id: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const list = Object.hasOwn(aliases, id) ? aliases[id]! : '';
  for (const pair of list === '' ? [] : list.split(',')) {
    const [theirs, ours] = pair.split('=') as [string, string];
    out.set(theirs, ours);
  }
  return out;
}

/** Whether strace's table for ABI `id` has a call at `nr` (in the ABI's numbering); undefined for an id not generated. */
export function straceHasNumber(id: string, nr: number): boolean | undefined {
  if (!Object.hasOwn(numbers, id)) return undefined;
  for (const r of numbers[id]!.split(',')) {
    const [a, b = a] = r.split('-').map(Number) as [number, number?];
    if (nr >= a && nr <= b!) return true;
  }
  return false;
}

/** The call names generated ABI `id` has (the kernel's), from the call index; [] for an id not generated. */
export function abiCallNames(id: string): string[] {
  const [head = '', body = ''] = callIndex.split('|');
  const i = head.split(',').indexOf(id);
  if (i < 0) return [];
  const out: string[] = [];
  for (const entry of body.split(',')) {
    const [n, mask] = entry.split(':');
    if (mask === undefined || Math.floor(parseInt(mask, 36) / 2 ** i) % 2 === 1) out.push(n!);
  }
  return out;
}

/** One personality of a strace build: an ABI id and its `@` designator. */
export interface Personality {
  readonly id: string;
  readonly designator: string;
}

/** The personalities of the strace build that traces ABI `id`, its own first; undefined for an id not generated. */
export function personalities(id: string): Personality[] | undefined {
  for (const b of builds) {
    const members = b.split(',').map((m) => {
      const [pid, designator] = m.split('@') as [string, string];
      return { id: pid, designator };
    });
    const own = members.findIndex((m) => m.id === id);
    if (own >= 0) return [members[own]!, ...members.filter((_, i) => i !== own)];
  }
  return undefined;
}
