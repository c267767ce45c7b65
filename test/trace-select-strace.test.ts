// Oracle: the calls each `-e trace=` expression selects on linux-x86_64 are
// the calls strace itself selects. test/fixtures/every-call.c makes every
// x86_64 call number once with every argument -1 (each fails at once); it
// runs under `strace -f -qq -e trace=EXPR -o FILE` and the numbers of the
// lines strace prints are compared with parseTraceSet(EXPR).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { abiName, abiNumber } from '../src/abi/lookup.js';
import { parseTraceSet } from '../src/trace/select.js';

const STRACE = '/usr/bin/strace';
const have = (cmd: string): boolean => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const tools = existsSync(STRACE) && have('gcc') && process.arch === 'x64' && process.platform === 'linux';

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

/** Every x86_64 number but the skipped ones, a hole (400) and numbers beyond the table (500, 1000). */
const made = [...Array(480).keys(), 500, 1000].filter((nr) => {
  const name = abiName(abi, nr);
  return name === undefined || !Object.hasOwn(SKIPPED, name);
});

let dir = '';
let fixture = '';
/** Numbers the installed strace has no name for (it prints syscall_0x...), from one run with trace=all. */
let unnamed = new Set<number>();

/** The numbers of the calls strace prints with `-e trace=expr`. */
function straceSelects(expr: string): Set<number> {
  const out = join(dir, 'trace.out');
  execFileSync(STRACE, ['-f', '-qq', '-e', `trace=${expr}`, '-o', out, fixture, ...made.map(String)], { stdio: 'pipe' });
  const seen = new Set<number>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\d+ +(\w+)\(/.exec(line);
    if (!m) continue;
    const name = m[1]!;
    const hex = /^syscall_0x([0-9a-f]+)$/.exec(name);
    const nr = hex ? parseInt(hex[1]!, 16) : abiNumber(abi, name);
    if (nr === undefined) throw new Error(`strace printed a call linux-x86_64 lacks: ${line}`);
    seen.add(nr);
  }
  return seen;
}

const EXPRESSIONS = [
  '%file', '%process', '%network', '%net', '%signal', '%ipc', '%desc', '%memory', '%creds', '%clock', '%pure',
  '%stat', '%lstat', '%fstat', '%%stat', '%statfs', '%fstatfs', '%%statfs',
  'file,process', 'network,signal,ipc,desc,memory', '?%FILE,memory',
  '!%file', '!!%file', '!%desc,%memory', 'all', '!all', 'none', '!none', 'all,read',
  '/^(open|read)', '/stat', '/^[[:alpha:]]+64$', '/^[[:lower:]_]+[[:digit:]]$', '?nosuchcall,read,write', '?/^zzz,close', '0,1,2,39,400', '?99999,3',
  'socketcall,read', 'open@64,read@32', '%clock@64,%file@x32', '400,read',
];

describe.skipIf(!tools)('trace= selection against strace on linux-x86_64', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'systab-tsel-'));
    fixture = join(dir, 'every-call');
    execFileSync('gcc', ['-O1', '-o', fixture, new URL('fixtures/every-call.c', import.meta.url).pathname]);
    const all = join(dir, 'all.out');
    execFileSync(STRACE, ['-f', '-qq', '-o', all, fixture, ...made.map(String)], { stdio: 'pipe' });
    for (const m of readFileSync(all, 'utf8').matchAll(/^\d+ +syscall_0x([0-9a-f]+)\(/gm)) unnamed.add(parseInt(m[1]!, 16));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Numbers our data (strace 7.2's tables) names but the installed strace
  // does not (it is older): their classes cannot be compared.
  const comparable = (): number[] => made.filter((nr) => !(unnamed.has(nr) && abiName(abi, nr) !== undefined));

  it('makes every number once: strace prints each made call with trace=all', () => {
    const seen = straceSelects('all');
    expect(made.filter((nr) => !seen.has(nr))).toEqual([]);
    expect(comparable().length).toBeGreaterThan(400);
  });

  it.each(EXPRESSIONS)('trace=%s selects what strace selects', (expr) => {
    const seen = straceSelects(expr);
    const set = parseTraceSet(expr, abi);
    const mismatch = comparable()
      .filter((nr) => set.has(nr) !== seen.has(nr))
      .map((nr) => `${abiName(abi, nr) ?? nr}: strace ${seen.has(nr) ? 'selects' : 'does not select'} it`);
    expect(mismatch).toEqual([]);
  });

  it('a wrong class would differ: %file with the %desc calls added is not what strace selects', () => {
    const seen = straceSelects('%file');
    const wrong = new Set([...parseTraceSet('%file', abi).numbers, ...parseTraceSet('%desc', abi).numbers]);
    expect(comparable().filter((nr) => wrong.has(nr) !== seen.has(nr)).length).toBeGreaterThan(10);
  });
});
