// Compiled profiles in the Linux kernel of this machine: systab's program
// for x86_64, installed with seccomp(2) in a child (test/helpers/
// seccomp-harness.c), answers real calls as systab's engine says it does.
// A profile of our own on harmless calls that ignore their arguments (every
// rule a distinct errno, every operator, 64-bit values), and moby's
// profile on calls it refuses or allows (keyctl, unshare, mount, socket
// families, personality, clone3, ptrace by kernel version).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../src/seccomp/compile.js';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { programBytes } from '../src/seccomp/program.js';
import { abi } from '../src/abi/linux-x86_64.js';
import { HARMLESS, kernelAgrees, kernelUnavailable, runInKernel, type KernelCall } from './helpers/seccomp-kernel.js';
import { EDGE, edges } from './helpers/seccomp-profile.js';

const why = kernelUnavailable();
const moby = JSON.parse(readFileSync(new URL('../data/seccomp/moby-default.json', import.meta.url), 'utf8'));
const a = (index: number, op: string, value: bigint | number, valueTwo?: bigint | number) => ({ index, op: `SCMP_CMP_${op}`, value, ...(valueTwo !== undefined ? { valueTwo } : {}) });
const OWN = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [
    { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 11, args: [a(0, 'EQ', 5)] },
    { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 12, args: [a(0, 'GT', 0x100000000n)] },
    { names: ['getpgrp'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [a(1, 'MASKED_EQ', 0xff00ff00n, 0x12003400n)] },
    { names: ['getuid'], action: 'SCMP_ACT_ERRNO', errnoRet: 14 },
    { names: ['getgid'], action: 'SCMP_ACT_ERRNO', errnoRet: 15, args: [a(0, 'LT', 7), a(2, 'GE', 0xffffffff00000000n)] },
    { names: ['geteuid'], action: 'SCMP_ACT_ERRNO', errnoRet: 16, args: [a(0, 'NE', 3)] },
    { names: ['getegid'], action: 'SCMP_ACT_ERRNO', errnoRet: 17, args: [a(5, 'LE', 0x9_00000009n)] },
    { names: ['sched_yield'], action: 'SCMP_ACT_TRAP', args: [a(0, 'EQ', 1)] },
    { names: ['gettid'], action: 'SCMP_ACT_KILL_PROCESS', args: [a(3, 'EQ', 0xdeadn)] },
    { names: ['getpid'], action: 'SCMP_ACT_TRACE', errnoRet: 9, args: [a(4, 'MASKED_EQ', 0x1_00000000n, 0x1_00000000n)] },
  ],
};
// x86_64 numbers moby is about (arch/x86/entry/syscalls/syscall_64.tbl).
const NR = { socket: 41, clone3: 435, keyctl: 250, unshare: 272, mount: 165, personality: 135, ptrace: 101, getppid: 110, uname: 63 };

function check(program: ReturnType<typeof compileProfile>, calls: KernelCall[]): string[] {
  const bytes = programBytes(program, 0);
  const { ip, results } = runInKernel([{ filters: [bytes], calls }]);
  const r = results[0]!;
  expect(r.failed).toBe(-1);
  const e = createSeccompEngine();
  const f = e.install([bytes], { abis: [{ id: abi.id, base: abi.base, count: abi.count }] });
  const bad: string[] = [];
  calls.forEach((c, i) => {
    const action = e.evaluate(f, { nr: c.nr, ip, args: c.args });
    if (!kernelAgrees(action, r.calls[i]!)) bad.push(`nr ${c.nr} args ${c.args.map((v) => v.toString(16))}: systab 0x${action.toString(16)}, the kernel ${r.calls[i]}`);
  });
  return bad.concat(r.calls.length === calls.length ? [] : ['calls missing']).concat(r.calls.map((l) => l.split(' ')[0]!).includes('R') ? [] : ['no call returned']);
}

describe.skipIf(why !== undefined)(`compiled profiles in the kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  it('a profile of our own: every operator, 64-bit values, TRAP, KILL_PROCESS, TRACE, the x32 bit', () => {
    const program = compileProfile(OWN, { abi });
    const calls: KernelCall[] = [];
    const values = [...new Set([...EDGE, ...OWN.syscalls.flatMap((s) => (s.args ?? []).flatMap((x) => edges(x.op === 'SCMP_CMP_MASKED_EQ' ? 7 : 4, BigInt(x.value), BigInt(x.valueTwo ?? 0))))])];
    for (const nr of Object.values(HARMLESS)) for (let i = 0; i < 6; i++) for (const v of values) calls.push({ nr, args: Array.from({ length: 6 }, (_, j) => (j === i ? v : j === 2 ? 0xffffffff00000000n : 0n)) });
    // An x32 number on an x86_64-only filter: libseccomp's bad arch (KILL_THREAD), the kernel kills.
    calls.push({ nr: 0x40000000 | HARMLESS.getppid, args: [] });
    const bad = check(program, calls);
    expect(bad.slice(0, 5)).toEqual([]);
    console.log(`own profile: ${calls.length} calls agree with the kernel (${program.length} instructions)`);
  });

  for (const kernel of ['6.1', '4.0']) {
    it(`moby's profile (kernel ${kernel}): refused calls answer EPERM, allowed ones run`, () => {
      const program = compileProfile(moby, { abi, kernel });
      const calls: KernelCall[] = [
        { nr: NR.keyctl, args: [0x9999n] }, { nr: NR.unshare, args: [0n] }, { nr: NR.mount, args: [0n, 0n, 0n, 0n, 0n] },
        ...[1n, 2n, 37n, 38n, 39n, 40n, 41n, 0x100000001n].map((d) => ({ nr: NR.socket, args: [d, 0x7fffn, 0n] })), // a bad type: allowed families answer EINVAL, not an fd
        { nr: NR.personality, args: [0xffffffffn] }, { nr: NR.personality, args: [0x1ffffffffn] },
        { nr: NR.clone3, args: [0n, 0n] }, { nr: NR.ptrace, args: [0x9999n] }, { nr: NR.getppid, args: [] }, { nr: NR.uname, args: [0n] },
      ];
      const bad = check(program, calls);
      expect(bad).toEqual([]);
      const { results } = runInKernel([{ filters: [programBytes(program, 0)], calls: [calls[0]!, calls[2]!, { nr: NR.ptrace, args: [0x9999n] }] }]);
      expect(results[0]!.calls.slice(0, 2)).toEqual([expect.stringMatching(/^R -1 /), expect.stringMatching(/^R -1 /)]); // keyctl, mount: -EPERM
      expect(results[0]!.calls[2]!.startsWith('R -1 ')).toBe(kernel === '4.0'); // ptrace needs 4.8
    });
  }
});
