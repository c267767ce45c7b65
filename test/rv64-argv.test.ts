import { describe, expect, it } from 'vitest';
import { GUEST_ENV } from '../examples/rv64/test/harness.js';
import { both, TIMEOUT } from './helpers/rv64.js';

const envLines = (out: string) => out.split('\n').filter((l) => l.startsWith('env '));
const otherLines = (out: string) => out.split('\n').filter((l) => !l.startsWith('env '));

describe('rv64 fixture argv', () => {
  it('argv and envp reach main(): same as qemu (environment order aside, see README)', async () => {
    const { emu, qemu } = await both('argv', ['first', 'two words', '', '--flag=x']);
    expect(emu.stderr).toBe('');
    expect(otherLines(emu.stdout)).toEqual(otherLines(qemu.stdout));
    // qemu-user hands the environment over in reverse order; Linux and the emulator keep the caller's order.
    expect(envLines(emu.stdout).sort()).toEqual(envLines(qemu.stdout).sort());
    const rv64Env = Object.entries(GUEST_ENV).filter(([k]) => k.startsWith('RV64_')).map(([k, v]) => `env ${k}=${v}`);
    expect(envLines(emu.stdout)).toEqual(rv64Env);
    expect(emu.stdout).toContain('argc=5\nargv[1]=first\nargv[2]=two words\nargv[3]=\nargv[4]=--flag=x\n');
    expect(emu.status).toBe(5);
    expect(emu.status).toBe(qemu.status);
    expect(emu.calls).toEqual(qemu.calls);
  }, TIMEOUT);
});
