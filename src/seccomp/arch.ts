// What struct seccomp_data carries per systab ABI: `arch`, the AUDIT_ARCH_*
// value (include/uapi/linux/audit.h: an EM_* machine from elf-em.h, |
// __AUDIT_ARCH_64BIT 0x80000000, | __AUDIT_ARCH_LE 0x40000000, | the MIPS n32
// convention 0x20000000; Debian's linux-libc-dev 6.1), and the byte order of
// the kernel's words (big-endian ABIs put a 64-bit argument's low half at +4).
// test/seccomp-arch.test.ts compiles audit.h to check every value.
//
// Where one systab ABI stands for several kernels, the table names one and
// install() takes `arch` / `bigEndian` to say another:
// - linux-arc: ARCv2 little-endian (AUDIT_ARCH_ARCV2; ARCompact is EM_ARCOMPACT).
// - linux-powerpc64: big-endian AUDIT_ARCH_PPC64 (ppc64le is 0xc0000015).
// - linux-sh: little-endian AUDIT_ARCH_SHEL, as Debian's sh4.
// - linux-mips*: the big-endian values (mipsel: | 0x40000000).
// - linux-hexagon, linux-xtensa: little-endian kernels whose AUDIT_ARCH has no
//   LE bit (as audit.h defines them); linux-microblaze big-endian.
// - wasi-preview1 has no Linux arch: systab's own value SYSTAB_ARCH_WASI
//   ('WA' as a machine, LE, 32-bit), which no Linux filter tests for.

export interface SeccompArch {
  /** seccomp_data.arch. */
  arch: number;
  /** The kernel's byte order: a 64-bit argument's low half is at +4. */
  bigEndian: boolean;
}

export const AUDIT_ARCH_64BIT = 0x80000000;
export const AUDIT_ARCH_LE = 0x40000000;
export const AUDIT_ARCH_CONVENTION_MIPS64_N32 = 0x20000000;
/** systab's extension: seccomp_data.arch for wasi-preview1. */
export const SYSTAB_ARCH_WASI = 0x40005741;
/** x32 call numbers carry it (arch/x86/include/uapi/asm/unistd.h). */
export const X32_SYSCALL_BIT = 0x40000000;

const LE = AUDIT_ARCH_LE;
const B64 = AUDIT_ARCH_64BIT;
const le = (arch: number): SeccompArch => ({ arch: arch >>> 0, bigEndian: false });
const be = (arch: number): SeccompArch => ({ arch: arch >>> 0, bigEndian: true });

/** Per systab ABI id: EM_* machine numbers from include/uapi/linux/elf-em.h. */
export const seccompArchs: Readonly<Record<string, SeccompArch>> = {
  'linux-alpha': le(0x9026 | B64 | LE), // AUDIT_ARCH_ALPHA
  'linux-arc': le(195 | LE), // AUDIT_ARCH_ARCV2
  'linux-arm': le(40 | LE), // AUDIT_ARCH_ARM
  'linux-arm64': le(183 | B64 | LE), // AUDIT_ARCH_AARCH64
  'linux-armoabi': le(40 | LE), // AUDIT_ARCH_ARM
  'linux-csky': le(252 | LE), // AUDIT_ARCH_CSKY
  'linux-hexagon': le(164), // AUDIT_ARCH_HEXAGON
  'linux-i386': le(3 | LE), // AUDIT_ARCH_I386
  'linux-loongarch32': le(258 | LE), // AUDIT_ARCH_LOONGARCH32
  'linux-loongarch64': le(258 | B64 | LE), // AUDIT_ARCH_LOONGARCH64
  'linux-m68k': be(4), // AUDIT_ARCH_M68K
  'linux-microblaze': be(189), // AUDIT_ARCH_MICROBLAZE
  'linux-mips64': be(8 | B64), // AUDIT_ARCH_MIPS64
  'linux-mips64n32': be(8 | B64 | AUDIT_ARCH_CONVENTION_MIPS64_N32), // AUDIT_ARCH_MIPS64N32
  'linux-mipso32': be(8), // AUDIT_ARCH_MIPS
  'linux-nios2': le(113 | LE), // AUDIT_ARCH_NIOS2
  'linux-openrisc': be(92), // AUDIT_ARCH_OPENRISC
  'linux-parisc': be(15), // AUDIT_ARCH_PARISC
  'linux-parisc64': be(15 | B64), // AUDIT_ARCH_PARISC64
  'linux-powerpc': be(20), // AUDIT_ARCH_PPC
  'linux-powerpc64': be(21 | B64), // AUDIT_ARCH_PPC64
  'linux-riscv32': le(243 | LE), // AUDIT_ARCH_RISCV32
  'linux-riscv64': le(243 | B64 | LE), // AUDIT_ARCH_RISCV64
  'linux-s390x': be(22 | B64), // AUDIT_ARCH_S390X
  'linux-sh': le(42 | LE), // AUDIT_ARCH_SHEL
  'linux-sparc': be(2), // AUDIT_ARCH_SPARC
  'linux-sparc64': be(43 | B64), // AUDIT_ARCH_SPARC64
  'linux-x32': le(62 | B64 | LE), // AUDIT_ARCH_X86_64 (numbers carry X32_SYSCALL_BIT)
  'linux-x86_64': le(62 | B64 | LE), // AUDIT_ARCH_X86_64
  'linux-xtensa': le(94), // AUDIT_ARCH_XTENSA
  'wasi-preview1': le(SYSTAB_ARCH_WASI),
};

/** The names audit.h gives the values above (for the header check). */
export const auditArchNames: Readonly<Record<string, string>> = {
  'linux-alpha': 'AUDIT_ARCH_ALPHA', 'linux-arc': 'AUDIT_ARCH_ARCV2', 'linux-arm': 'AUDIT_ARCH_ARM',
  'linux-arm64': 'AUDIT_ARCH_AARCH64', 'linux-armoabi': 'AUDIT_ARCH_ARM', 'linux-csky': 'AUDIT_ARCH_CSKY',
  'linux-hexagon': 'AUDIT_ARCH_HEXAGON', 'linux-i386': 'AUDIT_ARCH_I386', 'linux-loongarch32': 'AUDIT_ARCH_LOONGARCH32',
  'linux-loongarch64': 'AUDIT_ARCH_LOONGARCH64', 'linux-m68k': 'AUDIT_ARCH_M68K', 'linux-microblaze': 'AUDIT_ARCH_MICROBLAZE',
  'linux-mips64': 'AUDIT_ARCH_MIPS64', 'linux-mips64n32': 'AUDIT_ARCH_MIPS64N32', 'linux-mipso32': 'AUDIT_ARCH_MIPS',
  'linux-nios2': 'AUDIT_ARCH_NIOS2', 'linux-openrisc': 'AUDIT_ARCH_OPENRISC', 'linux-parisc': 'AUDIT_ARCH_PARISC',
  'linux-parisc64': 'AUDIT_ARCH_PARISC64', 'linux-powerpc': 'AUDIT_ARCH_PPC', 'linux-powerpc64': 'AUDIT_ARCH_PPC64',
  'linux-riscv32': 'AUDIT_ARCH_RISCV32', 'linux-riscv64': 'AUDIT_ARCH_RISCV64', 'linux-s390x': 'AUDIT_ARCH_S390X',
  'linux-sh': 'AUDIT_ARCH_SHEL', 'linux-sparc': 'AUDIT_ARCH_SPARC', 'linux-sparc64': 'AUDIT_ARCH_SPARC64',
  'linux-x32': 'AUDIT_ARCH_X86_64', 'linux-x86_64': 'AUDIT_ARCH_X86_64', 'linux-xtensa': 'AUDIT_ARCH_XTENSA',
};
