// Which ABIs a profile is for: profileAbiIds() as Docker and runc choose
// them (archMap's subArchitectures of the native arch, or `architectures`,
// the native one always in); big-endian ABIs (their arguments' low half at
// +4); Linux ABIs libseccomp has no token for (compiled the same way);
// arch overrides (ppc64le).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSeccompEngine, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD } from 'systab/seccomp';
import { compileProfile, ociArchs, profileAbiIds } from 'systab/seccomp/oci';
import { abi as s390x } from 'systab/abi/linux-s390x';
import { abi as sparc64 } from 'systab/abi/linux-sparc64';
import { abi as ppc64 } from 'systab/abi/linux-powerpc64';

const moby = JSON.parse(readFileSync(new URL('../data/seccomp/moby-default.json', import.meta.url), 'utf8'));
const EPERM = (SECCOMP_RET_ERRNO | 1) >>> 0;

describe('profileAbiIds', () => {
  it("moby's archMap: the native arch and its subArchitectures", () => {
    expect(profileAbiIds(moby, 'linux-x86_64')).toEqual(['linux-x86_64', 'linux-i386', 'linux-x32']);
    expect(profileAbiIds(moby, 'linux-arm64')).toEqual(['linux-arm64', 'linux-arm']);
    expect(profileAbiIds(moby, 'linux-riscv64')).toEqual(['linux-riscv64']);
    expect(profileAbiIds(moby, 'linux-s390x')).toEqual(['linux-s390x']); // SCMP_ARCH_S390 has no systab ABI
    expect(profileAbiIds(moby, 'linux-sparc64')).toEqual(['linux-sparc64']); // not in the map: the native one only
  });
  it('architectures: the native one first, always', () => {
    const p = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] };
    expect(profileAbiIds(p, 'linux-x86_64')).toEqual(['linux-x86_64', 'linux-i386', 'linux-x32']);
    expect(profileAbiIds({ defaultAction: 'SCMP_ACT_ALLOW' }, 'linux-arm')).toEqual(['linux-arm']);
    expect(() => profileAbiIds({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, 'linux-arm')).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
  });
  it('every token names an ABI systab has', () => {
    for (const [token, a] of Object.entries(ociArchs)) expect(a.id, token).toMatch(/^linux-/);
  });
});

function evaluate(abi: { id: string; base: number; count: number; names: Record<string, number>; arch?: number; bigEndian?: boolean }, program: ReturnType<typeof compileProfile>) {
  const e = createSeccompEngine();
  const f = e.install([program], { abis: [{ id: abi.id, base: abi.base, count: abi.count, ...(abi.arch !== undefined ? { arch: abi.arch, bigEndian: abi.bigEndian! } : {}) }] });
  return (name: string, args: (number | bigint)[] = [], arch?: number) => e.evaluate(f, { nr: abi.names[name]!, args, ...(arch !== undefined ? { arch } : {}) });
}

describe("moby's profile beyond libseccomp's reach", () => {
  it('s390x (big-endian, 64-bit): personality compares both halves where the kernel puts them', () => {
    const ev = evaluate(s390x, compileProfile(moby, { abi: s390x }));
    expect([ev('read'), ev('mount'), ev('personality', [0xffffffff]), ev('personality', [0x1ffffffffn]), ev('personality', [8])]).toEqual([SECCOMP_RET_ALLOW, EPERM, SECCOMP_RET_ALLOW, EPERM, SECCOMP_RET_ALLOW]);
    expect(ev('s390_runtime_instr')).toBe(SECCOMP_RET_ALLOW); // includes.arches s390x
  });
  it('sparc64, which libseccomp has no token for, compiles the same way', () => {
    const ev = evaluate(sparc64, compileProfile(moby, { abi: sparc64 }));
    expect([ev('read'), ev('mount'), ev('personality', [0x20008]), ev('personality', [0x20009])]).toEqual([SECCOMP_RET_ALLOW, EPERM, SECCOMP_RET_ALLOW, EPERM]);
    expect(ev('read', [], 0xc000003e)).toBe(SECCOMP_RET_KILL_THREAD); // a foreign arch
  });
  it('ppc64le: the ABI with the little-endian arch value and byte order', () => {
    const le = { ...ppc64, arch: ociArchs.SCMP_ARCH_PPC64LE!.arch, bigEndian: false };
    const ev = evaluate(le, compileProfile(moby, { abi: le }));
    expect([ev('read'), ev('sync_file_range2'), ev('personality', [0x1ffffffffn])]).toEqual([SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW, EPERM]); // includes.arches ppc64le
    expect(ev('read', [], 0x80000015)).toBe(SECCOMP_RET_KILL_THREAD); // big-endian ppc64 is another arch
  });
});
