import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 --dispatch=switch', () => {
  it('runs the same handlers through a plain switch with the same output, and refuses --trace', async () => {
    await ensureBundle();
    for (const fixture of ['hello', 'fileio', 'enosys']) {
      const bin = compileFixture(fixture);
      const a = spawnSync(process.execPath, [BUNDLE, bin], { env: GUEST_ENV, encoding: 'utf8' });
      const b = spawnSync(process.execPath, [BUNDLE, '--dispatch=switch', bin], { env: GUEST_ENV, encoding: 'utf8' });
      expect([fixture, b.stdout, b.stderr, b.status]).toEqual([fixture, a.stdout, a.stderr, a.status]);
    }
    const t = spawnSync(process.execPath, [BUNDLE, '--dispatch=switch', '--trace', compileFixture('hello')], { encoding: 'utf8' });
    expect(t.status).toBe(2);
    expect(t.stderr).toBe('rv64: tracing and --stats need systab (--dispatch=systab)\n');
  }, TIMEOUT);
});
