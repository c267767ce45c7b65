import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 --stats', () => {
  it('prints calls per name and the missing calls from systab stats() at exit', async () => {
    await ensureBundle();
    const r = spawnSync(process.execPath, [BUNDLE, '--stats', compileFixture('enosys')], { env: GUEST_ENV, encoding: 'utf8' });
    expect(r.status).toBe(38);
    expect(r.stdout).toBe('io_uring_setup: -1 errno=ENOSYS\nsyscall 1999: -1 errno=ENOSYS\n');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('  calls  errors  name');
    expect(lines[1]).toBe('      5       0  brk');
    expect(lines).toContain('      1       0  exit_group');
    const at = lines.indexOf('missing (answered ENOSYS):');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '      1          io_uring_setup (425)',
      "      1          numbers outside the ABI's range",
    ]);
  }, TIMEOUT);
});
