// What a guest thread's own calls need to know about it: its id, the memory,
// the group, its CPU, and how it blocks and starts others. The leader (the
// program's first thread, on the emulator's main thread) and every worker
// each build one; the thread-local modules (threads.ts, time.ts) close over it.
import type { Cpu } from '../cpu.js';
import type { Memory } from '../memory.js';
import type { ThreadGroup } from './group.js';

/** A new thread's first state: the parent's registers at clone, with clone's changes. */
export interface ThreadStart {
  tid: number;
  lo: Int32Array;
  hi: Int32Array;
  /** The FPU's register words and rounding mode. */
  fw: Int32Array;
  frm: number;
  /** fcsr's accrued flags: the child starts with the parent's whole register state, fcsr included. */
  fflags: number;
  pc: number;
  /** CLONE_CHILD_CLEARTID's address, or 0. */
  clearTid: number;
  /** The signal mask, inherited (two words). */
  sigmask: [number, number];
}

export interface ThreadContext {
  readonly tid: number;
  readonly pid: number;
  readonly mem: Memory;
  readonly group: ThreadGroup;
  /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and woken when the thread exits. */
  clearTid: number;
  /** Blocked signals, as the two words of a riscv64 sigset_t. */
  sigmask: [number, number];
  /** sigaltstack's stack_t (ss_sp, ss_flags, ss_size: 24 bytes), or null when disabled. */
  altstack: Uint8Array | null;
  /** This thread's index in the group's id table (-1 until looked up). */
  slot: number;
  /** rt_sigreturn was called: restore the frame at the CPU's next interrupt. */
  sigreturn: boolean;
  /** The CPU running this thread (clone copies its registers). */
  cpu(): Cpu;
  /**
   * Blocks as Atomics.wait(i32, index, value, ms) does; the leader serves
   * calls carried to it meanwhile, and returns early when the process ends.
   */
  wait(i32: Int32Array, index: number, value: number, ms: number): 'ok' | 'not-equal' | 'timed-out';
  /** Starts a new guest thread; null where there can be none (no SharedArrayBuffer, or the switch dispatcher). */
  readonly spawn: ((s: ThreadStart) => void) | null;
  /** fork: a new process from this thread's snapshot (procs.ts); the child's pid or -errno. Absent where there are no processes. */
  fork?: (s: ThreadStart, flags: number, ptid: number, ctid: number) => number;
  /** Stops this thread's CPU after the current call. */
  halt(): void;
  /** This thread ended with exit(code) (after its CLONE_CHILD_CLEARTID word was cleared). */
  exited(code: number): void;
}
