// The calls that belong to one guest thread: clone, exit, ids, futex, the
// signal mask and alternate stack, affinity, tkill. Every thread runs its own
// copy (the leader loads this module, each worker provide()s it), so none of
// these is ever carried to another thread.
import * as os from 'node:os';
import { setFromNumber } from '../alu64.js';
import { EAGAIN, EFAULT, EINVAL, ENOMEM, ENOSYS } from './errno.js';
import { futex, releaseRobust } from './futex.js';
import { action, IGNORED, kill as killed, SIG_DFL, SIG_IGN, signalWaiting } from './signals.js';
import type { LinuxModule } from './process.js';
import type { ThreadContext } from './thread.js';

// include/uapi/linux/sched.h
const CLONE_VM = 0x100, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;
const ESRCH = 3; // include/uapi/asm-generic/errno-base.h
const SS_DISABLE = 2, SS_AUTODISARM = 1 << 31, MINSIGSTKSZ = 2048; // include/uapi/linux/signal.h, asm-generic/signal.h

/** How many CPUs sched_getaffinity reports (Go sizes GOMAXPROCS from it). */
export const cpuCount = (): number => Math.max(1, Math.min(32, os.availableParallelism?.() ?? os.cpus().length));

export function threadModule(ctx: ThreadContext): LinuxModule {
  const { mem, group } = ctx;
  let robustHead = 0;

  const exit = (code: number): number => {
    releaseRobust(ctx, robustHead);
    if (ctx.clearTid !== 0 && mem.valid(ctx.clearTid, 4) && ctx.clearTid % 4 === 0) {
      // The kernel's mm_release: the word pthread_join waits on.
      Atomics.store(mem.i32, ctx.clearTid / 4, 0);
      Atomics.notify(mem.i32, ctx.clearTid / 4, 1);
    }
    ctx.halt();
    ctx.exited(code & 0xff);
    return 0;
  };

  const kill = (tid: number, sig: number): number => {
    if (sig < 0 || sig > 64) return -EINVAL;
    const slot = group.slot(tid);
    if (slot < 0) return -ESRCH;
    if (sig === 0) return 0;
    const a = action(ctx, sig);
    if (sig !== 9 && (a.handler === SIG_IGN || (a.handler === SIG_DFL && IGNORED.has(sig)))) return 0;
    if (a.handler === SIG_DFL || sig === 9) { killed(ctx, sig); return 0; } // the default action: the process ends
    // A handler: the target runs it at its next tick or call; this thread before this call returns.
    group.raise(slot, sig);
    if (tid === ctx.tid) ctx.cpu().interrupt = true;
    return 0;
  };

  return {
    name: 'linux-threads',
    handlers: {
      clone: (flags, stack, ptid, tls, ctid) => {
        // fork, vfork and clone without CLONE_THREAD are processes: not here (yet).
        if ((flags & CLONE_VM) === 0 || (flags & CLONE_THREAD) === 0 || (flags & CLONE_VFORK) !== 0) return -ENOSYS;
        if (ctx.spawn === null) return -ENOSYS;
        if (group.exiting) return -EAGAIN;
        if ((flags & CLONE_PARENT_SETTID && !mem.valid(ptid, 4)) || (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) && !mem.valid(ctid, 4))) return -EFAULT;
        const tid = group.add();
        if (tid < 0) return -EAGAIN;
        const cpu = ctx.cpu();
        const lo = cpu.lo.slice(), hi = cpu.hi.slice();
        lo[10] = 0; hi[10] = 0; // the child's clone returns 0
        if (stack !== 0) setFromNumber(lo, hi, 2, stack);
        if (flags & CLONE_SETTLS) setFromNumber(lo, hi, 4, tls);
        if (flags & CLONE_PARENT_SETTID) mem.dv.setInt32(ptid, tid, true);
        // Same memory (CLONE_VM): the parent can write the child's word before it runs.
        if (flags & CLONE_CHILD_SETTID) mem.dv.setInt32(ctid, tid, true);
        ctx.spawn({
          tid, lo, hi, fw: cpu.fpu.w.slice(), frm: cpu.fpu.frm, fflags: cpu.fpu.flags, pc: cpu.pc + 4,
          clearTid: flags & CLONE_CHILD_CLEARTID ? ctid : 0, sigmask: [...ctx.sigmask],
        });
        return tid;
      },
      exit,
      exit_group: (code) => {
        group.endAll(code & 0xff);
        ctx.halt();
        return 0;
      },
      set_tid_address: (addr) => {
        ctx.clearTid = addr;
        return ctx.tid;
      },
      set_robust_list: (head, len) => {
        if (len !== 24) return -EINVAL; // sizeof(struct robust_list_head)
        robustHead = head;
        return 0;
      },
      gettid: () => ctx.tid,
      getpid: () => ctx.pid,
      futex: (uaddr, op, val, timeout, uaddr2, val3) => futex(ctx, uaddr, op, val, timeout, uaddr2, val3),
      sched_yield: () => 0,
      sched_getaffinity: (pid, len, mask) => {
        if (pid !== 0 && !group.alive(pid)) return -ESRCH;
        if (len < 8 || len % 8 !== 0) return -EINVAL;
        if (!mem.valid(mask, 8)) return -EFAULT;
        const n = cpuCount();
        mem.setU64(mask, 2 ** n - 1);
        return 8; // the kernel's cpumask size for up to 64 CPUs
      },
      tkill: (tid, sig) => kill(tid, sig),
      tgkill: (tgid, tid, sig) => (tgid !== ctx.pid ? -ESRCH : kill(tid, sig)),
      rt_sigprocmask: (how, set, oldset, size) => {
        if (size !== 8) return -EINVAL;
        if (oldset !== 0 && !mem.valid(oldset, 8)) return -EFAULT;
        if (set !== 0 && !mem.valid(set, 8)) return -EFAULT;
        const old: [number, number] = [...ctx.sigmask];
        if (set !== 0) {
          const lo = mem.dv.getInt32(set, true), hi = mem.dv.getInt32(set + 4, true);
          const m = ctx.sigmask;
          if (how === 0) { m[0] |= lo; m[1] |= hi; } // SIG_BLOCK
          else if (how === 1) { m[0] &= ~lo; m[1] &= ~hi; } // SIG_UNBLOCK
          else if (how === 2) { m[0] = lo; m[1] = hi; } // SIG_SETMASK
          else return -EINVAL;
          m[0] &= ~((1 << 8) | (1 << 18)); // SIGKILL and SIGSTOP cannot be blocked
          if (signalWaiting(ctx)) ctx.cpu().interrupt = true; // unblocked a pending one: deliver it now
        }
        if (oldset !== 0) { mem.dv.setInt32(oldset, old[0], true); mem.dv.setInt32(oldset + 4, old[1], true); }
        return 0;
      },
      rt_sigreturn: () => {
        ctx.sigreturn = true; // restored at the interrupt, after the CPU has written this call's result
        ctx.cpu().interrupt = true;
        return 0;
      },
      sigaltstack: (ss, oss) => {
        if (oss !== 0) {
          if (!mem.valid(oss, 24)) return -EFAULT;
          if (ctx.altstack) mem.write(oss, ctx.altstack);
          else { mem.u8.fill(0, oss, oss + 24); mem.dv.setInt32(oss + 8, SS_DISABLE, true); }
        }
        if (ss !== 0) {
          if (!mem.valid(ss, 24)) return -EFAULT;
          const flags = mem.dv.getInt32(ss + 8, true);
          if ((flags & ~(SS_DISABLE | SS_AUTODISARM)) !== 0) return -EINVAL;
          if (flags & SS_DISABLE) ctx.altstack = null;
          else {
            if (mem.u64(ss + 16) < MINSIGSTKSZ) return -ENOMEM;
            ctx.altstack = mem.bytes(ss, 24).slice();
          }
        }
        return 0;
      },
    },
  };
}
