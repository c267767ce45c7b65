// The kernel's generation word and its special answers (kernel.ts, pipes.ts,
// proc-wait.ts). Kept apart, with no imports, so a model test can load the
// pipe without the interpreter.

/** The kernel's shared words: K_GEN moves (and is notified) whenever a pipe, a process or a signal changes. */
export const K_GEN = 0, K_WORDS = 4;
/** "Would block" answers carry K_GEN as the caller saw it; the caller waits for it to move, then calls again. */
export const BLOCK_BASE = -(2 ** 33);
/** execve succeeded: the caller's thread starts the program its exec words describe. */
export const EXEC_DONE = -(2 ** 40);
export const isBlock = (r: number): boolean => r <= BLOCK_BASE && r > BLOCK_BASE - 2 ** 32;
export const blockGen = (r: number): number => (BLOCK_BASE - r) | 0;

/** The generation word, shared with every process's worker. */
export class KernelWords {
  readonly kw = new Int32Array(new SharedArrayBuffer(K_WORDS * 4));

  changed(): void {
    Atomics.add(this.kw, K_GEN, 1);
    Atomics.notify(this.kw, K_GEN);
  }

  /** "Would block", with the generation as it is now. */
  blockAnswer(): number {
    return BLOCK_BASE - (Atomics.load(this.kw, K_GEN) >>> 0);
  }
}
