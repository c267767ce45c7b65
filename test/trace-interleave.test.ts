// strace -f's <unfinished ...> and <... name resumed> lines. The oracle is
// Debian's strace -f -o on test/fixtures/strace-threads.c (two threads, one
// blocked in read while the other sleeps and writes): its log, read back as
// enter/exit events per thread, replayed through the interleaver must give
// the log again, prefixes, splits and padding included. Then the formatter
// renders the overlapping calls itself and its split between entry and exit
// must be strace's (`nanosleep({...},  <unfinished ...>`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { createFormatter } from '../src/trace/format.js';
import { createInterleaver, type Interleaver } from '../src/trace/interleave.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['strace', 'gcc'].filter((t) => !have(t));
const ROOT = new URL('..', import.meta.url).pathname;

/** Replays one strace -f -o log line into the interleaver. */
function replay(il: Interleaver, line: string): void {
  const m = /^(\d+) +(.*)$/.exec(line);
  if (!m) throw new Error(`not a strace -f -o line: ${line}`);
  const tid = Number(m[1]), body = m[2]!;
  const exited = /^\+\+\+ exited with (\d+) \+\+\+$/.exec(body);
  if (exited) return il.exited(tid, Number(exited[1]));
  if (body.endsWith(' <unfinished ...>')) {
    const text = body.slice(0, -' <unfinished ...>'.length);
    return il.enter(tid, { nr: -1, name: /^([a-z0-9_]+)\(/.exec(text)![1]!, text });
  }
  const done = /^(.*?\)) +(= .*)$/.exec(body);
  if (!done) throw new Error(`cannot split ${body}`);
  const resumed = /^<\.\.\. ([a-z0-9_]+) resumed>(.*)$/.exec(done[1]!);
  if (resumed) return il.exit(tid, { rest: resumed[2]!, ret: done[2]! });
  const head = done[1]!;
  il.enter(tid, { nr: -1, name: /^([a-z0-9_]+)\(/.exec(head)![1]!, text: head.slice(0, -1) });
  il.exit(tid, { rest: ')', ret: done[2]! });
}

describe.skipIf(missing.length > 0)(`interleaving against strace -f${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  it('replays a threaded program\'s strace -f log line for line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-threads-'));
    try {
      const bin = join(dir, 'threads'), log = join(dir, 'log.txt');
      execFileSync('gcc', ['-O2', '-pthread', '-o', bin, join(ROOT, 'test/fixtures/strace-threads.c')]);
      execFileSync('strace', ['-f', '-o', log, '-e', 'trace=pipe2,read,write,nanosleep,futex,exit', bin]);
      const want = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
      expect(want.some((l) => l.endsWith(' <unfinished ...>'))).toBe(true);
      expect(want.some((l) => / <\.\.\. read resumed>/.test(l))).toBe(true);
      const got: string[] = [];
      const il = createInterleaver({ write: (l) => got.push(l), prefix: 'pid' });
      for (const l of want) replay(il, l);
      il.flush();
      expect(got).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('interleaver with the formatter', () => {
  // Guest memory: a timespec {0, 100000000} at 0x1000, a read buffer at 0x2000, "ping" at 0x3000.
  const mem = new Uint8Array(0x4000);
  const dv = new DataView(mem.buffer);
  dv.setBigInt64(0x1008, 100000000n, true);
  mem.set(new TextEncoder().encode('ping'), 0x3000);
  const f = createFormatter({ abi, read: (a, n) => (a + n <= mem.length ? mem.slice(a, a + n) : null) });
  const N = abi.names;

  it('splits calls where strace does, as strace -f -o prints them', () => {
    const out: string[] = [];
    const il = createInterleaver({ write: (l) => out.push(l) });
    const sleep = f.enter(N.nanosleep, [0x1000, 0]);
    il.enter(100, sleep);
    const read = f.enter(N.read, [3, 0x2000, 16]);
    il.enter(101, read);
    il.exit(100, f.finish(sleep, 0));
    const write = f.enter(N.write, [4, 0x3000, 4]);
    il.enter(100, write);
    il.exit(100, f.finish(write, 4));
    mem.set(new TextEncoder().encode('ping'), 0x2000); // what read() wrote
    il.exit(101, f.finish(read, 4));
    il.exited(101, 0);
    expect(out).toEqual([
      '100   nanosleep({tv_sec=0, tv_nsec=100000000},  <unfinished ...>',
      '101   read(3,  <unfinished ...>',
      '100   <... nanosleep resumed>NULL)      = 0',
      '100   write(4, "ping", 4)               = 4',
      '101   <... read resumed>"ping", 16)     = 4',
      '101   +++ exited with 0 +++',
    ]);
  });

  it('bracket prefixes only while two threads are alive, as on stderr', () => {
    const out: string[] = [];
    const il = createInterleaver({ write: (l) => out.push(l), prefix: 'bracket' });
    const one = f.enter(N.getpid, []);
    il.enter(7, one);
    il.exit(7, f.finish(one, 7));
    il.attached(8);
    const two = f.enter(N.gettid, []);
    il.enter(8, two);
    il.exit(8, f.finish(two, 8));
    il.exited(8, 0);
    const three = f.enter(N.getpid, []);
    il.enter(7, three);
    il.exit(7, f.finish(three, 7));
    expect(out).toEqual([
      `getpid()${' '.repeat(32)}= 7`,
      `[pid     8] gettid()${' '.repeat(20)}= 8`,
      '[pid     8] +++ exited with 0 +++',
      `getpid()${' '.repeat(32)}= 7`,
    ]);
  });
});
