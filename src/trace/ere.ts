// POSIX extended regular expressions as strace's `-e trace=/regex` takes
// them (glibc's regcomp, REG_EXTENDED, unanchored search), matched by an
// automaton: states advanced all at once over the name, so time grows with
// pattern x name length whatever the pattern (a backtracking matcher takes
// exponential time on (a+)+ and the like). What it knows: literals, `.`,
// bracket expressions with ranges and [:class:]es, `^` `$`, groups,
// alternation, `*` `+` `?` `{m}` `{m,}` `{m,n}`, and glibc's escapes \w \W
// \s \S \b \B \< \> \` \'; any other escaped character is itself.
import { SystabError } from '../errors.js';

type Test = (c: string) => boolean;
/** An automaton state: a character test, a fork, an assertion, or the match. */
type State = { t: 'char'; test: Test; out: number } | { t: 'split'; a: number; b: number } | { t: 'assert'; at: (prev: string, next: string) => boolean; out: number } | { t: 'match' };
/** A fragment under construction: its start and the states whose `out` (or `b`) still dangles. */
type Frag = { start: number; holes: [number, 'out' | 'a' | 'b'][] };

const DUP_MAX = 255; // glibc's RE_DUP_MAX
const word = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const CLASSES: Record<string, Test> = {
  alpha: (c) => /[A-Za-z]/.test(c), digit: (c) => /[0-9]/.test(c), alnum: (c) => /[A-Za-z0-9]/.test(c), upper: (c) => /[A-Z]/.test(c),
  lower: (c) => /[a-z]/.test(c), xdigit: (c) => /[0-9A-Fa-f]/.test(c), space: (c) => /[ \t\n\r\f\v]/.test(c), blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /[!-/:-@[-`{-~]/.test(c), print: (c) => c >= ' ' && c <= '~', graph: (c) => c > ' ' && c <= '~', cntrl: (c) => c < ' ' || c === '\x7f',
};

/** A matcher for `pattern`, or EBADSPEC saying what is wrong with it (`what` names it for the message). */
export function compileEre(pattern: string, what: string): (s: string) => boolean {
  const bad = (why: string): SystabError => new SystabError('EBADSPEC', `${what} is not a regular expression (${why})`);
  const states: State[] = [];
  const add = (s: State): number => states.push(s) - 1;
  const patch = (f: Frag, to: number): void => {
    for (const [i, k] of f.holes) (states[i] as Record<string, unknown>)[k] = to;
  };
  let i = 0;
  const peek = (): string | undefined => pattern[i];

  const bracket = (): Test => {
    const neg = peek() === '^' && (i++, true);
    const tests: Test[] = [];
    for (let first = true; ; first = false) {
      if (i >= pattern.length) throw bad('an unclosed [');
      const c = pattern[i]!;
      if (c === ']' && !first) break;
      if (c === '[' && (pattern[i + 1] === '.' || pattern[i + 1] === '=')) throw bad('collating elements [. .] and [= =] are not supported');
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end < 0 ? '' : pattern.slice(i + 2, end);
        if (!Object.hasOwn(CLASSES, name)) throw bad(`an unknown character class [:${name}:]`);
        tests.push(CLASSES[name]!);
        i = end + 2;
        continue;
      }
      i++;
      if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
        const hi = pattern[i + 1]!;
        if (hi < c) throw bad(`an invalid range ${c}-${hi}`);
        tests.push((x) => x >= c && x <= hi);
        i += 2;
      } else tests.push((x) => x === c);
    }
    i++; // the ]
    return neg ? (x) => !tests.some((t) => t(x)) : (x) => tests.some((t) => t(x));
  };

  const charFrag = (test: Test): Frag => {
    const s = add({ t: 'char', test, out: -1 });
    return { start: s, holes: [[s, 'out']] };
  };
  const assertFrag = (at: (p: string, n: string) => boolean): Frag => {
    const s = add({ t: 'assert', at, out: -1 });
    return { start: s, holes: [[s, 'out']] };
  };
  const empty = (): Frag => assertFrag(() => true);

  // An atom is parsed again for each copy a repetition needs (copy()).
  const atom = (): Frag | undefined => {
    const c = peek();
    if (c === undefined || c === '|' || c === ')') return undefined;
    i++;
    if (c === '(') {
      const f = peek() === ')' ? empty() : alternation();
      if (peek() !== ')') throw bad('an unclosed (');
      i++;
      return f;
    }
    if (c === '[') return charFrag(bracket());
    if (c === '.') return charFrag(() => true);
    if (c === '^') return assertFrag((p) => p === '');
    if (c === '$') return assertFrag((_, n) => n === '');
    if (c === '*' || c === '+' || c === '?' || c === '{') throw bad(`${c} repeats nothing`);
    if (c === '\\') {
      const e = pattern[i++];
      if (e === undefined) throw bad('a trailing \\');
      if (e === 'w') return charFrag(word);
      if (e === 'W') return charFrag((x) => !word(x));
      if (e === 's') return charFrag(CLASSES.space!);
      if (e === 'S') return charFrag((x) => !CLASSES.space!(x));
      if (e === 'b') return assertFrag((p, n) => word(p) !== word(n));
      if (e === 'B') return assertFrag((p, n) => word(p) === word(n));
      if (e === '<') return assertFrag((p, n) => !word(p) && word(n));
      if (e === '>') return assertFrag((p, n) => word(p) && !word(n));
      if (e === '`') return assertFrag((p) => p === '');
      if (e === "'") return assertFrag((_, n) => n === '');
      return charFrag((x) => x === e);
    }
    return charFrag((x) => x === c);
  };

  const concat = (a: Frag, b: Frag): Frag => (patch(a, b.start), { start: a.start, holes: b.holes });
  const star = (f: Frag): Frag => {
    const s = add({ t: 'split', a: f.start, b: -1 });
    patch(f, s);
    return { start: s, holes: [[s, 'b']] };
  };
  const optional = (f: Frag): Frag => {
    const s = add({ t: 'split', a: f.start, b: -1 });
    return { start: s, holes: [...f.holes, [s, 'b']] };
  };

  /** An atom and its quantifiers (up to `limit`: a copy stops where the original's quantifier under construction began). */
  const repeated = (limit = Infinity): Frag | undefined => {
    const from = i;
    let f = atom();
    if (f === undefined) return undefined;
    for (;;) {
      const q = peek();
      const end = i; // f is pattern[from..end)
      if (end >= limit) return f;
      if (q === '*') (i++, (f = star(f)));
      else if (q === '+') (i++, (f = concat(f, star(copy(from, end)))));
      else if (q === '?') (i++, (f = optional(f)));
      else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m === null) throw bad('an invalid interval {...}');
        const lo = Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
        if (lo > DUP_MAX || (hi !== Infinity && (hi > DUP_MAX || hi < lo))) throw bad(`an invalid interval ${m[0]}`);
        i += m[0].length;
        f = interval(f, from, end, lo, hi);
      } else return f;
    }
  };
  /** Another copy (its own states) of what pattern[from..end) parsed to. */
  const copy = (from: number, end: number): Frag => {
    const at = i;
    i = from;
    const f = repeated(end)!;
    i = at;
    return f;
  };
  const interval = (f: Frag, from: number, end: number, lo: number, hi: number): Frag => {
    if (hi === 0) return empty();
    if (lo === 0 && hi === Infinity) return star(f);
    let out = lo === 0 ? optional(f) : f;
    for (let k = 1; k < lo; k++) out = concat(out, copy(from, end));
    if (hi === Infinity) return concat(out, star(copy(from, end)));
    for (let k = Math.max(lo, 1); k < hi; k++) out = concat(out, optional(copy(from, end)));
    return out;
  };

  const sequence = (): Frag => {
    let f: Frag | undefined;
    for (let r = repeated(); r !== undefined; r = repeated()) f = f === undefined ? r : concat(f, r);
    return f ?? empty();
  };
  const alternation = (): Frag => {
    let f = sequence();
    while (peek() === '|') {
      i++;
      const g = sequence();
      const s = add({ t: 'split', a: f.start, b: g.start });
      f = { start: s, holes: [...f.holes, ...g.holes] };
    }
    return f;
  };

  const whole = alternation();
  if (i < pattern.length) throw bad(`an unmatched ${pattern[i]}`);
  patch(whole, add({ t: 'match' }));
  const start = whole.start;
  return (s) => run(states, start, s);
}

/** Whether the automaton matches anywhere in `s` (a start at every position, as regexec searches). */
function run(states: State[], start: number, s: string): boolean {
  let now = new Set<number>();
  const close = (set: Set<number>, k: number, prev: string, next: string): boolean => {
    const st = states[k]!;
    if (set.has(k)) return false;
    set.add(k);
    if (st.t === 'match') return true;
    if (st.t === 'split') return close(set, st.a, prev, next) || close(set, st.b, prev, next);
    if (st.t === 'assert') return st.at(prev, next) && close(set, st.out, prev, next);
    return false;
  };
  for (let p = 0; ; p++) {
    const prev = p === 0 ? '' : s[p - 1]!;
    const next = p < s.length ? s[p]! : '';
    const closed = new Set<number>();
    for (const k of [...now, start]) if (close(closed, k, prev, next)) return true;
    if (p === s.length) return false;
    now = new Set();
    for (const k of closed) {
      const st = states[k]!;
      if (st.t === 'char' && st.test(next)) now.add(st.out);
    }
  }
}
