// futex(2) over Atomics.wait / Atomics.notify on the guest memory's words.
// Runs in the calling thread by design (every thread provides it): a wait
// must block the thread that waits, and nothing else.
// Numbers: include/uapi/linux/futex.h.
import { EAGAIN, EFAULT, EINVAL, ENOSYS } from './errno.js';
import type { ThreadContext } from './thread.js';

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
export const ETIMEDOUT = 110; // include/uapi/asm-generic/errno.h

/** Now on a guest clock in ms: CLOCK_REALTIME (0) or CLOCK_MONOTONIC (the host's, as time.ts reports it). */
export function clockMs(realtime: boolean): number {
  return realtime ? Date.now() : Number(process.hrtime.bigint()) / 1e6;
}

/**
 * futex(uaddr, op, val, timeout, uaddr2, val3). FUTEX_WAIT's timeout is
 * relative; FUTEX_WAIT_BITSET's is absolute on CLOCK_MONOTONIC, or
 * CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. Bitsets other than all ones
 * wake as if they were all ones (a waiter may wake spuriously, which futex
 * users allow for; glibc and Go pass FUTEX_BITSET_MATCH_ANY). REQUEUE,
 * WAKE_OP and the PI operations answer ENOSYS.
 */
export function futex(ctx: ThreadContext, uaddr: number, op: number, val: number, timeout: number, _uaddr2: number, val3: number): number {
  const { mem } = ctx;
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if (uaddr % 4 !== 0) return -EINVAL;
  if (!mem.valid(uaddr, 4)) return -EFAULT;
  const i = uaddr / 4;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      if (cmd === FUTEX_WAIT_BITSET && (val3 | 0) === 0) return -EINVAL;
      let ms = Infinity;
      if (timeout !== 0) {
        if (!mem.valid(timeout, 16)) return -EFAULT;
        const sec = mem.u64(timeout), nsec = mem.u64(timeout + 8);
        if (nsec >= 1e9 || sec > 2 ** 52) return -EINVAL;
        ms = sec * 1000 + nsec / 1e6;
        if (cmd === FUTEX_WAIT_BITSET) ms -= clockMs((op & FUTEX_CLOCK_REALTIME) !== 0);
      }
      if (ms <= 0) return Atomics.load(mem.i32, i) !== (val | 0) ? -EAGAIN : -ETIMEDOUT;
      const r = ctx.wait(mem.i32, i, val | 0, ms);
      return r === 'not-equal' ? -EAGAIN : r === 'timed-out' ? -ETIMEDOUT : 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      if (cmd === FUTEX_WAKE_BITSET && (val3 | 0) === 0) return -EINVAL;
      return Atomics.notify(mem.i32, i, Math.max(1, val | 0)); // the kernel wakes at least one for val <= 0
    default:
      return -ENOSYS;
  }
}

const FUTEX_WAITERS = 0x80000000 | 0, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
const ROBUST_LIST_LIMIT = 2048; // the kernel's bound on a walk, too

/**
 * A dying thread's robust futexes (set_robust_list's list, as the kernel's
 * exit_robust_list walks it): each word the thread still owns gets
 * FUTEX_OWNER_DIED, and one waiter is woken, so the next locker of a robust
 * mutex sees EOWNERDEAD instead of waiting forever.
 */
export function releaseRobust(ctx: ThreadContext, head: number): void {
  const { mem } = ctx;
  if (head === 0 || !mem.valid(head, 24)) return;
  const offset = mem.dv.getInt32(head + 8, true); // futex_offset: a long, small and usually negative
  const pending = mem.u64(head + 16);
  const release = (entry: number) => {
    const at = entry - (entry % 2) + offset; // bit 0 marks a PI entry
    if (at % 4 !== 0 || !mem.valid(at, 4)) return;
    const i = at / 4;
    for (;;) {
      const w = Atomics.load(mem.i32, i);
      if ((w & FUTEX_TID_MASK) !== ctx.tid) return;
      if (Atomics.compareExchange(mem.i32, i, w, (w & FUTEX_WAITERS) | FUTEX_OWNER_DIED) !== w) continue;
      if (w & FUTEX_WAITERS) Atomics.notify(mem.i32, i, 1);
      return;
    }
  };
  let entry = mem.u64(head);
  for (let n = 0; entry !== head && n < ROBUST_LIST_LIMIT && mem.valid(entry - (entry % 2), 8); n++) {
    const next = mem.u64(entry - (entry % 2));
    if (entry !== pending) release(entry);
    entry = next;
  }
  if (pending !== 0) release(pending);
}
