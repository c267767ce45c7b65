// parseInject: every malformed expression of strace's own inject-syntax test
// (data/strace/tests/qual_inject-syntax.test, read as data) is EBADSPEC with
// a reason; valid forms give the values strace uses, checked against the
// real strace where it can show them (which calls it tampers with, and how).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import { abi as mips } from '../src/abi/linux-mipso32.js';
import { abi as mips64 } from '../src/abi/linux-mips64.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';
import type { Abi } from '../src/abi/types.js';
import { SystabError } from '../src/errors.js';
import { parseInject, type InjectSpec } from '../src/trace/inject.js';
import { toolsOr } from './helpers/tools.js';

/** The expressions of strace's test: the words of its `for arg in ... ; do` list, with its variables put in. */
function straceSyntaxCases(): string[] {
  const text = readFileSync(new URL('../data/strace/tests/qual_inject-syntax.test', import.meta.url), 'utf8');
  const list = /\nfor arg in ([\s\S]*?)\s; do\n/.exec(text)![1]!;
  const zeroes = '0'.repeat(2050); // its `zeroes`: 2050 of them
  return list
    .replace(/\\\n/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => w.replace(/\\!/g, '!').replace(/\$valid_scno/g, '42').replace(/\$zeroes/g, zeroes));
}

const cases = straceSyntaxCases();

function reason(expr: string, kind: 'inject' | 'fault' = 'inject', abi: Abi = x86_64): string {
  try {
    parseInject(expr, abi, kind);
  } catch (e) {
    expect(e).toBeInstanceOf(SystabError);
    expect((e as SystabError).code).toBe('EBADSPEC');
    return (e as Error).message;
  }
  throw new Error(`parseInject(${JSON.stringify(expr)}) did not throw`);
}

describe("strace's qual_inject-syntax.test", () => {
  it('reads all of its expressions', () => {
    expect(cases.length).toBe(103); // as `sh` counts them
    expect(cases).toContain('!chdir:42');
    expect(cases).toContain('chdir:when=65535..65535+');
    expect(cases.some((c) => c.includes('0'.repeat(2050)))).toBe(true);
  });

  it.each(cases.map((c) => [c.length > 60 ? `${c.slice(0, 57)}...` : c, c]))('%s is EBADSPEC with a reason', (_, expr) => {
    const msg = reason(expr);
    const expected = `inject expression ${JSON.stringify(expr)}: `;
    expect(msg.startsWith(expected)).toBe(true);
    expect(msg.length).toBeGreaterThan(expected.length + 10);
  });

  it('says which option is wrong and why', () => {
    expect(reason('chdir')).toBe('inject expression "chdir": it asks for nothing: give error=, retval=, signal=, delay_enter=, delay_exit=, poke_enter= or poke_exit=');
    expect(reason('chdir:error=invalid_error_name')).toBe('inject expression "chdir:error=invalid_error_name": error=invalid_error_name: not an errno of linux-x86_64: a name (ENOENT) or a number 1..4095');
    expect(reason('chdir:when=24..23')).toBe('inject expression "chdir:when=24..23": when=24..23: LAST must be a number 24..65534');
    expect(reason('chdir:syscall=chdir')).toContain('only a pure call (%pure');
    expect(reason('chdir:poke_enter=@arg1=000')).toContain('an even count of hex digits');
    expect(reason('chdir:invalid')).toContain('"invalid" is not an option (when=, syscall=, error=, retval=, signal=');
    expect(reason('chdir:signal=1:signal=2')).toContain('signal= given twice');
    expect(reason('opne:error=ENOENT')).toContain('its set: unknown call "opne"');
    expect(reason(':error=1')).toContain('the set of calls comes first');
  });
});

describe('valid forms: the values strace uses', () => {
  const spec = (expr: string, kind: 'inject' | 'fault' = 'inject', abi: Abi = x86_64): InjectSpec => parseInject(expr, abi, kind);

  it('when=: strace defaults 1..INF+1; F alone is that call only', () => {
    expect(spec('chdir:error=1').when).toEqual({ first: 1, last: Infinity, step: 1 });
    expect(spec('chdir:error=1:when=3').when).toEqual({ first: 3, last: Infinity, step: 0 });
    expect(spec('chdir:error=1:when=3+').when).toEqual({ first: 3, last: Infinity, step: 1 });
    expect(spec('chdir:error=1:when=3+4').when).toEqual({ first: 3, last: Infinity, step: 4 });
    expect(spec('chdir:error=1:when=3..9').when).toEqual({ first: 3, last: 9, step: 1 });
    expect(spec('chdir:error=1:when=3..9+').when).toEqual({ first: 3, last: 9, step: 1 });
    expect(spec('chdir:error=1:when=3..9+2').when).toEqual({ first: 3, last: 9, step: 2 });
    expect(spec('chdir:error=1:when=65535').when).toEqual({ first: 65535, last: Infinity, step: 0 });
    expect(spec('chdir:error=1:when=1..65534+65535').when).toEqual({ first: 1, last: 65534, step: 65535 });
    expect(spec('chdir:error=1:when=2:when=5').when.first).toBe(5); // the last when= wins, as in strace
  });

  it('error=: names in any case and numbers, on the ABI; fault= defaults to ENOSYS', () => {
    expect(spec('chdir:error=ENOENT').error).toBe(2);
    expect(spec('chdir:error=enoent').error).toBe(2);
    expect(spec('chdir:error=4095').error).toBe(4095);
    expect(spec('chdir:error=ERESTARTSYS').error).toBe(512);
    expect(spec('chdir', 'fault').error).toBe(38);
    expect(spec('chdir', 'fault', mips).error).toBe(89);
    expect(spec('path_open', 'fault', wasi).error).toBe(52);
    expect(spec('path_open:error=noent', 'inject', wasi).error).toBe(44);
    expect(spec('chdir:error=EDEADLOCK', 'inject', mips).error).toBe(mips.errno.EDEADLOCK);
  });

  it('retval=: strtoull with base 0, wrapped to the kernel word; a value that reads as an error warns', () => {
    expect(spec('chdir:retval=42').retval).toBe(42n);
    expect(spec('chdir:retval=0x10').retval).toBe(16n);
    expect(spec('chdir:retval=010').retval).toBe(8n);
    expect(spec('chdir:retval=-1').retval).toBe(2n ** 64n - 1n);
    expect(spec('chdir:retval=-1').warnings).toEqual(['Inadvertent injection of error 1 is possible for retval=18446744073709551615']);
    expect(spec('chdir:retval=18446744073709551615').retval).toBe(2n ** 64n - 1n);
    expect(reason('chdir:retval=-1', 'inject', i386)).toContain("does not fit linux-i386's 32-bit return register");
    expect(spec('chdir:retval=4294967295', 'inject', i386).warnings).toHaveLength(1);
    expect(spec('chdir:retval=-1', 'inject', mips64).warnings).toEqual([]); // MIPS returns errors in a register of its own
  });

  it('signal=, delays, syscall=, pokes', () => {
    expect(spec('chdir:signal=SIGUSR1').signal).toBe(10);
    expect(spec('chdir:signal=usr1').signal).toBe(10);
    expect(spec('chdir:signal=RTMIN').signal).toBe(32);
    expect(spec('chdir:signal=RT_32').signal).toBe(64);
    expect(spec('chdir:signal=64').signal).toBe(64);
    expect(reason('chdir:signal=65')).toContain('not a signal of linux-x86_64');
    expect(spec('chdir:signal=SIGUSR1', 'inject', mips).signal).toBe(16);
    expect(spec('chdir:signal=128', 'inject', mips).signal).toBe(128);
    expect(spec('proc_exit:signal=usr1', 'inject', wasi).signal).toBe(10);
    expect(spec('chdir:delay_enter=5').delayEnter).toBe(5);
    expect(spec('chdir:delay_enter=1.5ms:delay_exit=2s').delayEnter).toBe(1500);
    expect(spec('chdir:delay_exit=2s').delayExit).toBe(2_000_000);
    // strace's quirk: an integer's unit must start in lower case, a fraction's may not.
    expect(reason('chdir:delay_exit=2MS')).toContain('not a duration');
    expect(spec('chdir:delay_exit=1.5MS').delayExit).toBe(1500);
    expect(spec('chdir:delay_exit= 5').delayExit).toBe(5);
    expect(spec('chdir:delay_exit=1500ns').delayExit).toBe(1.5);
    expect(spec('chdir:delay_enter=1e3').delayEnter).toBe(1000);
    expect(reason('chdir:delay_enter=5m')).toContain('not a duration');
    expect(spec('chdir:error=ENOENT:syscall=getpid').syscall).toBe(39);
    const p = spec('chdir:poke_enter=@arg1=0000DEAD,@arg3=ff:poke_exit=@arg7=00');
    expect(p.pokeEnter!.map((x) => [x.arg, [...x.data]])).toEqual([[1, [0, 0, 0xde, 0xad]], [3, [0xff]]]);
    expect(p.pokeExit!.map((x) => x.arg)).toEqual([7]);
    // Each byte as strace's sscanf("%2hhx") reads it: these strace takes too.
    expect([...spec('chdir:poke_enter=@arg1=0x00').pokeEnter![0]!.data]).toEqual([0, 0]);
    expect([...spec('chdir:poke_enter=@arg1=-1').pokeEnter![0]!.data]).toEqual([0xff]);
    expect([...spec('chdir:poke_enter=@arg1=0A0a').pokeEnter![0]!.data]).toEqual([10, 10]);
    expect(reason('chdir:retval=1', 'fault')).toContain('retval= is an inject= option; fault= takes when=, syscall=, error=');
  });

  it('the set is a trace= expression', () => {
    expect(spec('%file:error=1').set.has(80)).toBe(true); // chdir
    expect(spec('!chdir:error=1').set.has(80)).toBe(false);
    expect(spec('?nosuch,chdir:error=1').set.numbers.filter((n) => n < 336)).toEqual([80]);
  });
});

const STRACE = '/usr/bin/strace';
const tools = process.arch === 'x64' && process.platform === 'linux' && toolsOr(existsSync(STRACE) && (() => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})(), 'strace or gcc');

/** What the fixture prints for call k under `spec`, as strace applies it. */
function expected(s: InjectSpec, k: number): string {
  const { first, last, step } = s.when;
  const hit = k >= first && k <= last && (step === 0 ? k === first : (k - first) % step === 0);
  const sig = hit && s.signal !== undefined ? s.signal : 0;
  if (hit && s.error !== undefined) return `${k} -1 ${s.error} ${sig}`;
  if (hit && s.retval !== undefined) {
    const r = BigInt.asIntN(64, s.retval);
    return r < 0n && r >= -4095n ? `${k} -1 ${-r} ${sig}` : `${k} ${r} 0 ${sig}`;
  }
  return `${k} 0 0 ${sig}`;
}

describe.skipIf(!tools)('against strace: the calls it tampers with and the results they get', () => {
  let dir = '';
  let fixture = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'systab-inject-'));
    fixture = join(dir, 'inject-loop');
    execFileSync('gcc', ['-O1', '-o', fixture, new URL('fixtures/inject-loop.c', import.meta.url).pathname]);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('strace itself refuses every expression read from its test (the data is read right)', () => {
    const accepted = cases.filter((expr) => {
      try {
        execFileSync(STRACE, ['-qq', '-o', '/dev/null', '-e', `inject=${expr}`, 'true'], { stdio: 'pipe' });
        return true;
      } catch (e) {
        return !String((e as { stderr?: Buffer }).stderr).includes('invalid inject argument');
      }
    });
    expect(accepted).toEqual([]);
  });

  // The valid forms above that linux-x86_64 shares with the host: strace takes each.
  it.each([
    'chdir:error=1:when=3+4', 'chdir:error=1:when=3..9+', 'chdir:error=1:when=65535', 'chdir:error=1:when=1..65534+65535', 'chdir:error=1:when=2:when=5',
    'chdir:error=enoent', 'chdir:error=4095', 'chdir:error=ERESTARTSYS', 'chdir:retval=0x10', 'chdir:retval=010', 'chdir:retval=-1',
    'chdir:retval=18446744073709551615', 'chdir:signal=usr1', 'chdir:signal=RTMIN', 'chdir:signal=RT_32', 'chdir:signal=64',
    'chdir:delay_enter=1.5ms:delay_exit=2s', 'chdir:delay_exit=1.5MS', 'chdir:delay_exit= 5', 'chdir:delay_exit=1500ns', 'chdir:delay_enter=1e3',
    'chdir:error=ENOENT:syscall=getpid', 'chdir:poke_enter=@arg1=0000DEAD,@arg3=ff:poke_exit=@arg7=00', 'chdir:poke_enter=@arg1=0x00',
    'chdir:poke_enter=@arg1=-1', '%file:error=1', '!chdir:error=1', '?nosuch,chdir:error=1',
  ])('strace takes %s too', (expr) => {
    expect(() => parseInject(expr, x86_64, 'inject')).not.toThrow();
    // The traced `true` may fail (%file:error=1 fails its execve): what counts is that strace took the expression.
    const r = spawnSync(STRACE, ['-qq', '-o', '/dev/null', '-e', `inject=${expr}`, 'true'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/invalid/);
  });

  const N = 24;
  it.each([
    ['inject', 'chdir:error=ENOENT:when=3'],
    ['inject', 'chdir:error=eacces:when=2..5'],
    ['inject', 'chdir:error=13:when=2+3'],
    ['inject', 'chdir:retval=42:when=4..20+5'],
    ['inject', 'chdir:retval=0x10:when=7+'],
    ['inject', 'chdir:retval=010:when=1..3'],
    ['inject', 'chdir:retval=-2:when=5'],
    ['inject', 'chdir:error=EPERM:signal=SIGUSR2:when=2..10+4'],
    ['inject', 'chdir:signal=usr1:when=6'],
    ['inject', '%file:error=ENOTDIR:when=9..11'],
    ['inject', '/^chdir$:error=1:when=22+'],
    ['inject', 'chdir:delay_enter=1:error=EIO:when=1..2'],
    ['inject', 'chdir:error=ENOENT:syscall=getpid:when=3'],
    ['fault', 'chdir:when=2'],
    ['fault', 'chdir:error=EBADF:when=5..6'],
    ['fault', 'chdir'],
  ] as const)('%s=%s', (kind, expr) => {
    const s = parseInject(expr, x86_64, kind);
    const out = execFileSync(STRACE, ['-qq', '-o', '/dev/null', '-e', `${kind}=${expr}`, fixture, String(N)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toEqual(Array.from({ length: N }, (_, i) => expected(s, i + 1)));
  });
});
