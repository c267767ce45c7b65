// A process's worker: it attaches to the one table once, then runs
// processes one after another (a fork hands it the next): for each it sees
// that process's memory, provides its own copy of the thread-local modules
// (clone/fork, exit, futex, clocks, signal mask, sigsuspend) and runs the
// CPU; every other call is carried by systab to the home (the main thread),
// which finds this process's state by this worker (kernel.ts). Blocking
// answers wait here (proc-wait.ts); execve restarts the CPU in place.
import { writeSync } from 'node:fs';
import { isMainThread, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { attach, type Table, type TableDescriptor } from 'systab';
import { abi } from 'systab/abi/linux-riscv64';
import { Cpu, GuestFault, type SyscallFn } from './cpu.js';
import { execStart } from './linux/exec.js';
import { G_BELL, G_CODE, ThreadGroup } from './linux/group.js';
import { threadLocalModules } from './linux/index.js';
import { EXEC_DONE, isBlock, K_GEN, XW_KILLED } from './linux/kernel.js';
import { specialAnswer, type CallerSide } from './linux/proc-wait.js';
import { deliverSignals, interrupted, signalWaiting } from './linux/signals.js';
import type { ThreadContext, ThreadStart } from './linux/thread.js';
import { Memory } from './memory.js';
import { CALL_TIMEOUT } from './thread-worker.js';
import { joinTrace, type ThreadTrace } from './thread-trace.js';

/** Mailbox states: running a process, idle, a job posted. */
export const PROC_IDLE = 1, PROC_START = 3;

export interface ProcInit {
  table: TableDescriptor;
  port: MessagePort;
  /** The mailbox word: PROC_START when a job was posted. */
  box: Int32Array;
  kw: SharedArrayBuffer;
  leaderGroup: SharedArrayBuffer;
  /** The first process's trace, which this worker joins (strace -f). */
  trace?: ThreadTrace;
}

/**
 * What a process's trace lines show of the kernel's special answers: a
 * "would block" attempt is no line (the call is made again, and its line
 * comes then); execve's EXEC_DONE is the 0 strace shows.
 */
export function traceRewrite(line: string): string | null {
  const m = /= (-\d+)\n?$/.exec(line);
  if (!m) return line;
  const r = Number(m[1]);
  if (isBlock(r)) return null;
  return r === EXEC_DONE ? line.slice(0, m.index) + '= 0\n' : line;
}

/** A process to run: its memory, group words, exec words (text range), first registers. */
export interface ProcJob {
  pid: number;
  mem: { size: number; buffer: SharedArrayBuffer; pages: SharedArrayBuffer };
  group: SharedArrayBuffer;
  xw: SharedArrayBuffer;
  start: ThreadStart;
}

/** What a process worker posts to the home. */
export type ProcNotice =
  | { kind: 'exit'; pid: number; code: number; signal: number }
  | { kind: 'fork'; pid: number; start: ThreadStart; flags: number; ptid: number; ctid: number; reply: SharedArrayBuffer }
  | { kind: 'spawn'; pid: number; start: ThreadStart };

const SIGNALS: Record<GuestFault['signal'], number> = { SIGILL: 4, SIGTRAP: 5, SIGBUS: 7, SIGSEGV: 11 };

export function isProcWorker(): boolean {
  return !isMainThread && (workerData as { rv64Proc?: unknown } | null)?.rv64Proc !== undefined;
}

export function runProcWorker(): void {
  const d = (workerData as { rv64Proc: ProcInit }).rv64Proc;
  const t: Table = attach(d.table, { callTimeout: CALL_TIMEOUT });
  // -f: one trace for the worker's life; lines read the memory of the process it runs now.
  const now = { mem: undefined as Memory | undefined, pid: 0 };
  const view = { valid: (a: number, n: number) => now.mem?.valid(a, n) ?? false, bytes: (a: number, n: number) => now.mem!.bytes(a, n) };
  const tr = d.trace ? joinTrace(t, view, d.trace, () => now.pid, traceRewrite) : undefined;
  try {
    for (;;) {
      const job = take(d);
      now.pid = job.pid;
      now.mem = new Memory(job.mem.size, job.mem);
      try {
        runProcess(d, t, job, now.mem);
      } catch (e) {
        // A bug of ours, not the guest's: the process dies as if aborted, and its parent hears of it.
        writeSync(2, `rv64: pid ${job.pid}: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
        const n: ProcNotice = { kind: 'exit', pid: job.pid, code: 134, signal: 6 };
        d.port.postMessage(n);
        new ThreadGroup(d.leaderGroup).nudge(new Int32Array(new SharedArrayBuffer(4)));
      }
    }
  } finally {
    tr?.close();
    t.close();
  }
}

const SIGNAMES: Record<number, string> = { 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** Waits in the mailbox for the next process. */
function take(d: ProcInit): ProcJob {
  Atomics.compareExchange(d.box, 0, 0, PROC_IDLE); // after a process (a fresh box starts idle, or with a job)
  for (;;) {
    if (Atomics.load(d.box, 0) === PROC_START) {
      const m = receiveMessageOnPort(d.port);
      if (m !== undefined) { Atomics.store(d.box, 0, 0); return m.message as ProcJob; }
    }
    Atomics.wait(d.box, 0, PROC_IDLE, 20);
  }
}

function runProcess(d: ProcInit, t: Table, job: ProcJob, mem: Memory): void {
  const group = new ThreadGroup(job.group), leader = new ThreadGroup(d.leaderGroup);
  const kw = new Int32Array(d.kw), xw = new Int32Array(job.xw);
  const s = job.start;
  let cpu: Cpu | undefined;
  let exitCode = 0;
  const nudge = () => leader.nudge(mem.i32);
  const ctx: ThreadContext = {
    tid: job.pid, pid: job.pid, mem, group, clearTid: s.clearTid, sigmask: s.sigmask, altstack: null, slot: -1, sigreturn: false,
    cpu: () => cpu!,
    wait: (i32, index, value, ms) => Atomics.wait(i32, index, value, ms),
    spawn: (start) => { // a thread of this process: the home starts its worker (thread-worker.ts)
      const n: ProcNotice = { kind: 'spawn', pid: job.pid, start };
      d.port.postMessage(n);
      nudge();
    },
    fork: (start, flags, ptid, ctid) => {
      const reply = new Int32Array(new SharedArrayBuffer(8));
      const n: ProcNotice = { kind: 'fork', pid: job.pid, start, flags, ptid, ctid, reply: reply.buffer as SharedArrayBuffer };
      d.port.postMessage(n);
      nudge();
      while (Atomics.load(reply, 0) === 0) { Atomics.wait(reply, 0, 0, 5); nudge(); }
      return reply[1]!;
    },
    halt: () => { cpu!.halted = true; },
    exited: (code) => { exitCode = code; group.remove(job.pid); },
  };
  const local = new Uint8Array(1024);
  for (const m of threadLocalModules(ctx)) {
    t.provide({ name: m.name, handlers: m.handlers });
    for (const name of Object.keys(m.handlers)) local[abi.names[name as keyof typeof abi.names]!] = 1;
  }
  const call = t.call.bind(t) as SyscallFn;
  const carried: SyscallFn = (nr, a0, a1, a2, a3, a4, a5) => {
    if (local[nr] !== 1) nudge();
    return call(nr, a0, a1, a2, a3, a4, a5);
  };
  const side: CallerSide = {
    kw, ctx, call: carried, exec: false,
    block: (gen, ms) => { Atomics.wait(kw, K_GEN, gen, ms); },
  };
  const syscall: SyscallFn = (nr, a0, a1, a2, a3, a4, a5) => {
    let r = carried(nr, a0, a1, a2, a3, a4, a5);
    if (r < -4095) r = specialAnswer(side, cpu!, nr, r, a0, a1, a2, a3, a4, a5);
    if (group.exiting) cpu!.halted = true; // ended by the kernel during the call (a kill, SIGPIPE)
    return r;
  };
  const text = execStart(xw);
  const c = cpu = new Cpu(mem, syscall, text.textStart, text.textEnd);
  c.lo.set(s.lo); c.hi.set(s.hi); c.fpu.w.set(s.fw);
  c.fpu.frm = s.frm; c.fpu.flags = s.fflags;
  c.pc = s.pc;
  c.tick = () => {
    t.poll();
    if (group.exiting) c.halted = true;
    else if (signalWaiting(ctx)) deliverSignals(ctx);
  };
  c.onInterrupt = () => interrupted(ctx);
  let signal = 0;
  for (;;) {
    try {
      if (!group.exiting) c.run();
    } catch (e) {
      const sig = e instanceof GuestFault ? e.signal : 'SIGSEGV';
      writeSync(2, `rv64: pid ${job.pid}: ${sig}: ${e instanceof Error ? e.message : String(e)}\n`);
      signal = SIGNALS[sig];
      group.endAll(128 + signal);
    }
    if (!side.exec || group.exiting) break;
    side.exec = false;
    const x = execStart(xw);
    c.restart(x.entry, x.sp, x.textStart, x.textEnd);
  }
  // The first thread exited alone (exit, not exit_group): the process lives while its other threads do.
  if (side.exec === false) for (let bell = Atomics.load(group.w, G_BELL); !group.exiting && group.live > 0; bell = Atomics.load(group.w, G_BELL)) Atomics.wait(group.w, G_BELL, bell, 50);
  const code = group.exiting ? Atomics.load(group.w, G_CODE) : exitCode;
  // The trace's last line before the notice: once the parent has reaped, the run may end at once.
  const sig = signal || Atomics.load(xw, XW_KILLED);
  if (d.trace && d.trace.fd >= 0) writeSync(d.trace.fd, `[pid ${String(job.pid).padStart(5)}] +++ ${sig ? `killed by ${SIGNAMES[sig] ?? sig}` : `exited with ${code}`} +++\n`);
  const n: ProcNotice = { kind: 'exit', pid: job.pid, code, signal };
  d.port.postMessage(n);
  nudge();
}
