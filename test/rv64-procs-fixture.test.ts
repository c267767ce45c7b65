// fork, waitpid, pipe, dup2, execve, kill and SIGPIPE made explicitly by a C
// fixture (fixtures/procs.c), and fork from a thread (fixtures/procs-threads.c),
// against qemu-riscv64; a parent that exits
// before its child (the orphan's output still arrives); 100 short-lived
// processes on a few recycled workers; -f over processes; table.verify()
// after each run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, ensureDebs } from '../examples/rv64/test/busybox.js';
import { compileFixture, ensureBundle, TIMEOUT } from '../examples/rv64/test/harness.js';
import { QEMU, runSide } from '../examples/rv64/test/procs.js';

const dirs: string[] = [];
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'rv64-procs-fx-')); dirs.push(d); return d; };
let bin = '';

beforeAll(async () => {
  ensureDebs();
  await ensureBundle();
  bin = compileFixture('procs');
}, TIMEOUT);
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe.concurrent('processes: a C fixture and adversarial cases', () => {
  it('fork/waitpid/pipe/dup2/execve/kill/SIGPIPE, shared offsets, CLOEXEC, execve errors: the same as qemu-riscv64', async () => {
    const dir = fresh();
    // qemu re-runs the fixture through a wrapper; the emulator through /proc/self/exe (the default).
    const wrap = join(dir, 'again');
    writeFileSync(wrap, `#!/bin/sh\nexec ${QEMU} ${bin} "$@"\n`, { mode: 0o755 });
    const qemu = await runSide('qemu', dir, bin, [wrap]);
    const emu = await runSide('emu', dir, bin, []);
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.stdout).toContain('exec\'d child: exited 5');
    expect(emu.stdout).toContain('SIGPIPE: killed by 13');
    expect(emu.stdout).toContain('30 children: sum 435');
    expect(emu.stderr).toBe('');
    expect(emu.code).toBe(qemu.code);
  }, TIMEOUT);

  it('fork from a second thread of a threaded process (the child has that thread and a copy of the memory), while main reads the pipe; a child with threads of its own', async () => {
    const dir = fresh();
    const pt = compileFixture('procs-threads');
    const qemu = await runSide('qemu', dir, pt, []);
    const emu = await runSide('emu', dir, pt, []);
    expect(emu.stdout).toBe('thread: child exited 4\nmain read: child of a thread: shared 42\nmain: shared 41\nthreads in a child: counter 3000, sum 3\nthreaded child exited 9; parent counter 0\n');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.code).toBe(0);
  }, TIMEOUT);

  it('a parent that exits before its child: the orphan runs on and its output arrives', async () => {
    const dir = fresh();
    const qemu = await runSide('qemu', dir, bin, ['orphan']);
    const emu = await runSide('emu', dir, bin, ['orphan']);
    expect(emu.stdout).toBe('parent: exits before its child\norphan: still running after its parent\n');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.code).toBe(0);
  }, TIMEOUT);

  it('-f traces every process: [pid N] lines, execve = 0, no line for a call that would block, +++ killed by SIGPIPE +++', async () => {
    const dir = fresh();
    const out = join(dir, 'trace.txt');
    const emu = await runSide('emu', dir, BUSYBOX, ['sh', '-c', 'echo hi | tr a-z A-Z; yes | head -1'], ['-f', '-o', out]);
    expect(emu.stdout).toBe('HI\ny\n');
    const lines = readFileSync(out, 'utf8').split('\n');
    const child = (re: RegExp) => lines.filter((l) => /^\[pid +\d+\] /.test(l) && re.test(l));
    expect(child(/execve\("\/proc\/self\/exe", \["tr", "a-z", "A-Z"\].*= 0$/)).toHaveLength(1);
    expect(child(/write\(1, "HI\\n", 3\) += 3$/)).toHaveLength(1);
    expect(child(/\+\+\+ killed by SIGPIPE \+\+\+/)).toHaveLength(1);
    expect(child(/\+\+\+ exited with 0 \+\+\+/).length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => /= -(8589934592|1099511627776|\d{10,})/.test(l))).toEqual([]); // no raw special answer
  }, TIMEOUT);

  it('100 short-lived processes in a loop run on recycled workers (a few, far below maxWorkers)', async () => {
    const dir = fresh();
    const script = 'i=0; s=0; while [ $i -lt 100 ]; do (exit 1); s=$((s+$?)); i=$((i+1)); done; echo $s';
    const qemu = await runSide('qemu', dir, BUSYBOX, ['sh', '-c', script]);
    const emu = await runSide('emu', dir, BUSYBOX, ['sh', '-c', script], ['--perf']);
    expect(emu.stdout).toBe('100\n');
    expect(emu.stdout).toBe(qemu.stdout);
    const m = /rv64: (\d+) processes forked, on (\d+) workers/.exec(emu.stderr);
    expect(m?.[1]).toBe('100');
    expect(Number(m?.[2])).toBeLessThanOrEqual(4);
  }, TIMEOUT);
});
