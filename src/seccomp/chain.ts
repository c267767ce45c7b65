// A thread's own chain of filters (the kernel's per-thread filters): stacked
// on the table-wide set, which the thread still obeys. Installed in this
// thread's own engine twice: alone (which slots it switches, PR_THREAD) and
// over the table-wide set's programs (the prover over the whole chain: one
// cache read for a proven number, however many filters either part holds).
// The combined set is rebuilt at the first call after the table-wide set
// changes; where the two together pass the kernel's instruction limit it
// evaluates both and takes the kernel's precedence (the own chain is newer).
import { SystabError } from '../errors.js';
import type { SeccompAbiSpec } from './engine.js';
import { createSeccompEngine, type SeccompEngine, type SeccompFilters } from './engine.js';
import { actionRank, SECCOMP_RET_ALLOW } from './actions.js';
import { programBytes, type SeccompProgram } from './program.js';
import type { Registry } from './registry.js';

/** The table-wide set as this thread sees it. */
export interface TableWide {
  /** Changes at each publish of the table-wide set. */
  gen(): number;
  /** Its programs, oldest first. */
  programs(): readonly Uint8Array[];
  evaluate(nr: number, args: readonly (number | bigint)[], ip: number | bigint | undefined): number;
  /** A joined thread's: the filters it joined were closed by their owner (a slot switched now is another filter's). */
  closed?(): boolean;
}

/** What a worker gets of its creator's chain (describe()): the programs and the node of the newest, so TSYNC knows them as the same filters. */
export interface ChainDescriptor {
  programs: Uint8Array[];
  top: number;
}

/** A TSYNC refused: a thread holds filters of its own the caller's chain does not (the kernel returns that thread's id). */
export class SeccompSyncError extends SystabError {
  constructor(
    readonly threadId: number,
    readonly worker: number,
  ) {
    super('EBUSY', `seccomp: TSYNC refused: thread ${threadId} (worker record ${worker}) has filters of its own that this thread's chain does not hold (the kernel's TSYNC fails the same way, returning that thread's id); nothing was installed`);
  }
}

export class ThreadChain {
  #engine: SeccompEngine | undefined;
  #programs: Uint8Array[] = [];
  #top = 0;
  #own: SeccompFilters | undefined;
  #combined: SeccompFilters | undefined;
  #builtGen = -1;
  /** The table-wide set held no programs at the last build: the own set alone is the chain. */
  #alone = false;
  constructor(
    private readonly reg: Registry,
    private readonly abi: SeccompAbiSpec,
    private readonly tw: TableWide,
  ) {}

  get top(): number {
    return this.#top;
  }

  get programs(): readonly Uint8Array[] {
    return this.#programs;
  }

  /** Whether this thread has a chain of its own now (another thread's TSYNC may have folded it into the table-wide set). */
  active(): boolean {
    if (this.#top === 0) return false;
    if (Atomics.load(this.reg.c, this.reg.topWord()) === this.#top) return true;
    this.reset();
    return false;
  }

  /** Under the registry lock: stacks `programs` on this thread's chain (checked, proven; ENOMEM over the whole chain); nothing changes on an error. */
  stack(programs: readonly SeccompProgram[]): void {
    if (!Array.isArray(programs) || programs.length === 0) throw new SystabError('EBADSPEC', 'seccomp: a thread stack() takes a non-empty array of programs (each an array of { code, jt, jf, k } or their bytes)');
    this.active();
    const fresh = Array.from({ length: programs.length }, (_, i) => programBytes(programs[i]!, i)); // holes too: each is refused by its index
    this.#replace(fresh, () => {
      this.reg.room(fresh.length); // EFULL before any node is taken
      let top = this.#top;
      for (let i = 0; i < fresh.length; i++) top = this.reg.node(top);
      return top;
    });
  }

  /** Under the registry lock: this thread's chain is its creator's (a worker's start, as the kernel's clone()). */
  inherit(d: ChainDescriptor): void {
    const ok = d !== null && typeof d === 'object' && Array.isArray(d.programs) && d.programs.length > 0 && d.programs.every((p) => p instanceof Uint8Array) && this.reg.depth(d.top) === d.programs.length;
    if (!ok) throw new SystabError('EATTACH', 'attachFilter(): the descriptor\'s chain is not one describe() gave (its programs and the node of the newest, which this table\'s filters named)');
    this.#replace(d.programs.map((p, i) => programBytes(p, i)), () => d.top);
  }

  /** The chain's programs installed alone and over the table-wide set, then its nodes and switches published. */
  #replace(fresh: Uint8Array[], top: () => number): void {
    const e = (this.#engine ??= createSeccompEngine());
    const under = this.#programs;
    const own = e.install(fresh, { under, abis: [this.abi] });
    let combined: SeccompFilters | undefined;
    const gen = this.tw.gen();
    try {
      const tw = this.tw.programs();
      combined = tw.length === 0 ? undefined : e.install(fresh, { under: [...tw, ...under], abis: [this.abi] });
      const switched = new Uint8Array(this.reg.v.map.total);
      for (let s = 0; s < switched.length; s++) if (e.cachedAction(own, this.reg.v.map.nrOfSlot[s]!) !== SECCOMP_RET_ALLOW) switched[s] = 1;
      const t = top();
      this.reg.setMine(t, switched);
      this.#top = t;
    } catch (err) {
      e.release(own);
      if (combined !== undefined) e.release(combined);
      throw err;
    }
    this.#free();
    this.#programs = [...under, ...fresh];
    this.#own = own;
    this.#combined = combined;
    this.#alone = combined === undefined;
    this.#builtGen = gen;
  }

  /** This thread's action for a call: its whole chain's (one cache read for a proven number). */
  evaluate(nr: number, args: readonly (number | bigint)[], ip: number | bigint | undefined): number {
    const g = this.tw.gen();
    if (g !== this.#builtGen) this.#rebuild(g);
    const e = this.#engine!;
    const data = ip !== undefined ? { nr, args, ip } : { nr, args };
    if (this.#combined !== undefined) return e.evaluate(this.#combined, data);
    const own = e.evaluate(this.#own!, data);
    if (this.#alone) return own;
    const wide = this.tw.evaluate(nr, args, ip);
    return actionRank(own) <= actionRank(wide) ? own : wide; // a tie goes to the newer: the thread's own
  }

  /** The action of `nr` for this thread whatever its arguments, or undefined. */
  constantAction(nr: number, wide: number | undefined): number | undefined {
    const g = this.tw.gen();
    if (g !== this.#builtGen) this.#rebuild(g);
    const e = this.#engine!;
    if (this.#combined !== undefined) return e.cachedAction(this.#combined, nr);
    const own = e.cachedAction(this.#own!, nr);
    if (this.#alone) return own;
    if (own === undefined || wide === undefined) return undefined;
    return actionRank(own) <= actionRank(wide) ? own : wide;
  }

  #rebuild(g: number): void {
    const e = this.#engine!;
    if (this.#combined !== undefined) e.release(this.#combined);
    this.#combined = undefined;
    const tw = this.tw.programs();
    this.#alone = tw.length === 0;
    try {
      if (tw.length > 0) this.#combined = e.install(this.#programs, { under: tw, abis: [this.abi] });
    } catch {
      /* over the kernel's limit together: both evaluated (evaluate()) */
    }
    this.#builtGen = g;
  }

  /** Under the registry lock: this thread leaves its own chain (close()). */
  close(): void {
    if (this.#top !== 0 && Atomics.load(this.reg.c, this.reg.topWord()) === this.#top) this.reg.clear(this.reg.me);
    this.reset();
  }

  /** Forgets the chain here (the registry no longer names it). */
  reset(): void {
    this.#free();
    this.#programs = [];
    this.#top = 0;
    this.#builtGen = -1;
  }

  #free(): void {
    const e = this.#engine;
    if (this.#own !== undefined) e!.release(this.#own);
    if (this.#combined !== undefined) e!.release(this.#combined);
    this.#own = this.#combined = undefined;
  }

  /** What a worker this thread starts gets (describe()). */
  describe(): ChainDescriptor | undefined {
    return this.active() ? { programs: this.#programs.map((p) => p.slice()), top: this.#top } : undefined;
  }
}
