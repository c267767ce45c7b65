// A thread's view of filter sets another thread installed in a shared
// memory: it holds no handle, only the set's byte offset (what a table will
// publish), and reads everything else from the set itself. Its seccomp_data
// and M[] (DATA_BYTES each) are its own, at `scratchAt`.
import * as L from '../../assembly/seccomp/layout.js';
import { SystabError } from '../errors.js';
import { instantiate, type SeccompExports } from './wasm.js';
import { put } from './engine.js';

export interface SeccompCall {
  nr: number;
  /** Index of the set's section (its ABIs in install() order); default 0. */
  section?: number;
  /** seccomp_data.arch; default the section's. */
  arch?: number;
  ip?: number | bigint;
  args?: readonly (number | bigint)[];
}

export class SeccompReader {
  private readonly wasm: SeccompExports;
  private u32: Uint32Array;
  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly scratchAt: number,
  ) {
    if (!Number.isInteger(scratchAt) || scratchAt < 0 || scratchAt % 8 !== 0 || scratchAt + 2 * L.DATA_BYTES > memory.buffer.byteLength) {
      throw new SystabError('EBADSPEC', `attachSeccomp: scratchAt ${String(scratchAt)} is not an 8-byte aligned offset with ${2 * L.DATA_BYTES} bytes of this thread's own after it`);
    }
    this.wasm = instantiate(memory);
    this.u32 = new Uint32Array(memory.buffer);
  }

  /** The action of the set at byte offset `set` for a call (its cache first). */
  evaluate(set: number, call: SeccompCall): number {
    const w = this.view(set);
    const s = set >>> 2;
    const sec = call.section ?? 0;
    if (!Number.isInteger(sec) || sec < 0 || sec >= w[s + L.S_ABIS]!) {
      throw new SystabError('EBADSPEC', `seccomp: the filter set at ${set} has ${w[s + L.S_ABIS]} sections, not ${String(call.section)}`);
    }
    const r = s + w[s + L.S_SECTIONS]! / 4 + sec * L.A_WORDS;
    const d = this.scratchAt >>> 2;
    const nr = call.nr;
    if (typeof nr !== 'number' || (nr !== (nr | 0) && nr !== nr >>> 0)) throw new SystabError('EBADNR', `seccomp: call number ${String(nr)} is not an integer from -2^31 to 2^32 - 1`);
    w[d] = nr >>> 0;
    w[d + 1] = call.arch === undefined ? w[r + L.A_ARCH]! : call.arch >>> 0;
    const be = (w[r + L.A_FLAGS]! & L.FLAG_BIG_ENDIAN) !== 0;
    put(w, d + 2, call.ip ?? 0, be);
    for (let i = 0; i < 6; i++) put(w, d + 4 + 2 * i, call.args?.[i] ?? 0, be);
    return this.wasm.evaluate(set, sec, this.scratchAt, this.scratchAt + L.DATA_BYTES) >>> 0;
  }

  /** The proven action of `nr` in the set's first section, or undefined where it depends on the arguments. */
  cachedAction(set: number, nr: number): number | undefined {
    const w = this.view(set);
    const s = set >>> 2;
    const r = s + w[s + L.S_SECTIONS]! / 4;
    const n = (nr - w[r + L.A_BASE]!) >>> 0;
    if (n >= w[r + L.A_COUNT]!) return undefined;
    const c = w[s + w[r + L.A_CACHE]! / 4 + n]!;
    return c === L.NOT_CONST ? undefined : c;
  }

  /** The set's programs as struct sock_filter bytes, oldest first (what a thread's own chain stacks on). */
  programsOf(set: number): Uint8Array[] {
    const w = this.view(set);
    const s = set >>> 2;
    const dir = s + w[s + L.S_DIR]! / 4;
    const out: Uint8Array[] = [];
    for (let f = w[s + L.S_FILTERS]! - 1; f >= 0; f--) {
      const at = set + w[dir + f * L.D_WORDS + L.D_INSNS]!;
      out.push(new Uint8Array(w.buffer, at, w[dir + f * L.D_WORDS + L.D_LEN]! * L.INSN_BYTES).slice());
    }
    return out;
  }

  private view(set: number): Uint32Array {
    // Not memory.buffer each time (60-90 ns a read): only a detached view, or a set beyond it (the memory grew), needs a new one.
    if (this.u32.byteLength === 0 || set + L.S_WORDS * 4 > this.u32.byteLength) this.u32 = new Uint32Array(this.memory.buffer);
    const w = this.u32;
    if (!Number.isInteger(set) || set < 0 || set % 8 !== 0 || set + L.S_WORDS * 4 > w.byteLength || Atomics.load(w, set >>> 2) !== L.SET_MAGIC || w[(set >>> 2) + L.S_VERSION] !== L.SET_VERSION) {
      throw new SystabError('EATTACH', `seccomp: no published filter set (magic 'SCMP', version ${L.SET_VERSION}) at byte ${String(set)} of the memory`);
    }
    return w;
  }
}

/** Another thread's reader of the sets in `memory`; `scratchAt` is 128 bytes only this thread uses. */
export function attachSeccomp(memory: WebAssembly.Memory, scratchAt: number): SeccompReader {
  return new SeccompReader(memory, scratchAt);
}
