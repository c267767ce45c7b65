// Installs seccomp filter stacks in a memory and evaluates calls against
// them. The layout of an installed set is assembly/seccomp/layout.ts; the
// engine owns a region of the memory (its allocator, its seccomp_data and
// M[] scratch) and is its one writer. JS reads a proven number's action
// straight from the cache; other numbers run the programs in seccomp.wasm.
import * as L from '../../assembly/seccomp/layout.js';
import { SystabError } from '../errors.js';
import { Arena } from './arena.js';
import { seccompArchs } from './arch.js';
import { programBytes, refusal, type SeccompProgram } from './program.js';
import { instantiate, type SeccompExports } from './wasm.js';

/** An ABI a filter set answers for: an `Abi` from `systab/abi/<id>` fits. */
export interface SeccompAbiSpec {
  id: string;
  /** The cached number range: the ABI's main range. */
  base: number;
  count: number;
  /** seccomp_data.arch; default: the table in arch.ts for `id`. */
  arch?: number;
  /** The kernel's byte order; default: the table in arch.ts for `id`. */
  bigEndian?: boolean;
}

export interface InstallOptions {
  /** The ABIs the set answers for (the first is the default of evaluate()); default: those of `on`. */
  abis?: readonly SeccompAbiSpec[];
  /** Stack the programs on an installed set (it stays installed: release it when no thread reads it). */
  on?: SeccompFilters;
  /** Programs (bytes, oldest first) installed below `programs` as they are, not checked again: what a thread's chain is stacked on (another set's programs). */
  under?: readonly Uint8Array[];
}

export interface SeccompSection {
  readonly id: string;
  readonly arch: number;
  readonly bigEndian: boolean;
  readonly base: number;
  readonly count: number;
  /** Byte offset of its cache in the memory. */
  readonly cacheAt: number;
}

/** An installed stack: immutable; `at` is what a table publishes. */
export interface SeccompFilters {
  /** Byte offset of the set in the memory. */
  readonly at: number;
  readonly bytes: number;
  /** The programs, oldest first (the kernel runs the newest first). */
  readonly programs: readonly Uint8Array[];
  readonly sections: readonly SeccompSection[];
}

/** One call as seccomp sees it. */
export interface SeccompData {
  nr: number;
  /** Which of the set's ABIs (its id); default the first. */
  abi?: string;
  /** seccomp_data.arch; default the ABI's. */
  arch?: number;
  /** instruction_pointer; default 0. */
  ip?: number | bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  args?: readonly (number | bigint)[];
}

export interface SeccompEngineOptions {
  /** The memory to work in (shared or not); default a new unshared one that grows as needed. */
  memory?: WebAssembly.Memory;
  /** Start of the engine's region (a multiple of 8); default 0. */
  base?: number;
  /** Size of the region; default the rest of the memory (an engine's own memory grows). */
  bytes?: number;
}

const PAGE = 65536;
const SCRATCH_AT = 0; // the engine's seccomp_data, then M[] (64 bytes each)

export class SeccompEngine {
  readonly memory: WebAssembly.Memory;
  private readonly wasm: SeccompExports;
  private readonly arena: Arena;
  private readonly dataAt: number;
  private readonly memAt: number;
  private u32: Uint32Array;
  /** The sets this engine installed and has not released: their section index by ABI id. */
  private readonly live = new WeakMap<SeccompFilters, Map<string, number>>();
  /** The last set evaluate() saw, and its first section's cache fields: the hot path reads only these. */
  private lastSet: SeccompFilters | undefined;
  private lastWord = 0;
  private lastBase = 0;
  private lastCount = 0;
  private lastArch = 0;

  constructor(options: SeccompEngineOptions = {}) {
    const own = options.memory === undefined;
    this.memory = options.memory ?? new WebAssembly.Memory({ initial: 8, maximum: 16384 });
    const base = options.base ?? 0;
    const size = this.memory.buffer.byteLength;
    const end = options.bytes === undefined ? size : base + options.bytes;
    if (!Number.isInteger(base) || base < 0 || base % 8 !== 0 || !Number.isInteger(end) || end > size || end - base < 2 * L.DATA_BYTES) {
      throw new SystabError('EBADSPEC', `createSeccompEngine: base ${String(options.base)} and bytes ${String(options.bytes)} are not a region of the memory (${size} bytes) that is 8-byte aligned and holds at least ${2 * L.DATA_BYTES} bytes`);
    }
    this.wasm = instantiate(this.memory);
    this.dataAt = base + SCRATCH_AT;
    this.memAt = this.dataAt + L.DATA_BYTES;
    const grow =
      own && options.bytes === undefined
        ? (bytes: number): number => {
            this.memory.grow(Math.ceil(bytes / PAGE));
            this.u32 = new Uint32Array(this.memory.buffer);
            return this.memory.buffer.byteLength;
          }
        : undefined;
    this.arena = new Arena(this.memAt + L.DATA_BYTES, end, grow);
    this.u32 = new Uint32Array(this.memory.buffer);
  }

  /**
   * Checks and installs `programs` (in installation order: the last is the
   * newest and runs first), on top of `options.on` if given, and proves the
   * action cache of every ABI. Throws EINVAL or ENOMEM as the kernel's
   * seccomp() would, naming the filter (its index in `programs`) and the
   * instruction; then nothing is installed.
   */
  install(programs: readonly SeccompProgram[], options: InstallOptions = {}): SeccompFilters {
    if (!Array.isArray(programs) || programs.length === 0) {
      throw new SystabError('EBADSPEC', 'seccomp: install() takes a non-empty array of programs (each an array of { code, jt, jf, k } or their bytes)');
    }
    const fresh = Array.from({ length: programs.length }, (_, i) => programBytes(programs[i]!, i)); // a hole is refused by its index, not skipped
    const below = options.on?.programs ?? options.under ?? [];
    const all = [...below, ...fresh];
    const specs = options.abis ?? options.on?.sections;
    if (specs === undefined || !Array.isArray(specs) || specs.length === 0) {
      throw new SystabError('EBADSPEC', 'seccomp: install() needs options.abis, the ABIs the filters answer for (an Abi from systab/abi/<id>, or { id, base, count, arch?, bigEndian? })');
    }
    const sections = Array.from(specs, (s: SeccompAbiSpec) => this.section(s));
    const insns = all.reduce((n, p) => n + p.length / L.INSN_BYTES, 0);
    const dirAt = L.S_WORDS * 4;
    const secAt = dirAt + all.length * L.D_WORDS * 4;
    let at = secAt + sections.length * L.A_WORDS * 4;
    const progAt: number[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      progAt[i] = at;
      at += all[i]!.length;
    }
    const cacheAt: number[] = sections.map((s) => {
      const c = at;
      at += (s.count * 4 + 7) & ~7;
      return c;
    });
    // The prover's frames: at most one pending per jump of the longest program, plus one.
    const longest = all.reduce((n, p) => Math.max(n, p.length / L.INSN_BYTES), 0);
    const frameBytes = (longest + 1) * L.FRAME_WORDS * 4;
    const memoCap = L.MEMO_PER_INSN * longest + 16;
    const memoAt = frameBytes + ((all.length * 12 + 7) & ~7);
    const scratchBytes = Math.max(memoAt + memoCap * L.MEMO_BYTES, 2 * longest);
    const set = this.arena.alloc(at, 'a filter set');
    let scratch = -1;
    try {
      this.view();
      const b = new Uint8Array(this.memory.buffer);
      b.fill(0, set, set + at);
      // Programs first, checked where they will run (the checker's masks in the scratch).
      scratch = this.arena.alloc(scratchBytes, 'the prover scratch');
      let path = 0;
      all.forEach((p, i) => {
        const b8 = new Uint8Array(this.memory.buffer);
        b8.set(p, set + progAt[i]!);
        const len = p.length / L.INSN_BYTES;
        const fresh = i >= below.length;
        if (fresh) {
          const r = this.wasm.check(set + progAt[i]!, len, scratch);
          if (r !== 0) throw refusal(r, i - below.length, p);
        }
        const counted = this.wasm.length(set + progAt[i]!, len);
        if (fresh && counted + path > L.MAX_INSNS_PER_PATH) {
          throw new SystabError('ENOMEM', `seccomp: filter ${i - below.length} (${len} instructions, ${counted} in the kernel's translation) would make the stack ${counted + path} instructions with the kernel's penalty of ${L.PATH_PENALTY} per filter below it; the kernel's limit is ${L.MAX_INSNS_PER_PATH} (MAX_INSNS_PER_PATH, its errno ENOMEM)`);
        }
        path += counted + L.PATH_PENALTY;
      });
      const w = this.view();
      const s = set >>> 2;
      w[s + L.S_VERSION] = L.SET_VERSION;
      w[s + L.S_BYTES] = at;
      w[s + L.S_FILTERS] = all.length;
      w[s + L.S_INSNS] = insns;
      w[s + L.S_ABIS] = sections.length;
      w[s + L.S_DIR] = dirAt;
      w[s + L.S_SECTIONS] = secAt;
      for (let f = 0; f < all.length; f++) {
        const i = all.length - 1 - f; // newest first
        const d = s + dirAt / 4 + f * L.D_WORDS;
        w[d + L.D_INSNS] = progAt[i]!;
        w[d + L.D_LEN] = all[i]!.length / L.INSN_BYTES;
      }
      sections.forEach((sec, i) => {
        const r = s + secAt / 4 + i * L.A_WORDS;
        w[r + L.A_ARCH] = sec.arch;
        w[r + L.A_FLAGS] = sec.bigEndian ? L.FLAG_BIG_ENDIAN : 0;
        w[r + L.A_BASE] = sec.base;
        w[r + L.A_COUNT] = sec.count;
        w[r + L.A_CACHE] = cacheAt[i]!;
        this.wasm.prepare(set, i, scratch, scratch + frameBytes, scratch + memoAt, memoCap);
      });
      this.wasm.publish(set);
    } catch (e) {
      this.arena.release(set, at);
      throw e;
    } finally {
      if (scratch >= 0) this.arena.release(scratch, scratchBytes);
    }
    const handle: SeccompFilters = Object.freeze({
      at: set,
      bytes: at,
      programs: Object.freeze(all.map((p) => p.slice())),
      sections: Object.freeze(sections.map((sec, i) => Object.freeze({ ...sec, cacheAt: set + cacheAt[i]! }))),
    });
    this.live.set(handle, new Map(sections.map((sec, i) => [sec.id, i])));
    return handle;
  }

  /** The stack's action for a call (a proven number: one read of the cache). */
  evaluate(f: SeccompFilters, data: SeccompData): number {
    const nr = data.nr;
    if (f !== this.lastSet || data.abi !== undefined || (nr !== (nr | 0) && nr !== nr >>> 0)) return this.evaluateSection(f, data);
    const n = (nr - this.lastBase) >>> 0;
    if (n < this.lastCount && (data.arch === undefined || data.arch >>> 0 === this.lastArch)) {
      const c = this.u32[this.lastWord + n];
      if (c !== undefined && c !== L.NOT_CONST) return c;
    }
    return this.evaluateSection(f, data);
  }

  private evaluateSection(f: SeccompFilters, data: SeccompData): number {
    checkNr(data?.nr);
    const i = this.sectionOf(f, data.abi);
    const sec = f.sections[i]!;
    if (i === 0) {
      this.lastSet = f;
      this.lastWord = sec.cacheAt >>> 2;
      this.lastBase = sec.base;
      this.lastCount = sec.count;
      this.lastArch = sec.arch;
    }
    const n = (data.nr - sec.base) >>> 0;
    if (n < sec.count && (data.arch === undefined || data.arch >>> 0 === sec.arch)) {
      const c = this.view()[(sec.cacheAt >>> 2) + n]!; // (view(): the memory may have grown)
      if (c !== L.NOT_CONST) return c;
    }
    this.write(sec, data);
    return this.wasm.evaluateUncached(f.at, this.dataAt, this.memAt) >>> 0;
  }

  /** The same, always running every program (tests compare the two). */
  evaluateUncached(f: SeccompFilters, data: SeccompData): number {
    checkNr(data?.nr);
    this.write(f.sections[this.sectionOf(f, data.abi)]!, data);
    return this.wasm.evaluateUncached(f.at, this.dataAt, this.memAt) >>> 0;
  }

  /** Whether the stack's action for `nr` is proven independent of the arguments and instruction pointer. */
  isConstant(f: SeccompFilters, nr: number, abi?: string): boolean {
    return this.cachedAction(f, nr, abi) !== undefined;
  }

  /** The proven action of `nr`, or undefined when its action depends on the arguments (or nr is outside the cache). */
  cachedAction(f: SeccompFilters, nr: number, abi?: string): number | undefined {
    const sec = f.sections[this.sectionOf(f, abi)]!;
    const n = (nr - sec.base) >>> 0;
    if (n >= sec.count) return undefined;
    const c = this.view()[(sec.cacheAt >>> 2) + n]!;
    return c === L.NOT_CONST ? undefined : c;
  }

  /** Frees a set's memory. Only when no thread can still be evaluating it. */
  release(f: SeccompFilters): void {
    if (!this.live.has(f)) throw new SystabError('ENOTLOADED', 'seccomp: release() of a filter set this engine did not install, or released already');
    this.live.delete(f);
    if (this.lastSet === f) this.lastSet = undefined;
    this.view()[f.at >>> 2] = 0;
    this.arena.release(f.at, f.bytes);
  }

  private view(): Uint32Array {
    // Not memory.buffer each time (60-90 ns a read): the view goes stale only when an unshared memory grows (it detaches),
    // and this engine's own growth refreshes it; a shared memory's growth leaves every byte of this engine's region in view.
    if (this.u32.byteLength === 0) this.u32 = new Uint32Array(this.memory.buffer);
    return this.u32;
  }

  private sectionOf(f: SeccompFilters, abi: string | undefined): number {
    const m = this.live.get(f);
    if (m === undefined) throw new SystabError('ENOTLOADED', 'seccomp: a filter set this engine did not install, or released');
    if (abi === undefined) return 0;
    const i = m.get(abi);
    if (i === undefined) throw new SystabError('EBADSPEC', `seccomp: the filter set answers for ${[...m.keys()].join(', ')}, not ${abi}`);
    return i;
  }

  private section(s: SeccompAbiSpec): Omit<SeccompSection, 'cacheAt'> {
    // Each field read once: a getter that changes between reads would get past the checks with one value and size the cache with another.
    const { id, base, count, arch: givenArch, bigEndian: givenBigEndian } = (s ?? {}) as Partial<SeccompAbiSpec>;
    const known = typeof id === 'string' ? seccompArchs[id] : undefined;
    const arch = givenArch ?? known?.arch;
    const bigEndian = givenBigEndian ?? known?.bigEndian;
    const okRange = Number.isInteger(base) && Number.isInteger(count) && base! >= 0 && count! >= 0 && count! <= 1 << 20 && base! + count! <= 2 ** 32;
    if (typeof id !== 'string' || arch === undefined || bigEndian === undefined || !okRange || !Number.isInteger(arch) || arch < -(2 ** 31) || arch >= 2 ** 32) {
      throw new SystabError('EBADSPEC', `seccomp: ABI ${typeof id === 'string' ? id : String(s)} needs an id, a number range { base, count } and, for an ABI systab does not know, its arch value and byte order ({ arch, bigEndian })`);
    }
    return { id, arch: arch >>> 0, bigEndian, base: base!, count: count! };
  }

  private write(sec: Omit<SeccompSection, 'cacheAt'>, data: SeccompData): void {
    const w = this.view();
    const d = this.dataAt >>> 2;
    w[d] = data.nr >>> 0;
    w[d + 1] = data.arch === undefined ? sec.arch : data.arch >>> 0;
    put(w, d + 2, data.ip ?? 0, sec.bigEndian);
    const args = data.args ?? [];
    for (let i = 0; i < 6; i++) put(w, d + 4 + 2 * i, args[i] ?? 0, sec.bigEndian);
  }
}

/** seccomp_data.nr is a 32-bit word: an integer from -2^31 to 2^32 - 1. */
function checkNr(nr: unknown): void {
  if (typeof nr !== 'number' || (nr !== (nr | 0) && nr !== nr >>> 0)) {
    throw new SystabError('EBADNR', `seccomp: call number ${typeof nr === 'bigint' ? `${nr}n` : String(nr)} is not an integer from -2^31 to 2^32 - 1 (seccomp_data.nr is a 32-bit word)`);
  }
}

/** A 64-bit seccomp_data field at word `at`, in the ABI's byte order (exact integers only: EBADARG otherwise). */
export function put(w: Uint32Array, at: number, v: number | bigint, bigEndian: boolean): void {
  let lo: number;
  let hi: number;
  if (typeof v !== 'bigint' && (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 63) || v >= 2 ** 64)) {
    throw new SystabError('EBADARG', `seccomp: argument ${typeof v === 'number' ? v : typeof v} is not a 64-bit integer (a number that is an integer, or a BigInt)`);
  }
  if (typeof v === 'bigint') {
    const u = BigInt.asUintN(64, v);
    lo = Number(u & 0xffffffffn);
    hi = Number(u >> 32n);
  } else {
    lo = v >>> 0;
    hi = Math.floor(v / 4294967296) >>> 0;
  }
  w[at + (bigEndian ? 1 : 0)] = lo;
  w[at + (bigEndian ? 0 : 1)] = hi;
}

export function createSeccompEngine(options?: SeccompEngineOptions): SeccompEngine {
  return new SeccompEngine(options);
}
