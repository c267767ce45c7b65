// The caller's side of the kernel's special answers (kernel.ts), on every
// thread that runs a process: "would block" waits here, in the calling
// thread, for the kernel's generation word to move and makes the call again
// (a signal with a handler ends the wait with EINTR; ppoll keeps its own
// timeout); EXEC_DONE halts the CPU so that its driver restarts it on the
// new program. Both answers are below -4095, so the hot path pays one
// compare (`r < -4095`) for all of this.
import type { Cpu, SyscallFn } from '../cpu.js';
import { G_PENDING } from './group.js';
import { actionOf, blockGen, EXEC_DONE, isBlock, K_GEN } from './kernel.js';
import { signalWaiting } from './signals.js';
import type { ThreadContext } from './thread.js';

const EINTR = 4, NR_PPOLL = 73, SA_RESTART = 0x10000000;

/**
 * A signal ends the wait: EINTR, and the handler runs as the call returns;
 * with SA_RESTART the call is made again once the handler returns (as the
 * kernel restarts it: the frame's pc is the ecall, with its a0 back).
 */
function interruptedBy(ctx: ThreadContext, cpu: Cpu, a0: number): number {
  cpu.interrupt = true;
  const w = ctx.group.w, at = G_PENDING + 2 * ctx.slot;
  const lo = Atomics.load(w, at) & ~ctx.sigmask[0], hi = Atomics.load(w, at + 1) & ~ctx.sigmask[1];
  const sig = lo !== 0 ? 32 - Math.clz32(lo & -lo) : 64 - Math.clz32(hi & -hi);
  if ((actionOf(ctx.group, sig).flags & SA_RESTART) === 0 || actionOf(ctx.group, sig).handler <= 1) return -EINTR;
  const prev = cpu.onInterrupt;
  cpu.onInterrupt = () => {
    cpu.onInterrupt = prev;
    cpu.pc -= 4; // back to the ecall (4 bytes: RVC has no compressed ecall)
    cpu.setReg(10, a0);
    prev?.();
  };
  return -EINTR;
}

export interface CallerSide {
  kw: Int32Array;
  ctx: ThreadContext;
  /** The dispatcher's call (carried to the home where the number is not local). */
  call: SyscallFn;
  /** Waits up to ms for kw[K_GEN] to leave gen; the main thread serves other processes meanwhile. */
  block(gen: number, ms: number): void;
  /** Set when an execve succeeded: the driver restarts the CPU. */
  exec: boolean;
}

export function specialAnswer(c: CallerSide, cpu: Cpu, nr: number, r: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  if (r === EXEC_DONE) {
    c.exec = true;
    cpu.halted = true;
    return 0;
  }
  if (!isBlock(r)) return r;
  const { ctx } = c;
  // ppoll's timeout runs here, where the waiting is.
  let deadline = Infinity;
  if (nr === NR_PPOLL && a2 !== 0 && ctx.mem.valid(a2, 16)) deadline = performance.now() + ctx.mem.u64(a2) * 1000 + ctx.mem.u64(a2 + 8) / 1e6;
  while (isBlock(r)) {
    const gen = blockGen(r);
    for (;;) {
      if (ctx.group.exiting) return -EINTR;
      if (signalWaiting(ctx)) return interruptedBy(ctx, cpu, a0);
      const left = deadline - performance.now();
      if (left <= 0) return 0;
      if (Atomics.load(c.kw, K_GEN) !== gen) break;
      c.block(gen, Math.min(left, 50));
    }
    r = c.call(nr, a0, a1, a2, a3, a4, a5);
  }
  return specialAnswer(c, cpu, nr, r, a0, a1, a2, a3, a4, a5);
}

const NAP = new Int32Array(new SharedArrayBuffer(4));

/**
 * A thread of the first process on a worker (thread-worker.ts) has no view
 * of the kernel's generation word: it polls, a millisecond at a time, until
 * the call no longer would block.
 */
export function pollUntilDone(call: SyscallFn, ctx: ThreadContext, nr: number, r: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
  while (isBlock(r) && !ctx.group.exiting) {
    if (signalWaiting(ctx)) { ctx.cpu().interrupt = true; return -EINTR; }
    Atomics.wait(NAP, 0, 0, 1);
    r = call(nr, a0, a1, a2, a3, a4, a5);
  }
  return isBlock(r) ? -EINTR : r;
}
