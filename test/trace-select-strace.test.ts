// Oracle: the calls each `-e trace=` expression selects on linux-x86_64 are
// the calls strace itself selects. test/fixtures/every-call.c makes every
// x86_64 call number once with every argument -1 (each fails at once); it
// runs under `strace -f -qq -e trace=EXPR -o FILE` and the numbers of the
// lines strace prints are compared with parseTraceSet(EXPR). The same for
// linux-i386 (test/fixtures/every-call-i386.c, strace's i386 personality)
// where gcc -m32 builds and the kernel runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import type { Abi } from '../src/abi/types.js';
import { abiName, abiNumber } from '../src/abi/lookup.js';
import { parseTraceSet } from '../src/trace/select.js';
import { toolsOr } from './helpers/tools.js';

const STRACE = '/usr/bin/strace';
const have = (cmd: string): boolean => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const tools = process.arch === 'x64' && process.platform === 'linux' && toolsOr(existsSync(STRACE) && have('gcc'), 'strace or gcc');

// Not made, and why: each would end, replace, fork, block, signal or
// otherwise change the process or the machine even with -1 arguments.
const SKIPPED: Record<string, string> = {
  exit: 'ends the process', exit_group: 'ends the process',
  fork: 'makes a process', vfork: 'makes a process', clone: 'makes a process', clone3: 'makes a process',
  execve: 'replaces the process', execveat: 'replaces the process',
  pause: 'waits for a signal', rt_sigsuspend: 'waits for a signal',
  kill: 'sends a signal', tkill: 'sends a signal', tgkill: 'sends a signal', rt_sigqueueinfo: 'sends a signal',
  rt_tgsigqueueinfo: 'sends a signal', pidfd_send_signal: 'sends a signal',
  rt_sigreturn: 'restores a signal frame from the stack: kills the process',
  uretprobe: 'SIGILL outside a uprobe trampoline', uprobe: 'SIGILL outside a uprobe trampoline',
  reboot: 'reboots, as root', vhangup: 'hangs up the terminal, as root', setsid: 'makes a new session',
  sync: 'flushes every filesystem (slow on a shared machine)',
  msgget: 'creates a SysV message queue (IPC_CREAT in -1, as root)',
};

// i386 has more of the same kind.
const SKIPPED_I386: Record<string, string> = {
  ...SKIPPED, sigreturn: 'restores a signal frame from the stack: kills the process', sigsuspend: 'waits for a signal',
};

interface Oracle {
  abi: Abi;
  /** The numbers the fixture makes: every number of the ABI but the skipped ones, holes and numbers beyond the table. */
  made: number[];
  fixture: string;
  /** Numbers the installed strace has no name for (it prints syscall_0x...), from one run with trace=all. */
  unnamed: Set<number>;
}

function madeOf(abi: Abi, skipped: Record<string, string>, upTo: number): number[] {
  return [...Array(upTo).keys(), 500, 1000].filter((nr) => {
    const name = abiName(abi, nr);
    return name === undefined || !Object.hasOwn(skipped, name);
  });
}

let dir = '';

/** The numbers of the calls strace prints with `-e trace=expr`. */
function straceSelects(o: Oracle, expr: string): Set<number> {
  const out = join(dir, 'trace.out');
  execFileSync(STRACE, ['-f', '-qq', '-e', `trace=${expr}`, '-o', out, o.fixture, ...o.made.map(String)], { stdio: 'pipe' });
  const seen = new Set<number>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\d+ +(\w+)\(/.exec(line);
    if (!m) continue;
    const name = m[1]!;
    const hex = /^syscall_0x([0-9a-f]+)$/.exec(name);
    const nr = hex ? parseInt(hex[1]!, 16) : abiNumber(o.abi, name);
    if (nr === undefined) throw new Error(`strace printed a call ${o.abi.id} lacks: ${line}`);
    seen.add(nr);
  }
  return seen;
}

function prepare(o: Oracle): void {
  const all = join(dir, 'all.out');
  execFileSync(STRACE, ['-f', '-qq', '-o', all, o.fixture, ...o.made.map(String)], { stdio: 'pipe' });
  for (const m of readFileSync(all, 'utf8').matchAll(/^\d+ +syscall_0x([0-9a-f]+)\(/gm)) o.unnamed.add(parseInt(m[1]!, 16));
}

// Numbers our data (strace 7.2's tables) names but the installed strace
// does not (it is older): their classes cannot be compared.
const comparable = (o: Oracle): number[] => o.made.filter((nr) => !(o.unnamed.has(nr) && abiName(o.abi, nr) !== undefined));

function mismatches(o: Oracle, expr: string): string[] {
  const seen = straceSelects(o, expr);
  const set = parseTraceSet(expr, o.abi);
  return comparable(o)
    .filter((nr) => set.has(nr) !== seen.has(nr))
    .map((nr) => `${abiName(o.abi, nr) ?? nr}: strace ${seen.has(nr) ? 'selects' : 'does not select'} it`);
}

const EXPRESSIONS_X86_64 = [
  '%file', '%process', '%network', '%net', '%signal', '%ipc', '%desc', '%memory', '%creds', '%clock', '%pure',
  '%stat', '%lstat', '%fstat', '%%stat', '%statfs', '%fstatfs', '%%statfs',
  'file,process', 'network,signal,ipc,desc,memory', '?%FILE,memory',
  '!%file', '!!%file', '!%desc,%memory', 'all', '!all', 'none', '!none', 'all,read',
  '/^(open|read)', '/stat', '/^[[:alpha:]]+64$', '/^[[:lower:]_]+[[:digit:]]$', '?nosuchcall,read,write', '?/^zzz,close', '0,1,2,39,400', '?99999,3',
  '/^(get|set)+(p|u)id$', '/^(_?[a-z]+)+64$', '/\\<get.{3}$', '/^(s|e|t)+', '/^[^aeiou]{4}$', '/(at|64)\\>',
  'socketcall,read', 'open@64,read@32', '%clock@64,%file@x32', '400,read',
];

const EXPRESSIONS_I386 = [
  '%file', '%process', '%network', '%signal', '%ipc', '%desc', '%memory', '%creds', '%clock', '%pure',
  '%stat', '%lstat', '%fstat', '%%stat', '%statfs', '%fstatfs', '%%statfs', 'ipc,signal',
  '!%desc', '/64$', 'socketcall,ipc', 'read@64,open@32', 'open@x32,close', '%net@64,%file@32', '?arch_prctl,read', 'arch_prctl', '400',
];

const x86: Oracle = { abi: x86_64, made: madeOf(x86_64, SKIPPED, 480), fixture: '', unnamed: new Set() };
const x86_32: Oracle = { abi: i386, made: madeOf(i386, SKIPPED_I386, 480), fixture: '', unnamed: new Set() };
const i386Builds = ((): boolean => {
  if (!tools) return false;
  try {
    const d = mkdtempSync(join(tmpdir(), 'systab-m32-'));
    execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-o', join(d, 'x'), new URL('fixtures/every-call-i386.c', import.meta.url).pathname], { stdio: 'ignore' });
    execFileSync(join(d, 'x'), [], { stdio: 'ignore' });
    rmSync(d, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => {
  if (!tools) return;
  dir = mkdtempSync(join(tmpdir(), 'systab-tsel-'));
  x86.fixture = join(dir, 'every-call');
  execFileSync('gcc', ['-O1', '-o', x86.fixture, new URL('fixtures/every-call.c', import.meta.url).pathname]);
  prepare(x86);
  if (i386Builds) {
    x86_32.fixture = join(dir, 'every-call-i386');
    execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-O1', '-o', x86_32.fixture, new URL('fixtures/every-call-i386.c', import.meta.url).pathname]);
    prepare(x86_32);
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!tools)('trace= selection against strace on linux-x86_64', () => {
  it('makes every number once: strace prints each made call with trace=all', () => {
    const seen = straceSelects(x86, 'all');
    expect(x86.made.filter((nr) => !seen.has(nr))).toEqual([]);
    expect(comparable(x86).length).toBeGreaterThan(400);
  });

  it.each(EXPRESSIONS_X86_64)('trace=%s selects what strace selects', (expr) => {
    expect(mismatches(x86, expr)).toEqual([]);
  });

  it('a wrong class would differ: %file with the %desc calls added is not what strace selects', () => {
    const seen = straceSelects(x86, '%file');
    const wrong = new Set([...parseTraceSet('%file', x86_64).numbers, ...parseTraceSet('%desc', x86_64).numbers]);
    expect(comparable(x86).filter((nr) => wrong.has(nr) !== seen.has(nr)).length).toBeGreaterThan(10);
  });
});

// strace on x86_64 traces an i386 program as its second personality: the
// linux-i386 classes, and the personalities seen from the i386 side.
describe.skipIf(!i386Builds)('trace= selection against strace on linux-i386 (gcc -m32 -nostdlib, IA-32 emulation)', () => {
  it('makes every number once', () => {
    const seen = straceSelects(x86_32, 'all');
    expect(x86_32.made.filter((nr) => !seen.has(nr))).toEqual([]);
    expect(comparable(x86_32).length).toBeGreaterThan(400);
  });

  it.each(EXPRESSIONS_I386)('trace=%s selects what strace selects', (expr) => {
    expect(mismatches(x86_32, expr)).toEqual([]);
  });
});
