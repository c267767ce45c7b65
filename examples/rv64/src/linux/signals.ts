// Signal delivery to handlers, as the kernel does it on riscv64
// (arch/riscv/kernel/signal.c): a struct rt_sigframe (siginfo, then a
// ucontext whose mcontext holds pc and x1..x31, then the D registers and
// fcsr) is pushed on the thread's stack, or its alternate stack for
// SA_ONSTACK; the handler runs with a0 = signal, a1 = &siginfo, a2 =
// &ucontext and ra = a trampoline (`li a7, 139; ecall`: rt_sigreturn),
// which restores what the frame holds (a handler may have changed it: Go's
// preemption moves pc). Signals are taken at a thread's ticks and after its
// calls (tgkill to itself runs the handler before the call returns); one in
// a futex wait is not interrupted (no EINTR).
// Layouts: include/uapi/asm-generic/siginfo.h, arch/riscv/include/uapi/asm/{ucontext,sigcontext,ptrace}.h.
import { setFromNumber } from '../alu64.js';
import { G_PENDING, G_SIGACT, G_TRAMP } from './group.js';
import type { ThreadContext } from './thread.js';

export const SIG_DFL = 0, SIG_IGN = 1;
const SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;
const SI_TKILL = -6, SS_ONSTACK = 1, SS_DISABLE = 2;
/** Signals whose default action is to ignore them (signal(7)): SIGCHLD, SIGCONT, SIGURG, SIGWINCH. */
export const IGNORED = new Set([17, 18, 23, 28]);
const SIGKILL = 9, SIGSTOP = 19, SIGSEGV = 11;
const UC = 128, MC = UC + 176, FP = MC + 256, FRAME = FP + 528; // offsets in struct rt_sigframe, and its size
/** The trampoline's two instructions: li a7, 139 (rt_sigreturn); ecall. */
export const TRAMPOLINE = [0x08b00893, 0x00000073];

/** A signal's action: handler address, flags, mask (two words). */
export function action(ctx: ThreadContext, sig: number): { handler: number; flags: number; mask: [number, number] } {
  const w = ctx.group.w, a = G_SIGACT + (sig - 1) * 6;
  return { handler: (w[a + 1]! >>> 0) * 4294967296 + (w[a]! >>> 0), flags: w[a + 2]! >>> 0, mask: [w[a + 4]!, w[a + 5]!] };
}

const u64 = (b: Uint8Array, o: number): number => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(o + 4, true) * 4294967296 + v.getUint32(o, true);
};

const bit = (sig: number): [number, number] => (sig > 32 ? [0, 1 << (sig - 33)] : [1 << (sig - 1), 0]);

/** True when a signal is pending for this thread and not blocked (cheap: two loads). */
export function signalWaiting(ctx: ThreadContext): boolean {
  if (ctx.slot < 0) ctx.slot = ctx.group.slot(ctx.tid);
  if (ctx.slot < 0) return false;
  const w = ctx.group.w, at = G_PENDING + 2 * ctx.slot;
  return ((Atomics.load(w, at) & ~ctx.sigmask[0]) | (Atomics.load(w, at + 1) & ~ctx.sigmask[1])) !== 0;
}

/** Takes the lowest pending unblocked signal (0 when none). */
function take(ctx: ThreadContext): number {
  const w = ctx.group.w, at = G_PENDING + 2 * ctx.slot;
  for (let half = 0; half < 2; half++) {
    for (;;) {
      const p = Atomics.load(w, at + half), ready = p & ~ctx.sigmask[half]!;
      if (ready === 0) break;
      const low = ready & -ready;
      if (Atomics.compareExchange(w, at + half, p, p & ~low) === p) return 32 * half + 31 - Math.clz32(low) + 1;
    }
  }
  return 0;
}

/** Runs the thread's pending signals' actions: a handler frame for the first caught one (the others wait for its return). */
export function deliverSignals(ctx: ThreadContext): void {
  if (!signalWaiting(ctx)) return;
  for (let sig = take(ctx); sig !== 0; sig = take(ctx)) {
    const a = action(ctx, sig);
    if (sig === SIGSTOP || a.handler === SIG_IGN) continue;
    if (a.handler === SIG_DFL || sig === SIGKILL) {
      if (IGNORED.has(sig)) continue;
      kill(ctx, sig);
      return;
    }
    pushFrame(ctx, sig, a);
    return;
  }
}

/** The default action of a fatal signal: the process ends as killed by it. */
export function kill(ctx: ThreadContext, sig: number): void {
  ctx.group.endAll(128 + sig);
  ctx.halt();
}

function pushFrame(ctx: ThreadContext, sig: number, a: ReturnType<typeof action>): void {
  const { mem } = ctx, cpu = ctx.cpu(), dv = mem.dv;
  const alt = ctx.altstack;
  let sp = cpu.reg(2);
  const altSp = alt ? u64(alt, 0) : 0, altSize = alt ? u64(alt, 16) : 0;
  const onAlt = alt !== null && sp > altSp && sp <= altSp + altSize;
  if ((a.flags & SA_ONSTACK) !== 0 && alt !== null && !onAlt) sp = altSp + altSize;
  sp = Math.floor((sp - FRAME) / 16) * 16;
  if (!mem.valid(sp, FRAME)) { kill(ctx, SIGSEGV); return; } // no room for the frame: the kernel's SIGSEGV
  mem.u8.fill(0, sp, sp + FRAME);
  dv.setInt32(sp, sig, true); // siginfo: si_signo, si_errno, si_code, then _kill's pid and uid
  dv.setInt32(sp + 8, SI_TKILL, true);
  dv.setInt32(sp + 16, ctx.pid, true);
  dv.setInt32(sp + 20, process.getuid?.() ?? 0, true);
  if (alt) { mem.write(sp + UC + 16, alt); dv.setInt32(sp + UC + 24, onAlt ? SS_ONSTACK : 0, true); }
  else dv.setInt32(sp + UC + 24, SS_DISABLE, true);
  dv.setInt32(sp + UC + 40, ctx.sigmask[0], true);
  dv.setInt32(sp + UC + 44, ctx.sigmask[1], true);
  mem.setU64(sp + MC, cpu.pc); // sc_regs.pc, then x1..x31
  for (let r = 1; r < 32; r++) { dv.setInt32(sp + MC + 8 * r, cpu.lo[r]!, true); dv.setInt32(sp + MC + 8 * r + 4, cpu.hi[r]!, true); }
  for (let f = 0; f < 64; f++) dv.setInt32(sp + FP + 4 * f, cpu.fpu.w[f]!, true);
  dv.setInt32(sp + FP + 256, cpu.fpu.frm << 5, true); // fcsr (fflags are not tracked)
  const block = (a.flags & SA_NODEFER) !== 0 ? [0, 0] : bit(sig);
  ctx.sigmask[0] |= a.mask[0] | block[0]!;
  ctx.sigmask[1] |= a.mask[1] | block[1]!;
  ctx.sigmask[0] &= ~((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));
  if ((a.flags & SA_RESETHAND) !== 0) {
    const w = ctx.group.w, at = G_SIGACT + (sig - 1) * 6;
    Atomics.store(w, at, 0); Atomics.store(w, at + 1, 0);
  }
  setFromNumber(cpu.lo, cpu.hi, 10, sig);
  setFromNumber(cpu.lo, cpu.hi, 11, (a.flags & SA_SIGINFO) !== 0 ? sp : 0);
  setFromNumber(cpu.lo, cpu.hi, 12, (a.flags & SA_SIGINFO) !== 0 ? sp + UC : 0);
  setFromNumber(cpu.lo, cpu.hi, 1, Atomics.load(ctx.group.w, G_TRAMP) >>> 0);
  setFromNumber(cpu.lo, cpu.hi, 2, sp);
  cpu.pc = a.handler;
}

/** The CPU's interrupt, after a call that asked for one: rt_sigreturn's restore, then any signal now deliverable. */
export function interrupted(ctx: ThreadContext): void {
  if (ctx.sigreturn) { ctx.sigreturn = false; sigreturn(ctx); }
  deliverSignals(ctx);
}

/** rt_sigreturn, once its call has returned: the registers, pc and mask the frame at sp holds. */
function sigreturn(ctx: ThreadContext): void {
  const { mem } = ctx, cpu = ctx.cpu(), dv = mem.dv;
  const sp = cpu.reg(2);
  if (!mem.valid(sp, FRAME)) { kill(ctx, SIGSEGV); return; }
  cpu.pc = mem.u64(sp + MC);
  for (let r = 1; r < 32; r++) { cpu.lo[r] = dv.getInt32(sp + MC + 8 * r, true); cpu.hi[r] = dv.getInt32(sp + MC + 8 * r + 4, true); }
  for (let f = 0; f < 64; f++) cpu.fpu.w[f] = dv.getInt32(sp + FP + 4 * f, true);
  cpu.fpu.frm = (dv.getInt32(sp + FP + 256, true) >> 5) & 7;
  ctx.sigmask[0] = dv.getInt32(sp + UC + 40, true) & ~((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));
  ctx.sigmask[1] = dv.getInt32(sp + UC + 44, true);
}
