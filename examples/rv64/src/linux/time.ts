// Clocks and sleeps. Thread-local like threads.ts (a sleep blocks the thread
// that sleeps, never the leader it would be carried to); the clocks are the
// host's, the same in every thread.
import { EFAULT, EINVAL } from './errno.js';
import { clockMs } from './futex.js';
import { G_NAP } from './group.js';
import type { LinuxModule } from './process.js';
import type { ThreadContext } from './thread.js';

const CLOCK_REALTIME = 0, CLOCK_REALTIME_COARSE = 5, CLOCK_TAI = 11, TIMER_ABSTIME = 1;

export function timeModule(ctx: ThreadContext): LinuxModule {
  const { mem } = ctx;
  const realtime = (clock: number) => clock === CLOCK_REALTIME || clock === CLOCK_REALTIME_COARSE || clock === CLOCK_TAI;
  /** Sleeps for (or, absolute, until) the struct timespec at req; no signal cuts it short. */
  const sleep = (req: number, clock: number, absolute: boolean): number => {
    if (!mem.valid(req, 16)) return -EFAULT;
    const sec = mem.u64(req), nsec = mem.u64(req + 8);
    if (nsec >= 1e9 || sec > 2 ** 40) return -EINVAL;
    const rt = realtime(clock);
    const end = (absolute ? 0 : clockMs(rt)) + sec * 1000 + nsec / 1e6;
    // G_NAP never changes: only the timeout ends the wait (a nudge of the leader may wake it early: wait again).
    for (let left = end - clockMs(rt); left > 0 && !ctx.group.exiting; left = end - clockMs(rt)) ctx.wait(ctx.group.w, G_NAP, 0, left);
    return 0;
  };
  return {
    name: 'linux-time',
    handlers: {
      clock_gettime: (clock, ts) => {
        if (!mem.valid(ts, 16)) return -EFAULT;
        let ns: bigint;
        if (realtime(clock)) ns = BigInt(Date.now()) * 1000000n;
        else if (clock >= 0 && clock <= 11) ns = process.hrtime.bigint(); // the host's CLOCK_MONOTONIC: time since boot
        else return -EINVAL;
        mem.setU64(ts, Number(ns / 1000000000n));
        mem.setU64(ts + 8, Number(ns % 1000000000n));
        return 0;
      },
      nanosleep: (req) => sleep(req, 1, false),
      clock_nanosleep: (clock, flags, req) => (clock < 0 || clock > 11 || (flags & ~TIMER_ABSTIME) !== 0 ? -EINVAL : sleep(req, clock, (flags & TIMER_ABSTIME) !== 0)),
    },
  };
}
