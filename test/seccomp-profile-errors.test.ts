// Bad profiles and bad options: a typed SystabError (EBADSPEC) whose message
// names the field and says what was meant, for every JS value in every
// field; and nothing installed on a table (verify() after, and the table
// takes a good profile next).
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { compileProfile, filterProfile } from 'systab/seccomp/oci';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as arm } from 'systab/abi/linux-arm';
import { abi as armoabi } from 'systab/abi/linux-armoabi';
import { abi as wasi } from 'systab/abi/wasi-preview1';

const good = () => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, valueTwo: 0, op: 'SCMP_CMP_EQ' }], includes: { caps: ['CAP_SYS_ADMIN'] }, excludes: {} }],
});

function refused(run: () => unknown): SystabError {
  try {
    run();
  } catch (e) {
    if (e instanceof SystabError) return e;
    throw e;
  }
  throw new Error('not refused');
}

const ACTIONS = 'SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY';
const OPS = 'SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ';
type P = ReturnType<typeof good> & Record<string, unknown>;
const edit = (f: (p: P) => void): P => {
  const p = good() as P;
  f(p);
  return p;
};
const e0 = (p: P) => p.syscalls[0]! as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('compileProfile refuses a bad profile, naming the field', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 'moby', 'seccomp profile: the profile must be an object (the linux.seccomp of an OCI config, or a Docker profile) (got "moby")'],
    ['an array', [], 'seccomp profile: the profile must be an object (the linux.seccomp of an OCI config, or a Docker profile) (got array)'],
    ['an unknown field', edit((p) => (p.defaultActoin = 'x')), 'seccomp profile: the profile has no field "defaultActoin" (it takes defaultAction, defaultErrnoRet, architectures, archMap, syscalls, flags, listenerPath, listenerMetadata)'],
    ['no defaultAction', edit((p) => delete (p as Partial<P>).defaultAction), `seccomp profile: defaultAction is undefined, not an action (${ACTIONS})`],
    ['an unknown action', edit((p) => (p.defaultAction = 'SCMP_ACT_DENY')), `seccomp profile: defaultAction is "SCMP_ACT_DENY", not an action (${ACTIONS})`],
    ['defaultErrnoRet on ALLOW', edit((p) => (p.defaultAction = 'SCMP_ACT_ALLOW')), 'seccomp profile: defaultErrnoRet is given for SCMP_ACT_ALLOW, which returns no errno (the spec: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)'],
    ['a negative errno', edit((p) => (p.defaultErrnoRet = -1)), 'seccomp profile: defaultErrnoRet must be an errno from 0 to 4094 (libseccomp takes those below MAX_ERRNO, 4095) (got -1)'],
    ['an errno of MAX_ERRNO', edit((p) => (e0(p).action = 'SCMP_ACT_ERRNO', e0(p).errnoRet = 4095)), 'seccomp profile: syscalls[0].errnoRet must be an errno from 0 to 4094 (libseccomp takes those below MAX_ERRNO, 4095) (got 4095)'],
    ['TRACE data past 16 bits', edit((p) => (e0(p).action = 'SCMP_ACT_TRACE', e0(p).errnoRet = 65536)), "seccomp profile: syscalls[0].errnoRet must be an errno from 0 to 65535, the action's 16 data bits (got 65536)"],
    ['an errno as a string', edit((p) => (e0(p).action = 'SCMP_ACT_TRACE', e0(p).errnoRet = '1')), 'seccomp profile: syscalls[0].errnoRet must be an errno from 0 to 65535, the action\'s 16 data bits (got "1")'],
    ['errnoRet on KILL', edit((p) => (e0(p).action = 'SCMP_ACT_KILL', e0(p).errnoRet = 1)), 'seccomp profile: syscalls[0].errnoRet is given for SCMP_ACT_KILL, which returns no errno (the spec: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)'],
    ['an unknown arch', edit((p) => (p.architectures = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'])), 'seccomp profile: architectures[1] is "SCMP_ARCH_VAX", not an arch token (SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_SH, SCMP_ARCH_SHEB, SCMP_ARCH_S390)'],
    ['archMap and architectures', edit((p) => (p.archMap = [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }])), 'seccomp profile: archMap and architectures are both given; Docker takes one or the other'],
    ['syscalls not an array', edit((p) => (p.syscalls = {} as never)), 'seccomp profile: syscalls must be an array of { names, action, args? } (got object)'],
    ['a null entry', edit((p) => (p.syscalls = [null as never])), 'seccomp profile: syscalls[0] must be an object { names, action, errnoRet?, args?, includes?, excludes? } (got null)'],
    ['no names', edit((p) => delete e0(p).names), 'seccomp profile: syscalls[0] has no "names" (the calls it is about)'],
    ['names a string', edit((p) => (e0(p).names = 'read')), 'seccomp profile: syscalls[0].names must be an array of non-empty strings (got "read")'],
    ['name and names', edit((p) => (e0(p).name = 'read')), 'seccomp profile: syscalls[0] has both "names" and "name"; give one (Docker: "name" is the old spelling of a one-name "names")'],
    ['args not an array', edit((p) => (e0(p).args = { index: 0 })), 'seccomp profile: syscalls[0].args must be an array of { index, value, valueTwo?, op } (got object)'],
    ['index 6', edit((p) => (e0(p).args[0].index = 6)), 'seccomp profile: syscalls[0].args[0].index must be an argument index from 0 to 5 (got 6)'],
    ['an unknown op', edit((p) => (e0(p).args[0].op = 'SCMP_CMP_MASKED_NE')), `seccomp profile: syscalls[0].args[0].op is "SCMP_CMP_MASKED_NE", not an operator (${OPS})`],
    ['no value', edit((p) => delete e0(p).args[0].value), 'seccomp profile: syscalls[0].args[0].value is missing (the value compared with, or the mask of SCMP_CMP_MASKED_EQ)'],
    ['a negative value', edit((p) => (e0(p).args[0].value = -1)), 'seccomp profile: syscalls[0].args[0].value must be an unsigned 64-bit integer (a number or a BigInt; got -1)'],
    ['a rounded value', edit((p) => (e0(p).args[0].valueTwo = JSON.parse('18446744073709551615'))), 'seccomp profile: syscalls[0].args[0].valueTwo is 18446744073709552000, above 2^53: JSON.parse has rounded it; give the profile this value as a BigInt'],
    ['a value past 64 bits', edit((p) => (e0(p).args[0].value = 1n << 64n)), 'seccomp profile: syscalls[0].args[0].value must be an unsigned 64-bit integer (a number or a BigInt; got 18446744073709551616n)'],
    ['caps a string', edit((p) => (e0(p).includes.caps = 'CAP_SYS_ADMIN')), 'seccomp profile: syscalls[0].includes.caps must be an array of non-empty strings (got "CAP_SYS_ADMIN")'],
    ['a bad minKernel', edit((p) => (e0(p).excludes = { minKernel: '4' })), 'seccomp profile: syscalls[0].excludes.minKernel must be a kernel version "major.minor" such as "4.8" (got "4")'],
    ['an unknown filter field', edit((p) => (e0(p).includes = { kernel: '4.8' })), 'seccomp profile: syscalls[0].includes has no field "kernel" (it takes arches, caps, minKernel)'],
    ['an unknown flag', edit((p) => (p.flags = ['SECCOMP_FILTER_FLAG_TSYNC', 'TSYNC'])), 'seccomp profile: flags[1] is "TSYNC", not a seccomp() flag (SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)'],
  ];
  for (const [name, profile, message] of cases) {
    it(name, () => {
      const e = refused(() => compileProfile(profile, { abi }));
      expect([e.code, e.message]).toEqual(['EBADSPEC', message]);
    });
  }

  it('every JS value in every field: EBADSPEC or a program, never another error', () => {
    const values: unknown[] = [undefined, null, true, 0, -1, 1.5, NaN, Infinity, 2 ** 60, 1n, -1n, '', 'x', 'SCMP_ACT_ALLOW', [], [1], ['x'], {}, () => 0, Symbol('s'), new Date(0), Object.create(null)];
    const paths: ((p: P, v: unknown) => void)[] = [
      (p, v) => (p.defaultAction = v as string), (p, v) => (p.defaultErrnoRet = v as number), (p, v) => (p.architectures = v as string[]), (p, v) => (p.archMap = v), (p, v) => (p.flags = v),
      (p, v) => (p.listenerPath = v), (p, v) => (p.syscalls = v as never), (p, v) => (p.syscalls = [v as never]), (p, v) => (e0(p).names = v), (p, v) => (e0(p).names = [v]), (p, v) => (e0(p).action = v),
      (p, v) => (e0(p).errnoRet = v), (p, v) => (e0(p).args = v), (p, v) => (e0(p).args = [v]), (p, v) => (e0(p).args[0].index = v), (p, v) => (e0(p).args[0].value = v), (p, v) => (e0(p).args[0].valueTwo = v),
      (p, v) => (e0(p).args[0].op = v), (p, v) => (e0(p).includes = v), (p, v) => (e0(p).includes.caps = v), (p, v) => (e0(p).includes.arches = [v]), (p, v) => (e0(p).excludes.minKernel = v), (p, v) => (e0(p).comment = v),
    ];
    let refusedCount = 0;
    for (const set of paths) {
      for (const v of values) {
        const p = good() as P;
        set(p, v);
        try {
          compileProfile(p, { abi });
        } catch (e) {
          expect(e).toBeInstanceOf(SystabError);
          expect((e as SystabError).code).toBe('EBADSPEC');
          expect((e as SystabError).message).toMatch(/^seccomp profile: /);
          refusedCount++;
        }
      }
    }
    expect(refusedCount).toBeGreaterThan(paths.length * values.length * 0.7);
  });
});

describe('compileProfile refuses bad options', () => {
  const cases: [string, unknown, string][] = [
    ['no options', undefined, 'compileProfile: options must be an object { abi, caps?, kernel? } (got undefined)'],
    ['no abi', {}, 'compileProfile: abi must be an Abi from systab/abi/<id> (with id and names; got undefined)'],
    ['WASI', { abi: wasi }, 'compileProfile: wasi-preview1 has no seccomp arch token (OCI profiles name Linux arches: SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...); filter it with programs of your own through filterTable()'],
    ['no ABI', { abi: [] }, 'compileProfile: abi is an empty array; give the ABI (or ABIs) the program answers for'],
    ['two ABIs of one arch', { abi: [arm, armoabi] }, 'compileProfile: linux-armoabi and linux-arm have the same seccomp_data.arch (0x40000028); a program tells them apart only for x86_64 and x32'],
    ['caps a string', { abi, caps: 'CAP_SYS_ADMIN' }, 'compileProfile: caps must be an array of capability names such as "CAP_SYS_ADMIN" (got "CAP_SYS_ADMIN")'],
    ['a bad kernel', { abi, kernel: 'six' }, 'compileProfile: kernel must be a version such as "6.1" or "6.1.0-13-amd64" (got "six")'],
    ['an unknown option', { abi, arch: 'amd64' }, 'compileProfile has no option "arch" (it takes abi, caps, kernel)'],
  ];
  for (const [name, options, message] of cases) {
    it(name, () => {
      const e = refused(() => compileProfile(good(), options as never));
      expect([e.code, e.message]).toEqual(['EBADSPEC', message]);
    });
  }
});

describe('filterProfile installs nothing on a refusal', () => {
  it('the table still calls its handlers, verifies, and takes a good profile next', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { read: () => 7, write: () => 9 } });
    for (const bad of [null, edit((p) => (e0(p).args[0].op = 'EQ')), edit((p) => (p.defaultAction = 'SCMP_ACT_NOPE'))]) {
      expect(() => filterProfile(t, bad)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
      expect([t.call(0), t.call(1)]).toEqual([7, 9]);
      t.verify();
    }
    expect(() => filterProfile(t, good(), { caps: 'x' } as never)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    expect(() => filterProfile(t, good(), { onTrap: 5 } as never)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    expect(() => filterProfile(t, good(), { kernel: '6.1', colour: 'red' } as never)).toThrow(expect.objectContaining({ code: 'EBADSPEC', message: 'filterTable() has no option "colour" (it takes onTrap, onKill, onNotify, onLog, ip)' }));
    t.verify();
    const f = filterProfile(t, good(), { caps: ['CAP_SYS_ADMIN'] });
    expect([t.call(0, 1), t.call(0, 2), t.call(1)]).toEqual([7, -1, -1]);
    f.close();
    t.verify();
  });
});
