import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE, compileFixture, ensureBundle, GUEST_ENV, TIMEOUT } from '../examples/rv64/test/harness.js';

describe('rv64 fixture getpid-loop', () => {
  it('one million getpid calls through systab: same stdout and exit code as qemu', async () => {
    await ensureBundle();
    const bin = compileFixture('getpid-loop');
    const emu = spawnSync(process.execPath, [BUNDLE, bin], { env: GUEST_ENV, encoding: 'utf8' });
    const qemu = spawnSync('qemu-riscv64', [bin], { env: GUEST_ENV, encoding: 'utf8' });
    expect(emu.stderr).toBe('');
    expect(emu.stdout).toBe('1000000 calls, same pid: yes\n');
    expect(emu.stdout).toBe(qemu.stdout);
    expect(emu.status).toBe(qemu.status);
  }, TIMEOUT);
});
