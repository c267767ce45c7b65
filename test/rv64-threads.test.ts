// Guest threads (pthreads, static glibc) on workers sharing one systab
// table, against qemu-riscv64: the same stdout and exit code. Call order
// across threads is not deterministic, so call names are not compared; the
// emulator's own table is checked (--verify: table.verify() once every
// worker has ended) after each run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, runEmulator, runQemu, TIMEOUT } from '../examples/rv64/test/harness.js';

async function both(fixture: string) {
  await ensureBundle();
  const bin = compileFixture(fixture);
  return { emu: runEmulator(bin, [], ['--verify']), qemu: runQemu(bin, [], abi.names) };
}

function verified(stderr: string): void {
  expect(stderr).toContain('rv64: table verified');
  expect(stderr.replace('rv64: table verified\n', '')).not.toContain('rv64:');
}

describe('rv64 guest threads', () => {
  it('4 threads increment a counter under a mutex; pthread_join results; thread-local storage', async () => {
    const { emu, qemu } = await both('threads-mutex');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.stdout).toContain('counter 80000 (expected 80000)');
    expect(emu.status).toBe(qemu.status);
    expect(emu.status).toBe(0);
    expect(emu.calls.filter((c) => c === 'clone')).toHaveLength(4); // the leader's calls are traced
    verified(emu.stderr);
  }, TIMEOUT);

  it('AMOs and LR/SC loops from 4 threads at once lose no update (32- and 64-bit)', async () => {
    const { emu, qemu } = await both('threads-atomics');
    expect(emu.stdout).toBe('add32 200000 add64 600000 cas32 400000 cas64 30d4000030d40 max64 199999 bits f\n');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(0);
    verified(emu.stderr);
  }, TIMEOUT);

  it('a condition variable ping-pong between two threads', async () => {
    const { emu, qemu } = await both('threads-condvar');
    expect(emu.stdout).toBe('pings 2000 pongs 2000\n');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    verified(emu.stderr);
  }, TIMEOUT);

  it('timed waits (absolute CLOCK_REALTIME and CLOCK_MONOTONIC futex timeouts) and a robust mutex whose owner died', async () => {
    const { emu, qemu } = await both('threads-timed');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.stdout).toContain('robust mutex after its owner died: EOWNERDEAD');
    expect(emu.stdout).not.toContain('other');
    expect(emu.status).toBe(qemu.status);
    verified(emu.stderr);
  }, TIMEOUT);

  it('signal handlers: raise() with SA_SIGINFO on the alternate stack, the mask, pthread_kill to a thread spinning without calls', async () => {
    const { emu, qemu } = await both('signals');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.stdout).not.toContain(': no');
    expect(emu.status).toBe(qemu.status);
    verified(emu.stderr);
  }, TIMEOUT);

  it('a detached thread, gettid, pthread_kill(t, 0), affinity, 40 short-lived threads', async () => {
    const { emu, qemu } = await both('threads-misc');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.stdout).toContain('sum of 40 squares from 40 threads: 20540');
    expect(emu.status).toBe(qemu.status);
    verified(emu.stderr);
  }, TIMEOUT);

  it('exit() from a thread while main waits in pthread_join and another sleeps: the process ends with its code', async () => {
    const { emu, qemu } = await both('threads-exit');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.status).toBe(7);
    verified(emu.stderr);
  }, TIMEOUT);

  it('main calls pthread_exit: the process lives until its last thread ends', async () => {
    const { emu, qemu } = await both('threads-leader-exit');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
    expect(emu.status).toBe(0);
    verified(emu.stderr);
  }, TIMEOUT);

  it('exit while threads are mid-call (carried to the leader) and short threads come and go', async () => {
    const { emu, qemu } = await both('threads-race');
    expect(emu.status).toBe(qemu.status);
    expect(emu.status).toBe(3);
    // How many lines the callers write before the end is timing; each is whole.
    for (const out of [emu.stdout, qemu.stdout]) expect(out).toMatch(/^(caller [0-2]\n)*$/);
    verified(emu.stderr);
  }, TIMEOUT);

  it('-f: every thread\'s calls are traced, other threads\' lines after [pid TID]', async () => {
    await ensureBundle();
    const bin = compileFixture('threads-mutex');
    const dir = mkdtempSync(join(tmpdir(), 'rv64-f-'));
    try {
      const r = spawnSync(process.execPath, [BUNDLE, '-f', '-o', join(dir, 'trace'), bin], { cwd: dir, env: GUEST_ENV, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const lines = readFileSync(join(dir, 'trace'), 'utf8').split('\n').filter((l) => l !== '');
      const clones = lines.filter((l) => l.startsWith('clone(')).map((l) => Number(/= (\d+)$/.exec(l)![1]));
      expect(clones).toHaveLength(4);
      for (const tid of clones) {
        const own = lines.filter((l) => l.startsWith(`[pid ${String(tid).padStart(5)}] `));
        expect(own.some((l) => l.includes('set_robust_list('))).toBe(true);
        expect(own.at(-2)).toMatch(/exit\(0\) += \?$/);
        expect(own.at(-1)).toMatch(/\+\+\+ exited with 0 \+\+\+$/);
      }
      expect(lines.at(-1)).toBe('+++ exited with 0 +++');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);
});
