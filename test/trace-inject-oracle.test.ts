// Issue 13, section 5, second bullet: the same -e inject= and -e fault=
// expressions give the same program output natively under Debian's strace
// and in the rv64 emulator. The fixture prints each call's answer (a pid
// or uid as 1, so the runs compare) and its errno's name.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, ROOT, TIMEOUT } from '../examples/rv64/test/harness.js';
import { toolsOr } from './helpers/tools.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tools = process.arch === 'x64' && toolsOr(['strace', 'gcc', 'riscv64-linux-gnu-gcc'].every(have), 'strace, gcc or riscv64-linux-gnu-gcc');

// Each a list of -e arguments; every one tampers with some call.
const CASES: string[][] = [
  ['inject=getppid:error=EPERM:when=2+2'],
  ['inject=openat:error=EACCES:when=3'],
  ['inject=openat:retval=7:when=2..4'],
  ['inject=write:retval=1:when=2+3'],
  ['inject=getuid:error=ENOSYS', 'inject=close:retval=0:when=4+'],
  ['fault=nanosleep:when=1+2'],
  ['fault=close:error=EINTR:when=5'],
  ['inject=%creds:error=EAGAIN:when=6'],
  ['inject=getppid,getuid:delay_enter=1000:when=2'],
  ['inject=all:error=EIO:when=6', 'inject=write:retval=2'],
];

describe.skipIf(!tools)('-e inject= in the emulator as under strace', () => {
  let dir = '';
  let native = '';
  let rv = '';
  beforeAll(async () => {
    await ensureBundle();
    rv = compileFixture('inject-calls');
    dir = mkdtempSync(join(tmpdir(), 'inject-oracle-'));
    native = join(dir, 'native');
    execFileSync('gcc', ['-O2', '-static', '-o', native, join(ROOT, 'examples/rv64/fixtures/inject-calls.c')]);
  }, TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs untouched alike', () => {
    const n = spawnSync(native, [], { encoding: 'utf8' });
    const e = spawnSync(process.execPath, [BUNDLE, rv], { env: GUEST_ENV, encoding: 'utf8' });
    expect(e.stdout).toBe(n.stdout);
    expect(n.stdout.split('\n').length).toBeGreaterThan(30);
  });

  it.each(CASES.map((c) => [c.join(' '), c] as const))('%s', (_, exprs) => {
    const args = exprs.flatMap((x) => ['-e', x]);
    const n = spawnSync('strace', ['-o', '/dev/null', ...args, native], { encoding: 'utf8' });
    expect(n.status, n.stderr).toBe(0);
    const e = spawnSync(process.execPath, [BUNDLE, '-o', '/dev/null', ...args, rv], { env: GUEST_ENV, encoding: 'utf8' });
    expect(e.stderr).toBe('');
    expect(e.stdout).toBe(n.stdout);
    // The expression changed something (a delay changes only the time): the runs differ from an untouched one.
    if (!exprs.some((x) => x.includes('delay_'))) expect(n.stdout).not.toBe(spawnSync(native, [], { encoding: 'utf8' }).stdout);
  }, TIMEOUT);
});
