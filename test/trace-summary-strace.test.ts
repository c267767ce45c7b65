// Oracle: strace -c itself. test/fixtures/summary-calls.c makes a known set
// of calls (some failing); it runs natively under `strace -c -S KEY -o FILE
// -e trace=SET`, and the same calls made through a table with the summary on
// for SET give summaryTable({ sort: KEY }): the two texts are compared
// character for character with only the time columns (% time, seconds,
// usecs/call) masked, their widths kept. Under the default sort (time) the
// order follows the times, so there the rows are compared as a set and ours
// checked to be in descending time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

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
const SET = 'getpid,getppid,close,sched_get_priority_max,dup,umask';

/** The first three columns (6, 11 and 11 wide here) as #, the rest as is; header and dashes untouched. */
function mask(text: string): string[] {
  return text.split('\n').map((l) => {
    if (l.startsWith('% time') || l.startsWith('------') || l === '') return l;
    const m = /^([ \d.]{6}) ([ \d.]{11}) ([ \d]{11}) /.exec(l);
    if (m === null) return `UNMASKABLE ${l}`;
    return '#'.repeat(6) + ' ' + '#'.repeat(11) + ' ' + '#'.repeat(11) + l.slice(m[0].length - 1);
  });
}

/** Our side: the fixture's calls, in its order, through a table. */
function ours(set: string, calls: [string, number[], number][]) {
  const t = createTable({ abi });
  t.load({
    name: 'fixture',
    handlers: {
      getpid: () => 4242,
      getppid: () => 1,
      close: () => -9,
      sched_get_priority_max: (p) => (p === 1 ? 99 : -22),
      dup: () => -9,
      umask: () => 0o22,
    },
  });
  const tr = traceTable(t);
  tr.summary(set);
  for (const [name, args, times] of calls) for (let i = 0; i < times; i++) t.call(abi.names[name]!, ...args);
  return tr;
}
const FIXTURE_CALLS: [string, number[], number][] = [
  ['getpid', [], 7], ['getppid', [], 12], ['close', [-1], 3], ['sched_get_priority_max', [1], 2], ['sched_get_priority_max', [12345], 1], ['dup', [-1], 4], ['umask', [0o22], 5],
];

describe.skipIf(!tools)('summaryTable() against strace -c (linux-x86_64, a native fixture)', () => {
  let dir = '';
  const strace = (args: string[]): string => {
    const out = join(dir, `out-${args.join('_').replace(/\W/g, '')}`);
    execFileSync(STRACE, ['-c', '-o', out, ...args, join(dir, 'fixture')]);
    return readFileSync(out, 'utf8');
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'systab-summary-'));
    // Static: no dynamic loader's calls (its close()s) among the counted ones.
    execFileSync('gcc', ['-O1', '-static', '-o', join(dir, 'fixture'), new URL('./fixtures/summary-calls.c', import.meta.url).pathname]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const sort of ['calls', 'errors', 'name', 'nothing', 'count', 'syscall']) {
    it(`-S ${sort}: the same text but for the times`, () => {
      const want = strace(['-S', sort, '-e', `trace=${SET}`]);
      const got = ours(SET, FIXTURE_CALLS).summaryTable({ sort });
      expect(mask(got)).toEqual(mask(want));
      expect(got.split('\n').at(-2)!.startsWith('100.00 ')).toBe(true);
    });
  }

  it('the default sort (time): header, dashes and total the same, the same rows, ours in descending time', () => {
    const want = mask(strace(['-e', `trace=${SET}`]));
    const tr = ours(SET, FIXTURE_CALLS);
    const got = mask(tr.summaryTable());
    expect(got.slice(0, 2)).toEqual(want.slice(0, 2));
    expect(got.slice(-3)).toEqual(want.slice(-3));
    expect([...got.slice(2, -3)].sort()).toEqual([...want.slice(2, -3)].sort());
    const secs = tr.summaryRows().rows.map((r) => r.seconds);
    expect(secs).toEqual([...secs].sort((a, b) => b - a));
  });

  it('no errors at all: the total row’s errors blank too; names within 16 columns keep the 16-wide field', () => {
    const want = strace(['-S', 'calls', '-e', 'trace=getpid,getppid']);
    const got = ours('getpid,getppid', FIXTURE_CALLS).summaryTable({ sort: 'calls' });
    expect(mask(got)).toEqual(mask(want));
  });
});
