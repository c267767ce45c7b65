// The /regex matcher (src/trace/ere.ts, an automaton) against JavaScript's
// RegExp on the syntax both read alike (literals, ., brackets, anchors,
// groups, |, * + ? and {m,n}): whether a match exists does not depend on how
// a matcher finds it, so they must agree on every name; and patterns a
// backtracking matcher takes exponential time on end at once. The ERE's own
// readings (POSIX classes, glibc's \< \> escapes) are checked against
// Debian's strace in trace-select-strace.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEre } from '../src/trace/ere.js';

const atom = fc.oneof(fc.constantFrom('a', 'b', '_', '6', '.', '[ab]', '[^a]', '[a-c6]', '^', '$'));
const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
  re: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atom, tie('seq'), tie('alt'), tie('rep'), tie('group')),
  seq: fc.array(tie('re'), { minLength: 2, maxLength: 3 }).map((xs) => xs.join('')),
  alt: fc.tuple(tie('re'), tie('re')).map(([x, y]) => `${x}|${y}`),
  group: tie('re').map((x) => `(${x})`),
  rep: fc.tuple(tie('group'), fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}')).map(([x, q]) => `${x}${q}`),
})).re as fc.Arbitrary<string>;

describe('the /regex automaton', () => {
  it('agrees with RegExp on whether each name matches (random patterns and names)', () => {
    fc.assert(
      fc.property(pattern, fc.boolean(), fc.array(fc.stringMatching(/^[ab_6c]{0,8}$/), { minLength: 1, maxLength: 12 }), (q, whole, names) => {
        // Half of them anchored at both ends: where how many copies a repetition takes decides the match.
        const p = whole ? `^(${q})$` : q;
        const ere = compileEre(p, p);
        const js = new RegExp(p);
        for (const n of names) expect([p, n, ere(n)]).toEqual([p, n, js.test(n)]);
      }),
      { numRuns: 3000 },
    );
  });

  it('ends at once where backtracking is exponential', () => {
    const t0 = performance.now();
    expect(compileEre('^(a+)+$', 'x')('a'.repeat(60) + 'b')).toBe(false);
    expect(compileEre('^(a|a?)+b', 'x')('a'.repeat(60))).toBe(false);
    expect(compileEre('^(\\w|[a-z_]|[a-z0-9_])*#$', 'x')('open_by_handle_at'.repeat(4))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('reads POSIX classes, glibc\'s word escapes, and intervals as regcomp does', () => {
    const m = (p: string, s: string): boolean => compileEre(p, p)(s);
    expect([m('^[[:alpha:]]+64$', 'pread64'), m('^[[:alpha:]]+64$', 'p_read64'), m('[[:digit:]]', 'x6')]).toEqual([true, false, true]);
    expect([m('[:digit:]', 'd'), m('[]a]', ']'), m('[a-]', '-'), m('[^]a]', 'b')]).toEqual([true, true, true, true]); // a bare [:digit:] is its letters; ] first is a member
    expect([m('\\<get', 'getpid'), m('\\<pid', 'getpid'), m('pid\\>', 'getpid'), m('\\bt\\B', 'tid'), m('\\w+_\\w+', 'set_tid')]).toEqual([true, false, true, true, true]);
    expect([m('^a{2}$', 'aa'), m('^a{2}$', 'aaa'), m('^(ab){1,2}$', 'abab'), m('^(ab){1,2}$', 'ababab'), m('^x{0}y', 'y')]).toEqual([true, false, true, false, true]);
    expect([m('\\.', 'a.b'), m('\\.', 'ab'), m('a|', 'zzz'), m('()', '')]).toEqual([true, false, true, true]);
  });

  it('every malformed pattern is EBADSPEC saying what is wrong', () => {
    const why = (p: string): string => {
      try {
        compileEre(p, `"/${p}"`);
      } catch (e) {
        expect(e).toMatchObject({ code: 'EBADSPEC' });
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(why('(a')).toBe('"/(a" is not a regular expression (an unclosed ()');
    expect(why('a)')).toBe('"/a)" is not a regular expression (an unmatched ))');
    expect(why('*a')).toBe('"/*a" is not a regular expression (* repeats nothing)');
    expect(why('[ab')).toBe('"/[ab" is not a regular expression (an unclosed [)');
    expect(why('a{3,1}')).toBe('"/a{3,1}" is not a regular expression (an invalid interval {3,1})');
    expect(why('a{256}')).toBe('"/a{256}" is not a regular expression (an invalid interval {256})');
    expect(why('a{x}')).toBe('"/a{x}" is not a regular expression (an invalid interval {...})');
    expect(why('[[:word:]]')).toBe('"/[[:word:]]" is not a regular expression (an unknown character class [:word:])');
    expect(why('[z-a]')).toBe('"/[z-a]" is not a regular expression (an invalid range z-a)');
    expect(why('[[.a.]]')).toBe('"/[[.a.]]" is not a regular expression (collating elements [. .] and [= =] are not supported)');
    expect(why('a\\')).toBe('"/a\\" is not a regular expression (a trailing \\)');
  });
});
