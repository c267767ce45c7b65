// dist/seccomp.wasm: seccomp's classic BPF for systab, apart from the core
// (a table that never filters never loads it). Runs over the memory it
// imports; layout.ts says where everything lives. Its globals (the prover's
// last result and memo epoch) serve install only: any instance may evaluate
// any published set.
import { checkProgram, kernelLength } from './check';
import { runProgram, runSet, evaluateSet } from './run';
import { fillCache } from './cache';
import { clearMemo, prove, provedConstant, provedValue, provedLowest } from './prove';
import * as L from './layout';

export { provedConstant, provedValue, provedLowest };

export function layoutVersion(): u32 {
  return L.SET_VERSION;
}

/** 0, or (reason << 16) | instruction index; `masks` is scratch for 2 * len bytes. */
export function check(prog: usize, len: u32, masks: usize): u32 {
  return checkProgram(prog, len, masks);
}

/** The instructions the kernel counts for a checked program (its eBPF translation's length). */
export function length(prog: usize, len: u32): u32 {
  return kernelLength(prog, len);
}

/** One program over the seccomp_data at `data`; `mem` holds its 16 scratch words. */
export function run(prog: usize, len: u32, data: usize, mem: usize): u32 {
  return runProgram(prog, len, data, mem);
}

/** Every filter of the set at `set`, combined, without the cache. */
export function evaluateUncached(set: usize, data: usize, mem: usize): u32 {
  return runSet(set, data, mem);
}

/** The set's action through section `sec`'s cache. */
export function evaluate(set: usize, sec: u32, data: usize, mem: usize): u32 {
  return evaluateSet(set, sec, data, mem);
}

/** One program's proof for one number (results through proved*()). */
export function proveOne(prog: usize, len: u32, nr: u32, arch: u32, scratch: usize, memo: usize, cap: u32): void {
  clearMemo(memo, cap);
  prove(prog, len, nr, arch, scratch, memo, cap);
}

/** Fills section `sec`'s cache; `scratch` holds (longest program + 1) frames, `proofs` 12 bytes per filter, `memo` `cap` entries of MEMO_BYTES. */
export function prepare(set: usize, sec: u32, scratch: usize, proofs: usize, memo: usize, cap: u32): void {
  fillCache(set, sec, scratch, proofs, memo, cap);
}

/** Publishes a written set: its magic word, stored last. */
export function publish(set: usize): void {
  atomic.store<u32>(set + (L.S_MAGIC << 2), L.SET_MAGIC);
}
