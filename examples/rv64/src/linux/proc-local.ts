// The process calls a thread runs itself: clone's fork case (the snapshot of
// this thread's registers is taken here; the process is made at the home:
// ctx.fork) and rt_sigsuspend (it waits on this thread's own signals).
// Threads' clone stays threads.ts's.
import { EINVAL, ENOSYS } from './errno.js';
import { isFork, snapshot } from './fork.js';
import { G_NAP } from './group.js';
import type { LinuxModule } from './process.js';
import { signalWaiting } from './signals.js';
import type { ThreadContext } from './thread.js';

const EINTR = 4;
const UC_SIGMASK = 128 + 40; // struct rt_sigframe: the ucontext's uc_sigmask (signals.ts)

/** mods with clone taken out of linux-threads and put, with fork, into linux-proc-local. */
export function withProcessLocal(ctx: ThreadContext, mods: LinuxModule[]): LinuxModule[] {
  const threads = mods.find((m) => m.name === 'linux-threads')!;
  const { clone: threadClone, ...rest } = threads.handlers;
  const { mem, group } = ctx;
  const local: LinuxModule = {
    name: 'linux-proc-local',
    handlers: {
      clone: (flags, stack, ptid, tls, ctid) => {
        if (!isFork(flags)) return threadClone!(flags, stack, ptid, tls, ctid, 0);
        if (!ctx.fork) return -ENOSYS;
        return ctx.fork(snapshot(ctx.cpu(), ctx.sigmask, flags, stack, tls, ctid), flags, ptid, ctid);
      },
      rt_sigsuspend: (maskPtr, size) => {
        if (size !== 8) return -EINVAL;
        if (!mem.valid(maskPtr, 8)) return -14;
        const old: [number, number] = [...ctx.sigmask];
        ctx.sigmask[0] = mem.dv.getInt32(maskPtr, true) & ~((1 << 8) | (1 << 18));
        ctx.sigmask[1] = mem.dv.getInt32(maskPtr + 4, true);
        while (!signalWaiting(ctx) && !group.exiting) ctx.wait(group.w, G_NAP, 0, 20); // a kill notifies G_NAP
        // The handler's frame must save the mask from before the call (the kernel's saved_sigmask).
        const cpu = ctx.cpu(), prev = cpu.onInterrupt;
        cpu.onInterrupt = () => {
          const sp = cpu.reg(2);
          prev?.();
          if (cpu.reg(2) !== sp && mem.valid(cpu.reg(2) + UC_SIGMASK, 8)) {
            mem.dv.setInt32(cpu.reg(2) + UC_SIGMASK, old[0], true);
            mem.dv.setInt32(cpu.reg(2) + UC_SIGMASK + 4, old[1], true);
          } else { ctx.sigmask[0] = old[0]; ctx.sigmask[1] = old[1]; }
          cpu.onInterrupt = prev;
        };
        cpu.interrupt = true;
        return -EINTR;
      },
    },
  };
  return [...mods.map((m) => (m === threads ? { ...m, handlers: rest } : m)), local];
}
