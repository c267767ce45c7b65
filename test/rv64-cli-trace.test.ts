import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 --trace', () => {
  it('prints one strace-like line per call on stderr, missing calls included', async () => {
    await ensureBundle();
    const r = spawnSync(process.execPath, [BUNDLE, '--trace', compileFixture('enosys')], { env: GUEST_ENV, encoding: 'utf8' });
    expect(r.status).toBe(38);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('brk(0) = 0x7d000');
    expect(lines).toContain('io_uring_setup(4, 0) = -1 errno=38');
    expect(lines.some((l) => l.startsWith('syscall_1999(1, 2, 3, ') && l.endsWith(' = -1 errno=38 (no handler)'))).toBe(true);
    expect(lines.find((l) => l.startsWith('readlinkat('))).toMatch(/^readlinkat\(-100, "\/proc\/self\/exe", 0x[0-9a-f]+, 4096\) = \d+$/);
    expect(lines.at(-1)).toBe('exit_group(38) = 0');
  }, TIMEOUT);
});
