// The control words of a table's filters, shared by every thread that holds
// them (the owner's filterTable(), each attachFilter()): the installed
// table-wide set, the hazard words of its readers, and each thread's own
// chain (the kernel's per-thread filters): its top filter's node, the slots
// it switches, and per slot how many live threads' chains switch it (the
// PR_THREAD plug reason is on exactly while that count is). Every change of
// a chain, a count or a node is made under the registry lock, so counts and
// plug bits never race; a lock whose holder died is broken and the counts
// recomputed from the members' bitmaps.
import * as L from '../../assembly/layout.js';
import { SystabError } from '../errors.js';
import { PLUG_THREAD, plugPublish, setPlug } from '../plugs.js';
import { workerWord } from '../records.js';
import type { View } from '../view.js';

export const MAGIC = 0x73636d70; // 'scmp'
export const C_SET = 0; // byte offset of the installed table-wide set in the memory; 0: none
export const C_MAGIC = 1;
export const C_READERS = 2; // worker records with a reading word
export const C_NODES = 3; // nodes allocated (node ids 1..C_NODES)
export const C_LOCK = 4; // 0 free, else (holder's claim generation << 11) | (holder's worker record + 1)
export const C_GEN = 5; // bumped at each publish of C_SET: a set's offset can be reused, its generation not
const HEADER = 8;
const M_WORDS = 2; // per worker record: claim generation + 1 (0: not a member), top node of its own chain (0: none)
export const NODES_MAX = 4096; // own filters a table's registry can ever name (node ids are never reused)
const LOCK_MS = 5000;

/** Where each part of the control words starts, for a table of `workers` worker records and `slots` slots. */
export function controlLayout(workers: number, slots: number) {
  const reading = HEADER;
  const members = reading + workers;
  const counts = members + workers * M_WORDS;
  const bitmapWords = (slots + 31) >>> 5;
  const bitmaps = counts + slots;
  const nodes = bitmaps + workers * bitmapWords;
  return { reading, members, counts, bitmapWords, bitmaps, nodes, words: nodes + 2 * (NODES_MAX + 1) };
}

/** One thread's handle on the control words. */
export class Registry {
  readonly at: ReturnType<typeof controlLayout>;
  readonly me: number;
  constructor(
    readonly v: View,
    readonly c: Int32Array,
  ) {
    this.at = controlLayout(v.i32[L.H_MAXW]!, v.map.total);
    this.me = v.me;
  }

  /** The word naming the set this thread evaluates (a hazard pointer). */
  readingWord(w = this.me): number {
    return this.at.reading + w;
  }

  topWord(w = this.me): number {
    return this.at.members + w * M_WORDS + 1;
  }

  /** Runs `f` under the registry lock (a spin: its holders hold it for a chain's install, milliseconds). */
  locked<R>(f: () => R): R {
    const v = this.v;
    const mine = ((v.claimGen & 0xfffff) << 11) | (this.me + 1);
    const until = Date.now() + LOCK_MS;
    for (;;) {
      const held = Atomics.compareExchange(this.c, C_LOCK, 0, mine);
      if (held === 0) break;
      if (held === mine) throw new SystabError('EBUSY', 'seccomp: a thread chain change inside another on this thread (a filter callback that changes filters): make it after the call returns');
      if (!this.alive((held & 0x7ff) - 1, held >>> 11, 0xfffff) && Atomics.compareExchange(this.c, C_LOCK, held, mine) === held) {
        this.repair(); // its holder died in a change: the counts are recomputed from the bitmaps
        break;
      }
      if (Date.now() > until) throw new SystabError('ETIMEDOUT', `seccomp: the filters' registry lock stayed held by worker record ${(held & 0x7ff) - 1} for ${LOCK_MS} ms`);
    }
    try {
      return f();
    } finally {
      Atomics.store(this.c, C_LOCK, 0);
      plugPublish(v);
    }
  }

  /** Whether worker record `w` still holds claim `gen` (compared under `mask`). */
  alive(w: number, gen: number, mask = -1): boolean {
    const v = this.v;
    if (w < 0 || w >= v.i32[L.H_MAXW]!) return false;
    if (Atomics.load(v.i32, workerWord(v, w, L.WR_STATE)) === L.WS_FREE) return false;
    return (Atomics.load(v.i32, workerWord(v, w, L.WR_GEN)) & mask) === (gen & mask);
  }

  /** The member words of `w`: claim generation + 1 (0: none). */
  genOf(w: number): number {
    return Atomics.load(this.c, this.at.members + w * M_WORDS);
  }

  /** Under the lock: this thread's chain is now `top`, switching `slots` (per slot: its own chain's proven action is not ALLOW). */
  setMine(top: number, slots: Uint8Array | undefined): void {
    const m = this.at.members + this.me * M_WORDS;
    Atomics.store(this.c, m, top === 0 ? 0 : this.v.claimGen + 1);
    Atomics.store(this.c, m + 1, top);
    this.setBitmap(this.me, slots);
  }

  /** Under the lock: member `w` leaves (its own chain gone: closed, synced into the table-wide set, or its thread dead). */
  clear(w: number): void {
    this.setBitmap(w, undefined);
    const m = this.at.members + w * M_WORDS;
    Atomics.store(this.c, m + 1, 0);
    Atomics.store(this.c, m, 0);
  }

  /** Under the lock: frees the chains of members whose threads are gone (their record freed or claimed anew); returns how many. */
  reap(): number {
    let n = 0;
    for (let w = 0; w < this.v.i32[L.H_MAXW]!; w++) {
      const g = this.genOf(w);
      if (g !== 0 && !this.alive(w, g - 1)) {
        this.clear(w);
        n++;
      }
    }
    return n;
  }

  /** EFULL unless `k` more nodes can be named. */
  room(k: number): void {
    if (Atomics.load(this.c, C_NODES) + k > NODES_MAX) throw new SystabError('EFULL', `seccomp: this table's filters can name ${NODES_MAX} thread filters in all, and ${Atomics.load(this.c, C_NODES)} are named: close the table's filters and filter anew`);
  }

  /** Under the lock: a new node (one filter of some thread's chain) over `parent`. */
  node(parent: number): number {
    this.room(1);
    const n = Atomics.load(this.c, C_NODES);
    const id = n + 1;
    const at = this.at.nodes + 2 * id;
    Atomics.store(this.c, at, parent);
    Atomics.store(this.c, at + 1, parent === 0 ? 1 : this.depth(parent) + 1);
    Atomics.store(this.c, C_NODES, id);
    return id;
  }

  /** How many filters the chain ending at node `id` holds (0: not a node). */
  depth(id: number): number {
    if (!Number.isInteger(id) || id < 1 || id > Atomics.load(this.c, C_NODES)) return 0;
    return Atomics.load(this.c, this.at.nodes + 2 * id + 1);
  }

  /** The nodes of the chain ending at `top`, oldest first. */
  nodesOf(top: number): number[] {
    const out: number[] = [];
    for (let n = top; n !== 0; n = Atomics.load(this.c, this.at.nodes + 2 * n)) out.push(n);
    return out.reverse();
  }

  /** The kernel's TSYNC test: the chain ending at `a` is the chain ending at `b` or below it. */
  isAncestor(a: number, b: number): boolean {
    if (a === 0) return true;
    for (let n = b; n !== 0; n = Atomics.load(this.c, this.at.nodes + 2 * n)) if (n === a) return true;
    return false;
  }

  /** The count of live chains that switch `slot`. */
  count(slot: number): number {
    return Atomics.load(this.c, this.at.counts + slot);
  }

  private setBitmap(w: number, slots: Uint8Array | undefined): void {
    const b = this.at.bitmaps + w * this.at.bitmapWords;
    for (let i = 0; i < this.at.bitmapWords; i++) {
      const was = Atomics.load(this.c, b + i);
      let now = 0;
      if (slots !== undefined) for (let j = 0; j < 32; j++) if (slots[i * 32 + j] === 1) now |= 1 << j;
      if (was === now) continue;
      // The bitmap first, then the count: a holder dying between them leaves a difference repair() recomputes.
      Atomics.store(this.c, b + i, now);
      for (let j = 0; j < 32; j++) {
        const d = ((now >>> j) & 1) - ((was >>> j) & 1);
        if (d !== 0) this.bump(i * 32 + j, d);
      }
    }
  }

  private bump(slot: number, d: number): void {
    const at = this.at.counts + slot;
    const n = Math.max(0, Atomics.load(this.c, at) + d);
    Atomics.store(this.c, at, n);
    setPlug(this.v, slot, PLUG_THREAD, n > 0);
  }

  /** Counts from the bitmaps of the members whose threads live (a lock holder died mid-change). */
  private repair(): void {
    this.reap();
    const { counts, bitmaps, bitmapWords } = this.at;
    for (let s = 0; s < this.v.map.total; s++) {
      let n = 0;
      for (let w = 0; w < this.v.i32[L.H_MAXW]!; w++) if (this.genOf(w) !== 0 && (Atomics.load(this.c, bitmaps + w * bitmapWords + (s >>> 5)) >>> (s & 31)) & 1) n++;
      Atomics.store(this.c, counts + s, n);
      setPlug(this.v, s, PLUG_THREAD, n > 0);
    }
  }
}
