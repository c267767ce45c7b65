// Structs printed as strace prints them: stat (regular, setuid, directory,
// character device), timespec, utsname, pipe fds, iovec arrays (readv's
// data cut at the result, NULL-free zero-length entries, failures as
// addresses), rlimit, sigaction (with sa_restorer, ~[] masks), sigset (RT
// signals), sockaddr (AF_INET, AF_INET6 with and without scope, v4-mapped,
// compressed, AF_UNIX paths and abstract names, unknown families), statx,
// getdents64's entry count, timeval and timezone, execve's argv. The
// oracle: test/fixtures/strace-structs.c under Debian's strace. The fixture
// records each call's arguments, result and the memory it touched before
// and after; the formatter replays them (enter with the memory before, exit
// with the memory after) and must print strace's lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { createFormatter } from '../src/trace/format.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['strace', 'gcc'].filter((t) => !have(t));
const ROOT = new URL('..', import.meta.url).pathname;
const TRACED = 'close,fstat,newfstatat,clock_gettime,clock_getres,nanosleep,uname,pipe2,getcwd,readlinkat,writev,readv,write,read,getrandom,prlimit64,rt_sigaction,rt_sigprocmask,connect,bind,execve,statx,getdents64,gettimeofday,sysinfo,poll,ppoll,sched_getaffinity,sched_setaffinity,wait4,clone3,clone';

interface Rec { nr: number; args: bigint[]; result: bigint; before: Map<number, Uint8Array>; after: Map<number, Uint8Array> }

function records(text: string): Rec[] {
  const out: Rec[] = [];
  let before = new Map<number, Uint8Array>();
  for (const line of text.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    if (kind === 'B' || kind === 'A') {
      const bytes = Uint8Array.from(rest[1]!.match(/../g) ?? [], (h) => parseInt(h, 16));
      (kind === 'B' ? before : out.at(-1)!.after).set(Number(rest[0]), bytes);
    } else if (kind === 'C') {
      const v = rest.map((x) => BigInt(x));
      out.push({ nr: Number(v[0]), args: v.slice(1, 7), result: v[7]!, before, after: new Map() });
      before = new Map();
    }
  }
  return out;
}

/** A reader over the recorded regions. */
function reader(regions: () => Map<number, Uint8Array>) {
  return (a: number, n: number): Uint8Array | null => {
    for (const [at, b] of regions()) if (a >= at && a + n <= at + b.length) return b.subarray(a - at, a - at + n);
    return null;
  };
}

describe.skipIf(missing.length > 0)(`structs against strace${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  it('prints every call of the fixture as strace does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-structs-'));
    try {
      const bin = join(dir, 'structs'), log = join(dir, 'log.txt');
      execFileSync('gcc', ['-O0', '-w', '-o', bin, join(ROOT, 'test/fixtures/strace-structs.c')]);
      const stdout = execFileSync('strace', ['-o', log, '-e', `trace=${TRACED}`, bin], { cwd: dir, encoding: 'utf8', maxBuffer: 16 << 20 });
      // Signal deliveries (`--- SIGCHLD {...} ---`, the fixture forks for wait4) are strace's, not calls.
      const lines = readFileSync(log, 'utf8').split('\n').filter((l) => !l.startsWith('--- '));
      const want = lines.slice(lines.findIndex((l) => l.startsWith('close(-2)')), lines.findIndex((l) => l.startsWith('close(-3)')) + 1);
      const recs = records(stdout);
      expect(recs).toHaveLength(want.length);

      let regions = new Map<number, Uint8Array>();
      const f = createFormatter({ abi, read: reader(() => regions) });
      const got = recs.map((r) => {
        regions = r.before;
        const p = f.enter(r.nr, r.args);
        regions = r.after;
        return f.exit(p, r.result);
      });
      expect(got).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
