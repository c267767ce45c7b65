import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 --trace', () => {
  it('prints one strace line per call on stderr, missing calls included', async () => {
    await ensureBundle();
    const r = spawnSync(process.execPath, [BUNDLE, '--trace', compileFixture('enosys')], { env: GUEST_ENV, encoding: 'utf8' });
    expect(r.status).toBe(38);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`brk(NULL)${' '.repeat(31)}= 0x7d000`);
    // No decoder for io_uring_setup: hex arguments, as many as the kernel takes.
    expect(lines).toContain(`io_uring_setup(0x4, 0)${' '.repeat(18)}= -1 ENOSYS (Function not implemented)`);
    // A number outside the ABI: strace's name for it and all six arguments.
    expect(lines.some((l) => l.startsWith('syscall_0x7cf(0x1, 0x2, 0x3, ') && l.endsWith(' = -1 ENOSYS (Function not implemented)'))).toBe(true);
    expect(lines.find((l) => l.startsWith('readlinkat('))).toMatch(/^readlinkat\(AT_FDCWD, "\/proc\/self\/exe", "[^"]+"(\.\.\.)?, 4096\) += \d+$/);
    expect(lines.at(-2)).toBe(`exit_group(38)${' '.repeat(26)}= ?`);
    expect(lines.at(-1)).toBe('+++ exited with 38 +++');
  }, TIMEOUT);
});
