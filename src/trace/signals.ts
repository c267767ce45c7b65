// Signal names and numbers per ABI, as strace reads `signal=` (its
// sigstr_to_uint and signame): a number 1..the ABI's highest, or a name from
// the architecture's table, SIG optional and any case, RTMIN for 32 and
// RT_n for 32 + n. Tables: signals.gen.ts (from strace's signalent.h).
import { byAbi, tables } from './signals.gen.js';
import { uintUpto } from './cnum.js';

interface Signals {
  /** Upper-case name without SIG -> number. */
  readonly names: ReadonlyMap<string, number>;
  /** The highest signal number `signal=` takes. */
  readonly max: number;
}

const cache = new Map<string, Signals>();

/** The signal names of ABI `id` (generic Linux ones for an id not listed, hand-made ABIs included). */
export function signalsOf(id: string): Signals {
  let s = cache.get(id);
  if (s) return s;
  const [table, max] = Object.hasOwn(byAbi, id) ? byAbi[id]! : ['generic', 64];
  const names = new Map<string, number>();
  tables[table]!.split(',').forEach((n, i) => names.set(n.toUpperCase(), i + 1));
  if (table !== 'wasi') {
    // strace's anonymous realtime signals: SIGRTMIN is 32, SIGRT_n is 32 + n up to
    // glibc's __SIGRTMAX (127 on MIPS, whose NSIG lets numbers reach 128; else 64).
    names.set('RTMIN', 32);
    const rtmax = max === 128 ? 127 : max;
    for (let n = 33; n <= rtmax; n++) names.set(`RT_${n - 32}`, n);
  }
  s = { names, max };
  cache.set(id, s);
  return s;
}

/** The number `signal=` names on ABI `id`, or undefined when strace would refuse it. */
export function signalNumber(id: string, text: string): number | undefined {
  const { names, max } = signalsOf(id);
  let n: number | undefined;
  if (/^[0-9]/.test(text)) n = uintUpto(text, 255);
  else n = names.get(text.replace(/^sig/i, '').toUpperCase());
  return n !== undefined && n >= 1 && n <= max ? n : undefined;
}
