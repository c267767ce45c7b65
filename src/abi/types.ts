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

/** A numbering plus an errno convention. */
export interface Abi {
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
  /** Call name -> number (absolute, base included). */
  names: Record<string, number>;
  /** Errno name -> value ('ENOSYS' -> 38; WASI: 'nosys' -> 52 and the 'ENOSYS' alias). */
  errno: Record<string, number>;
  /** What a missing call returns in this ABI's convention (-38 on x86_64, 52 on WASI). */
  enosys: number;
  /** WASI only: core WebAssembly types per function. */
  signatures?: Record<string, AbiSignature>;
}
