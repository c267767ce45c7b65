// The engine's allocator over its region of the memory: first fit over a
// sorted free list, 8-byte aligned. Only the installing thread allocates
// (one writer); the region's bytes belong to the engine alone.
import { SystabError } from '../errors.js';

export class Arena {
  /** Free runs [start, end), sorted, never adjacent. */
  private free: [number, number][];
  constructor(
    start: number,
    private end: number,
    private readonly grow: ((bytes: number) => number) | undefined,
  ) {
    this.free = start < end ? [[start, end]] : [];
  }

  alloc(bytes: number, what: string): number {
    const n = (bytes + 7) & ~7;
    for (let i = 0; i < this.free.length; i++) {
      const run = this.free[i]!;
      if (run[1] - run[0] < n) continue;
      const at = run[0];
      run[0] += n;
      if (run[0] === run[1]) this.free.splice(i, 1);
      return at;
    }
    if (this.grow !== undefined) {
      const last = this.free[this.free.length - 1];
      const tail = last !== undefined && last[1] === this.end ? last[1] - last[0] : 0;
      const newEnd = this.grow(n - tail);
      this.release(this.end, newEnd - this.end);
      this.end = newEnd;
      return this.alloc(bytes, what);
    }
    throw new SystabError('EFULL', `seccomp: no room for ${what} (${n} bytes) in the engine's region of the memory; give createSeccompEngine() more bytes`);
  }

  release(at: number, bytes: number): void {
    const n = (bytes + 7) & ~7;
    if (n === 0) return;
    let i = 0;
    while (i < this.free.length && this.free[i]![0] < at) i++;
    this.free.splice(i, 0, [at, at + n]);
    // Merge with the neighbours.
    for (let j = Math.max(0, i - 1); j < this.free.length - 1; ) {
      if (this.free[j]![1] === this.free[j + 1]![0]) {
        this.free[j]![1] = this.free[j + 1]![1];
        this.free.splice(j + 1, 1);
      } else if (j > i) break;
      else j++;
    }
  }

  /** Free bytes (tests). */
  freeBytes(): number {
    return this.free.reduce((s, [a, b]) => s + b - a, 0);
  }
}
