// The OCI runtime-spec's arch tokens (libseccomp's SCMP_ARCH_* names) and the
// systab ABI each stands for, with the seccomp_data.arch value (AUDIT_ARCH_*)
// where it differs from the ABI's default in arch.ts (the little-endian MIPS
// and powerpc64le kernels). Tokens from the runtime-spec's config-linux.md and
// libseccomp's seccomp.h; SCMP_ARCH_S390 (31-bit) has no systab ABI.
import { AUDIT_ARCH_LE, seccompArchs } from './arch.js';

export interface OciArch {
  /** The systab ABI id. */
  id: string;
  /** seccomp_data.arch for this token. */
  arch: number;
  bigEndian: boolean;
}

const le = (id: string): OciArch => ({ id, arch: (seccompArchs[id]!.arch | AUDIT_ARCH_LE) >>> 0, bigEndian: false });
const same = (id: string): OciArch => ({ id, ...seccompArchs[id]! });

/** Every arch token systab maps to an ABI. */
export const ociArchs: Readonly<Record<string, OciArch>> = {
  SCMP_ARCH_X86: same('linux-i386'),
  SCMP_ARCH_X86_64: same('linux-x86_64'),
  SCMP_ARCH_X32: same('linux-x32'),
  SCMP_ARCH_ARM: same('linux-arm'),
  SCMP_ARCH_AARCH64: same('linux-arm64'),
  SCMP_ARCH_MIPS: same('linux-mipso32'),
  SCMP_ARCH_MIPS64: same('linux-mips64'),
  SCMP_ARCH_MIPS64N32: same('linux-mips64n32'),
  SCMP_ARCH_MIPSEL: le('linux-mipso32'),
  SCMP_ARCH_MIPSEL64: le('linux-mips64'),
  SCMP_ARCH_MIPSEL64N32: le('linux-mips64n32'),
  SCMP_ARCH_PPC: same('linux-powerpc'),
  SCMP_ARCH_PPC64: same('linux-powerpc64'),
  SCMP_ARCH_PPC64LE: le('linux-powerpc64'),
  SCMP_ARCH_S390X: same('linux-s390x'),
  SCMP_ARCH_PARISC: same('linux-parisc'),
  SCMP_ARCH_PARISC64: same('linux-parisc64'),
  SCMP_ARCH_RISCV64: same('linux-riscv64'),
  SCMP_ARCH_LOONGARCH64: same('linux-loongarch64'),
  SCMP_ARCH_M68K: same('linux-m68k'),
  SCMP_ARCH_SH: same('linux-sh'),
  SCMP_ARCH_SHEB: { id: 'linux-sh', arch: 42, bigEndian: true },
};

/** Tokens the spec names that systab has no ABI for: accepted in `architectures`, never compiled. */
export const ociArchsWithoutAbi: readonly string[] = ['SCMP_ARCH_S390'];

/**
 * The names Docker's includes/excludes `arches` use for an ABI: Go's GOARCH
 * (Docker compares them with runtime.GOARCH), plus the spellings moby's
 * profile writes for the x86 family ("x86", "x32").
 */
export function dockerArchNames(id: string, arch: number): string[] {
  const little = (arch & AUDIT_ARCH_LE) !== 0;
  switch (id) {
    case 'linux-x86_64': return ['amd64'];
    case 'linux-i386': return ['386', 'x86'];
    case 'linux-x32': return ['x32'];
    case 'linux-arm64': return ['arm64'];
    case 'linux-arm': return ['arm'];
    case 'linux-powerpc64': return [little ? 'ppc64le' : 'ppc64'];
    case 'linux-powerpc': return ['ppc'];
    case 'linux-mips64': return [little ? 'mips64le' : 'mips64'];
    case 'linux-mipso32': return [little ? 'mipsle' : 'mips'];
    case 'linux-mips64n32': return [little ? 'mips64n32le' : 'mips64n32'];
    case 'linux-loongarch64': return ['loong64'];
    default: return [id.replace(/^linux-/, '')];
  }
}

/**
 * libseccomp's multiplexed calls (src/syscalls.c of 2.5.4): on the ABIs
 * that have socketcall and ipc (its arch-*.c with abi_rule_add), a rule on
 * a socket or IPC call also becomes a rule on the multiplexer, its first
 * argument the sub-call number (SYS_* of include/uapi/linux/net.h, the IPC
 * calls of include/uapi/linux/ipc.h) in place of any comparison on it.
 */
export const MUXED_ABIS: ReadonlySet<string> = new Set(['linux-i386', 'linux-s390x', 'linux-powerpc', 'linux-powerpc64', 'linux-mipso32']);
export const MUXED_CALLS: Readonly<Record<string, readonly [mux: 'socketcall' | 'ipc', sub: number]>> = {
  socket: ['socketcall', 1], bind: ['socketcall', 2], connect: ['socketcall', 3], listen: ['socketcall', 4], accept: ['socketcall', 5],
  getsockname: ['socketcall', 6], getpeername: ['socketcall', 7], socketpair: ['socketcall', 8], send: ['socketcall', 9], recv: ['socketcall', 10],
  sendto: ['socketcall', 11], recvfrom: ['socketcall', 12], shutdown: ['socketcall', 13], setsockopt: ['socketcall', 14], getsockopt: ['socketcall', 15],
  sendmsg: ['socketcall', 16], recvmsg: ['socketcall', 17], accept4: ['socketcall', 18], recvmmsg: ['socketcall', 19], sendmmsg: ['socketcall', 20],
  semop: ['ipc', 1], semget: ['ipc', 2], semctl: ['ipc', 3], semtimedop: ['ipc', 4], msgsnd: ['ipc', 11], msgrcv: ['ipc', 12], msgget: ['ipc', 13],
  msgctl: ['ipc', 14], shmat: ['ipc', 21], shmdt: ['ipc', 22], shmget: ['ipc', 23], shmctl: ['ipc', 24],
};
