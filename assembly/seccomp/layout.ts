// The memory layout of installed seccomp filters. Compiled by both
// AssemblyScript (dist/seccomp.wasm) and TypeScript (src/seccomp/), so it
// holds plain integer constants only. Offsets are in bytes from the start of
// a filter set; every field is a little-endian 32-bit word unless named.
//
// A filter set is one installed stack of filters plus its action cache. It is
// written once by install() in one thread, then published by storing S_MAGIC
// last (an atomic store); nothing in it changes afterwards, so any number of
// threads may read it with plain loads. Stacking another filter makes a new
// set (the old programs copied after the new one) that replaces the old as a
// whole: a reader sees the old stack or the new one, never a mix.
//
// The regions of a set, in order, each 8-byte aligned:
//   header        S_WORDS words (S_*)
//   directory     S_FILTERS records of D_WORDS words (D_*), newest filter first,
//                 the order in which the kernel runs them
//   sections      S_ABIS records of A_WORDS words (A_*): one per ABI the set
//                 answers for (arch value, byte order, cached number range)
//   programs      each filter's instructions, INSN_BYTES each, as the kernel's
//                 struct sock_filter on a little-endian host:
//                 u16 code at +0, u8 jt at +2, u8 jf at +3, u32 k at +4
//   caches        per section, A_COUNT words: cache[nr - A_BASE] is the action
//                 of the whole stack for that number when it is proven the same
//                 for every argument and instruction pointer, else NOT_CONST
//
// struct seccomp_data (DATA_BYTES, anywhere in memory, one per calling thread)
// is stored as the kernel's words read by a host-order load: nr at 0, arch at
// 4, instruction_pointer at 8, args[i] at 16 + 8 i. A 64-bit field is two
// words; little-endian ABIs put its low half first, big-endian ABIs (A_FLAGS
// bit FLAG_BIG_ENDIAN) its high half first, so a filter's load of offset
// 16 + 8 i + 4 sees the low half of args[i] there, as on that kernel.
//
// The prover's scratch (install only, the installing thread's own): one frame
// of FRAME_WORDS words (pc, known-mask, A, X, M[0..15]) per instruction of
// the longest program, plus one, then 12 bytes of proof per filter, then the
// memo of explored states: MEMO_PER_INSN entries of MEMO_BYTES per
// instruction of the longest program.

export const SET_MAGIC = 0x504d4353; // 'SCMP'
export const SET_VERSION = 1;

// Header words (byte offset = index * 4).
export const S_MAGIC = 0;
export const S_VERSION = 1;
export const S_BYTES = 2; // total bytes of the set
export const S_FILTERS = 3; // stacked filters, 1..
export const S_INSNS = 4; // instructions of all filters
export const S_ABIS = 5; // sections
export const S_DIR = 6; // byte offset of the directory
export const S_SECTIONS = 7; // byte offset of the sections
export const S_WORDS = 8;

// Directory record words.
export const D_INSNS = 0; // byte offset of the program from the set's start
export const D_LEN = 1; // instructions
export const D_WORDS = 2;

// Section record words.
export const A_ARCH = 0; // the AUDIT_ARCH_* value seccomp_data.arch carries
export const A_FLAGS = 1;
export const A_BASE = 2; // first cached number (0x40000000 on x32: __X32_SYSCALL_BIT)
export const A_COUNT = 3; // cached numbers
export const A_CACHE = 4; // byte offset of the cache from the set's start
export const A_WORDS = 6; // (one spare word keeps records 8-byte aligned)
export const FLAG_BIG_ENDIAN = 1;

export const INSN_BYTES = 8;
export const DATA_BYTES = 64; // sizeof(struct seccomp_data)

// The combination never yields ALLOW with data (ALLOW|data never beats the
// initial ALLOW), so this word can mean "not constant: run the programs".
export const NOT_CONST = 0x7fff0001;

// Kernel limits (include/uapi/linux/filter.h BPF_MAXINSNS, BPF_MEMWORDS;
// kernel/seccomp.c MAX_INSNS_PER_PATH = (1 << 18) / sizeof(struct sock_filter)
// and its 4-instruction penalty per filter already installed). The path
// limit counts each filter's eBPF translation (check.ts kernelLength), not
// its classic instructions: the kernel sums prog->len after migrating.
export const MAX_INSNS = 4096;
export const MEM_WORDS = 16;
export const MAX_INSNS_PER_PATH = 32768;
export const PATH_PENALTY = 4;

// Prover scratch.
export const FRAME_WORDS = 20;
export const MEMO_BYTES = 84;
export const MEMO_PER_INSN = 2;
export const PROVE_STEPS = 1 << 14; // per (filter, number); past it a number is not proven (bounds install: ~0.5 s for a 4096-instruction filter that reaches it on every number)

// Checker results: 0 when accepted, else (reason << 16) | instruction index.
export const R_LENGTH = 1; // 0 or more than 4096 instructions
export const R_OPCODE = 2; // not a classic BPF opcode (bpf_check_classic)
export const R_DIV_ZERO = 3; // BPF_DIV / BPF_MOD by a constant 0
export const R_SHIFT = 4; // BPF_LSH / BPF_RSH by a constant >= 32
export const R_MEM_INDEX = 5; // M[k] with k >= 16
export const R_JA_RANGE = 6; // BPF_JA past the end
export const R_JCOND_RANGE = 7; // jt or jf past the end
export const R_NO_RET = 8; // the last instruction is not a return
export const R_MEM_UNSET = 9; // M[k] read on a path that may not have written it
export const R_SECCOMP_OPCODE = 10; // classic BPF, but not allowed in seccomp (seccomp_check_filter)
export const R_SECCOMP_LOAD = 11; // seccomp_data load unaligned or at or past 64
