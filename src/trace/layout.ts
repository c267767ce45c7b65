// What the decoders need to know of an ABI beyond its numbering: word size,
// byte order, the xlat values to use, and where struct fields sit. Only
// the ABIs listed here are decoded; every other ABI prints raw arguments.
import type { XlatArch } from './xlat.js';

export interface Layout {
  arch: XlatArch;
  word: 4 | 8;
  little: boolean;
  /** struct stat: size and the offsets of st_mode (u32), st_rdev (u64), st_size (i64). */
  stat: { bytes: number; mode: number; rdev: number; size: number };
  /** The kernel's struct sigaction: size, sa_mask's offset, sa_restorer's when the ABI has one. */
  sigaction: { bytes: number; mask: number; restorer?: number };
}

/** Offsets from the uapi headers: arch/x86/include/uapi/asm/stat.h, include/uapi/asm-generic/stat.h, asm/signal.h. */
export const LAYOUTS: Record<string, Layout> = {
  'linux-x86_64': {
    arch: 'x86_64', word: 8, little: true,
    stat: { bytes: 144, mode: 24, rdev: 40, size: 48 },
    sigaction: { bytes: 32, mask: 24, restorer: 16 },
  },
  'linux-riscv64': {
    arch: 'riscv64', word: 8, little: true,
    stat: { bytes: 128, mode: 16, rdev: 32, size: 48 },
    sigaction: { bytes: 24, mask: 16 },
  },
};

/** Word size and byte order of ABIs whose calls print raw (no struct or flag decoding). */
export const RAW_WORD: Record<string, 4 | 8> = {
  'linux-i386': 4, 'linux-arm': 4, 'linux-armoabi': 4, 'linux-mipso32': 4, 'linux-mips64n32': 4, 'linux-x32': 8,
  'linux-powerpc': 4, 'linux-sparc': 4, 'linux-parisc': 4, 'linux-m68k': 4, 'linux-sh': 4, 'linux-riscv32': 4,
  'linux-arc': 4, 'linux-csky': 4, 'linux-hexagon': 4, 'linux-microblaze': 4, 'linux-nios2': 4, 'linux-openrisc': 4,
  'linux-xtensa': 4, 'linux-loongarch32': 4, 'wasi-preview1': 4,
};
