// The shape of every generated ABI module (src/abi/<id>.ts). Hand-written;
// scripts/gen-abi.mjs writes the modules that conform to it.

/** A contiguous run of call numbers, `base` to `base + count - 1`. */
export interface AbiRange {
  base: number;
  count: number;
}

/** Core WebAssembly value types of one WASI function after witx lowering. */
export interface AbiSignature {
  params: string[];
  results: string[];
}

/**
 * A numbering plus an errno convention. `N` is the union of its call names:
 * each generated ABI module exports `abi: Abi<CallName>`, so a table made
 * from it knows its calls (a typo in a handler's name does not compile).
 * A hand-made ABI is `Abi` (any string).
 */
export interface Abi<N extends string = string> {
  /** 'linux-x86_64', 'linux-riscv64', ..., 'wasi-preview1'. */
  id: string;
  /** Linux returns -errno ('negative'); WASI returns the errno itself ('positive'). */
  convention: 'negative' | 'positive';
  /** Lowest number of the main dense range. */
  base: number;
  /** Slots in the main range (highest number in it - base + 1). */
  count: number;
  /** Further dense ranges far from the main one (ARM private calls at 0x0f0000). */
  extra: AbiRange[];
  /** Call name -> number (absolute, base included). Any string indexes it, as before names had types. */
  names: Record<N, number> & Record<string, number>;
  /**
   * Numbers Linux reserves and never implements (getpmsg and putpmsg, the
   * STREAMS calls, on every ABI that has them; afs_syscall, tuxcall, ...),
   * ascending; each is the number of a name in `names`, so it can be
   * reserved and loaded by name. Generated ABIs have it where Debian
   * packages the architecture's uapi headers (WASI: empty); absent means
   * not known.
   */
  unimplemented?: number[];
  /** Errno name -> value ('ENOSYS' -> 38; WASI: 'nosys' -> 52 and the 'ENOSYS' alias). */
  errno: Record<string, number>;
  /** What a missing call returns in this ABI's convention (-38 on x86_64, 52 on WASI). */
  enosys: number;
  /** WASI only: core WebAssembly types per function. */
  signatures?: Record<string, AbiSignature>;
  /**
   * Generated ABIs: every call name of every generated ABI and which ABIs
   * have it, encoded (see scripts/gen-abi.mjs), so that an ENONAME error can
   * say where a name exists. Not part of the numbering.
   */
  callIndex?: string;
}

/** The call names of an ABI type: `CallName` of a generated one, the union for a union of them, `string` for a hand-made one. */
export type CallNameOf<A> = A extends Abi<infer N> ? N : string;

/** A call of an ABI whose call names are `N`: one of its names, or a number. */
export type CallKey<N extends string = string> = N | number;
