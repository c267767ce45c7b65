// parseTraceSet: strace's -e trace= grammar on one ABI (the semantics of
// strace's basic_filters.c), with property tests against a reference model
// built straight from the ABI's names and callClass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import { abi as x32 } from '../src/abi/linux-x32.js';
import { abi as arc } from '../src/abi/linux-arc.js';
import { abi as riscv64 } from '../src/abi/linux-riscv64.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';
import type { Abi } from '../src/abi/types.js';
import { SystabError } from '../src/errors.js';
import { callClass } from '../src/trace/classes.js';
import { CLASS_NAMES, parseTraceSet } from '../src/trace/select.js';
import { splitQualifier } from '../src/trace/qualify.js';

const nr = (abi: Abi, name: string): number => abi.names[name]!;
/** The selected numbers that name a call (the unknown ones are in every set). */
const named = (expr: string, abi: Abi = x86_64): number[] => parseTraceSet(expr, abi).numbers.filter((n) => Object.values(abi.names).includes(n));
const names = (expr: string, abi: Abi = x86_64): string[] => {
  const byNr = new Map(Object.entries(abi.names).map(([k, v]) => [v, k]));
  return named(expr, abi).map((n) => byNr.get(n)!);
};
function bad(expr: string, abi: Abi = x86_64): string {
  try {
    parseTraceSet(expr, abi);
  } catch (e) {
    expect(e).toBeInstanceOf(SystabError);
    expect((e as SystabError).code).toBe('EBADSPEC');
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(expr)} parsed`);
}

describe('parseTraceSet: the grammar', () => {
  it('names, numbers and lists; empty list items are skipped', () => {
    expect(names('read')).toEqual(['read']);
    expect(names('write,read,,openat,')).toEqual(['read', 'write', 'openat']);
    expect(names('0,1,257')).toEqual(['read', 'write', 'openat']);
    expect(parseTraceSet('read', x86_64).has(0)).toBe(true);
    expect(parseTraceSet('read', x86_64).has(1)).toBe(false);
  });

  it('classes, exactly as spelled, and the legacy names; all in a list is every named call', () => {
    expect(names('%stat')).toEqual(['stat']);
    expect(names('%lstat')).toEqual(['lstat']);
    expect(names('%fstat')).toEqual(['fstat', 'newfstatat', 'statx']);
    expect(names('%%stat')).toEqual(['stat', 'fstat', 'lstat', 'newfstatat', 'statx']);
    expect(names('%statfs')).toEqual(['statfs']);
    expect(names('%fstatfs')).toEqual(['fstatfs']);
    expect(names('%%statfs')).toEqual(['ustat', 'statfs', 'fstatfs']);
    expect(names('%pure')).toEqual(['getpid', 'getuid', 'getgid', 'geteuid', 'getegid', 'getppid', 'getpgrp', 'gettid']);
    expect(names('%net')).toEqual(names('%network'));
    expect(names('network')).toEqual(names('%network'));
    expect(names('file')).toEqual(names('%file'));
    expect(names('%file')).toContain('openat');
    expect(names('%file')).not.toContain('read');
    expect(names('%clock')).toEqual(expect.arrayContaining(['clock_gettime', 'settimeofday', 'adjtimex']));
    expect(names('%creds')).toEqual(expect.arrayContaining(['setuid', 'capget', 'prctl']));
    expect(names('all,read')).toHaveLength(Object.keys(x86_64.names).length);
    expect(bad('%FILE')).toContain('unknown call "%FILE"');
    expect(bad('%FILE')).toContain('did you mean %file');
  });

  it('! inverts the whole, each one more time; all and none stand alone', () => {
    const every = Object.keys(x86_64.names).length;
    expect(named('!read')).toHaveLength(every - 1);
    expect(names('!!read')).toEqual(['read']);
    expect(named('all')).toHaveLength(every);
    expect(named('none')).toEqual([]);
    expect(named('!all')).toEqual([]);
    expect(named('!none')).toHaveLength(every);
    expect(bad('none,read')).toContain('unknown call "none"');
    expect(bad('!')).toBe('trace expression "!" names no call: give names, numbers, %classes, /regex, all or none');
    expect(bad('')).toContain('names no call');
    expect(bad(',')).toContain('names no call');
  });

  it('/regex: a POSIX extended regular expression (regcomp\'s), unanchored, over the names; repeated groups too', () => {
    expect(names('/^(get|set)+(p|u)id$')).toEqual(['getpid', 'getuid', 'setuid']);
    expect(names('/^(s|e|t)+uid$')).toEqual(['setuid']);
    expect(names('/^(_?[a-z]+)+64$')).toEqual(['pread64', 'pwrite64', 'getdents64', 'fadvise64', 'prlimit64']);
    expect(names('/\\<get.{3}$')).toEqual(['getpid', 'getcwd', 'getuid', 'getgid', 'getsid', 'gettid', 'getcpu']);
    expect(names('?/^(ab|a)*(b|[[:digit:]]){2}x')).toEqual([]);
    expect(names('/^open')).toEqual(['open', 'openat', 'open_by_handle_at', 'open_tree', 'openat2', 'open_tree_attr']);
    expect(names('/64$')).toEqual(['pread64', 'pwrite64', 'getdents64', 'fadvise64', 'prlimit64']);
    expect(names('/^(read|write)$')).toEqual(['read', 'write']);
    expect(names('/^[[:alpha:]]+64$')).toEqual(['pread64', 'pwrite64', 'getdents64', 'fadvise64', 'prlimit64']); // POSIX classes, as strace's regcomp
    expect(bad('/^zzz')).toContain('/^zzz in trace expression "/^zzz" for linux-x86_64 matches no call name');
    expect(bad('/(')).toContain('"/(" is not a regular expression');
    expect(bad('?/(')).toContain('is not a regular expression'); // ? forgives no match, not a bad pattern (as strace)
  });

  it('? lets a token name nothing', () => {
    expect(names('?nosuchcall,read')).toEqual(['read']);
    expect(names('??/^zzz,read')).toEqual(['read']);
    expect(names('?99999')).toEqual([]);
  });

  it('unknown names and numbers: EBADSPEC naming the token and the nearest names', () => {
    expect(bad('opne,read')).toBe('unknown call "opne" in trace expression "opne,read" for linux-x86_64; did you mean open? (prefix it with ? to allow a call this ABI lacks)');
    expect(bad(' read')).toContain('spaces are part of a name');
    expect(bad('999')).toBe('no call 999 in trace expression "999" for linux-x86_64 (its numbers: 0-471, not all of them assigned) (prefix it with ? to allow a call this ABI lacks)');
    expect(bad('0x10')).toContain('is not a call number (decimal digits');
    expect(bad('1a')).toContain('is not a call number');
  });
});

describe("parseTraceSet: strace's personalities, numbering and names", () => {
  it("a name or number of another personality of the build selects nothing and is no error (as strace on x86_64)", () => {
    expect(names('socketcall,read')).toEqual(['read']); // an i386 call
    expect(names('400,read')).toEqual(['read']); // i386's 400 (msgsnd); x86_64 has no call there
    expect(bad('socketcall', riscv64)).toContain('unknown call "socketcall"'); // riscv64's build has no other personality
  });

  it('name@designator picks one personality; a designator the build lacks is EBADSPEC', () => {
    expect(names('open@64,read@32')).toEqual(['open']);
    expect(names('read@32', i386)).toEqual(['read']);
    expect(names('read@64', i386)).toEqual([]);
    expect(bad('read@x33')).toBe('trace expression "read@x33": "x33" in "read@x33" is not a personality of linux-x86_64 (@64, @32, @x32)');
    expect(bad('?read@x33')).toContain('is not a personality'); // as strace: ? does not forgive it
    expect(names('openat@64', riscv64)).toEqual(['openat']);
  });

  it('x32: a number without __X32_SYSCALL_BIT (as strace numbers x32 calls) and the ABI number both work', () => {
    expect(named('0', x32)).toEqual([0x40000000]);
    expect(named(String(0x40000000), x32)).toEqual([0x40000000]);
    expect(named('rt_sigaction', x32)).toEqual([0x40000200]);
    expect(named('13', x32)).toEqual([]); // the 64-bit rt_sigaction, rt_sigaction#64 in strace: no call of x32
  });

  it("strace's own names for calls the ABI names otherwise select them (arc's _llseek)", () => {
    expect(named('_llseek', arc)).toEqual([nr(arc, 'llseek')]);
    expect(named('llseek', arc)).toEqual([nr(arc, 'llseek')]);
  });

  it('numbers with no call are in every set (strace traces them raw) and so is every number outside the ranges', () => {
    const none = parseTraceSet('none', x86_64);
    expect(none.numbers).toContain(400);
    expect(none.numbers).not.toContain(336); // uprobe: named by the ABI, though strace's table lacks it
    expect(none.has(400)).toBe(true);
    expect(none.has(471)).toBe(false);
    expect(none.has(10_000)).toBe(true);
    expect(none.has(-1)).toBe(true);
    expect(none.has(1.5)).toBe(false);
    expect(parseTraceSet('uprobe', x86_64).has(336)).toBe(true);
  });

  it('WASI: the documented classes from the witx names', () => {
    expect(names('%desc', wasi)).toEqual(expect.arrayContaining(['fd_write', 'fd_read', 'path_open', 'poll_oneoff']));
    expect(names('%file', wasi).every((n) => n.startsWith('path_'))).toBe(true);
    expect(names('%network', wasi)).toEqual(['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);
    expect(names('%process', wasi)).toEqual(['proc_exit', 'proc_raise']);
    expect(names('%signal', wasi)).toEqual(['proc_raise']);
    expect(names('%clock', wasi)).toEqual(['clock_res_get', 'clock_time_get']);
    expect(names('%fstat', wasi)).toEqual(['fd_filestat_get', 'path_filestat_get']);
    expect(names('fd_write', wasi)).toEqual(['fd_write']);
  });

  it('a hand-made ABI: its names, the common classes, no personalities of its own', () => {
    const mine: Abi = { id: 'mine', convention: 'negative', base: 0, count: 8, extra: [], names: { read: 0, openat: 1, frob: 2 }, errno: { ENOSYS: 38 }, enosys: -38 };
    expect(named('%desc', mine)).toEqual([0, 1]);
    expect(named('%file', mine)).toEqual([1]);
    expect(named('frob', mine)).toEqual([2]);
    expect(parseTraceSet('read', mine).numbers).toEqual([0, 3, 4, 5, 6, 7]);
    expect(bad('read@64', mine)).toContain('is not a personality of mine');
  });

  it('bad arguments: EBADSPEC that says what was meant', () => {
    expect(bad(42 as unknown as string)).toBe("parseTraceSet() takes a trace expression string such as 'openat,read' or '%file' (got number)");
    expect(() => parseTraceSet('read', {} as Abi)).toThrow("parseTraceSet() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (abi.id must be a non-empty string)");
  });
});

describe('splitQualifier: the -e argument as strace splits it', () => {
  it('strips a known qualifier once; anything else is trace', () => {
    expect(splitQualifier('trace=%file')).toEqual({ qualifier: 'trace', value: '%file' });
    expect(splitQualifier('t=open')).toEqual({ qualifier: 'trace', value: 'open' });
    expect(splitQualifier('open,close')).toEqual({ qualifier: 'trace', value: 'open,close' });
    expect(splitQualifier('inject=chdir:error=1')).toEqual({ qualifier: 'inject', value: 'chdir:error=1' });
    expect(splitQualifier('fault=chdir')).toEqual({ qualifier: 'fault', value: 'chdir' });
    expect(splitQualifier('trace=trace=open')).toEqual({ qualifier: 'trace', value: 'trace=open' });
    expect(splitQualifier('x=all')).toEqual({ qualifier: 'raw', value: 'all' });
    expect(splitQualifier('foo=bar')).toEqual({ qualifier: 'trace', value: 'foo=bar' });
    expect(bad(splitQualifier('foo=bar').value)).toContain('unknown call "foo=bar"');
  });
});

// ---- properties, against a reference model from the ABI's names and callClass ----

const abiNames = Object.keys(x86_64.names);
const classTokens = Object.keys(CLASS_NAMES);
const token = fc.oneof(
  fc.constantFrom(...abiNames),
  fc.constantFrom(...classTokens),
  fc.integer({ min: 0, max: 480 }).filter((n) => Object.values(x86_64.names).includes(n)).map(String),
  fc.constantFrom('/^open', '/stat', '/^(read|write)', '/64$', '/^s[a-e]'),
);

/** What one token selects among the named calls, straight from the definitions. */
function reference(t: string): Set<number> {
  const out = new Set<number>();
  for (const [name, n] of Object.entries(x86_64.names)) {
    if (/^\d+$/.test(t) ? Number(t) === n : t.startsWith('/') ? new RegExp(t.slice(1)).test(name) : Object.hasOwn(CLASS_NAMES, t) ? (callClass(x86_64, name).classes & CLASS_NAMES[t]!) === CLASS_NAMES[t] : t === name) out.add(n);
  }
  return out;
}
const sorted = (s: Iterable<number>): number[] => [...s].sort((a, b) => a - b);

describe('parseTraceSet: properties', () => {
  it('a list selects the union of what its tokens select (the reference model)', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), (tokens) => {
        const union = new Set(tokens.flatMap((t) => [...reference(t)]));
        expect(named(tokens.join(','))).toEqual(sorted(union));
      }),
      { numRuns: 300 },
    );
  });

  it('!X is the complement of X among the named calls, and both hold every number with no call', () => {
    const all = sorted(Object.values(x86_64.names));
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 4 }), fc.integer({ min: -5, max: 600 }), (tokens, probe) => {
        const x = parseTraceSet(tokens.join(','), x86_64);
        const notX = parseTraceSet(`!${tokens.join(',')}`, x86_64);
        const mine = named(tokens.join(','));
        expect(named(`!${tokens.join(',')}`)).toEqual(all.filter((n) => !mine.includes(n)));
        expect(named(`!!${tokens.join(',')}`)).toEqual(mine);
        const hasCall = Object.values(x86_64.names).includes(probe);
        expect(x.has(probe) || notX.has(probe)).toBe(true);
        expect(x.has(probe) && notX.has(probe)).toBe(!hasCall);
      }),
      { numRuns: 300 },
    );
  });

  it('? changes nothing for a token that names something, and has() agrees with numbers', () => {
    fc.assert(
      fc.property(token, (t) => {
        const s = parseTraceSet(t, x86_64);
        expect(parseTraceSet(`?${t}`, x86_64).numbers).toEqual(s.numbers);
        for (const n of s.numbers) expect(s.has(n)).toBe(true);
        // Each named slot is in one of X and !X; each slot with no call in both.
        const slots = x86_64.count;
        expect(s.numbers.length + parseTraceSet(`!${t}`, x86_64).numbers.length).toBe(slots + (slots - Object.keys(x86_64.names).length));
      }),
      { numRuns: 100 },
    );
  });
});
