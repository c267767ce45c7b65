// A guest thread's worker: it attaches to the leader's table once, sees the
// same guest memory, and then runs threads one after another (thread-box.ts):
// for each it provides its own copy of the thread-local modules (clone,
// exit, futex, ids, signal mask, clocks, sleeps: they run here) and runs the
// CPU from the registers clone gave it. Every other call (files, memory
// maps, process identity) finds no code here and is carried by systab to
// the leader, the modules' home.
import { writeSync } from 'node:fs';
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { attach, type Table, type TableDescriptor } from 'systab';
import { abi } from 'systab/abi/linux-riscv64';
import { Cpu, GuestFault, type SyscallFn } from './cpu.js';
import { G_SPAWN, ThreadGroup } from './linux/group.js';
import { threadLocalModules } from './linux/index.js';
import { pollUntilDone } from './linux/proc-wait.js';
import { deliverSignals, interrupted, signalWaiting } from './linux/signals.js';
import type { ThreadContext } from './linux/thread.js';
import { Memory } from './memory.js';
import { takeFrom } from './thread-box.js';
import { joinTrace, type ThreadTrace } from './thread-trace.js';

/** What the leader posts to a thread's worker. */
export interface WorkerInit {
  table: TableDescriptor;
  mem: { size: number; buffer: SharedArrayBuffer; pages: SharedArrayBuffer };
  group: SharedArrayBuffer;
  /** This worker's mailbox: the threads it is to run. */
  box: Int32Array;
  pid: number;
  text: [number, number];
  /** Where this thread posts the clones it makes (the leader starts their workers). */
  port: MessagePort;
  /** The leader's trace, which this worker joins (strace -f). */
  trace?: ThreadTrace;
}

/** How long a carried call may wait for the leader (it serves at least every few ms; a blocking read may take long). */
export const CALL_TIMEOUT = 24 * 3600 * 1000;

/** Exit codes of the faults, as a shell reports a process killed by the signal. */
const FAULT_EXIT: Record<GuestFault['signal'], number> = { SIGILL: 132, SIGTRAP: 133, SIGBUS: 135, SIGSEGV: 139 };

export function isThreadWorker(): boolean {
  return !isMainThread && (workerData as { rv64Thread?: unknown } | null)?.rv64Thread !== undefined;
}

export function runThreadWorker(): void {
  const d = (workerData as { rv64Thread: WorkerInit }).rv64Thread;
  const t: Table = attach(d.table, { callTimeout: CALL_TIMEOUT });
  const mem = new Memory(d.mem.size, d.mem);
  const group = new ThreadGroup(d.group);
  let tid = 0;
  const tr = d.trace ? joinTrace(t, mem, d.trace, () => tid) : undefined;
  try {
    while (!group.exiting) runThread(d, t, mem, group, (id) => { tid = id; });
  } finally {
    tr?.close();
    d.port.close();
    t.close();
  }
}

function runThread(d: WorkerInit, t: Table, mem: Memory, group: ThreadGroup, running: (tid: number) => void): void {
  const s = takeFrom(d.box);
  running(s.tid);
  let cpu: Cpu | undefined;
  let exitCode: number | undefined;
  const ctx: ThreadContext = {
    tid: s.tid, pid: d.pid, mem, group, clearTid: s.clearTid, sigmask: s.sigmask, altstack: null, slot: -1, sigreturn: false,
    cpu: () => cpu!,
    wait: (i32, index, value, ms) => Atomics.wait(i32, index, value, ms), // exit_group ends this worker even mid-wait (terminate)
    spawn: (child) => {
      d.port.postMessage(child);
      Atomics.add(group.w, G_SPAWN, 1);
      group.nudge(mem.i32); // the leader takes it at its next tick, or now if it is blocked
      group.ring();
    },
    fork: (start, flags, ptid, ctid) => { // made by the leader's side (proc-host.ts), which answers in reply
      const reply = new Int32Array(new SharedArrayBuffer(8));
      d.port.postMessage({ kind: 'fork', pid: d.pid, start, flags, ptid, ctid, reply: reply.buffer });
      Atomics.add(group.w, G_SPAWN, 1);
      group.nudge(mem.i32);
      group.ring();
      while (Atomics.load(reply, 0) === 0) { Atomics.wait(reply, 0, 0, 5); group.nudge(mem.i32); }
      return reply[1]!;
    },
    halt: () => { cpu!.halted = true; },
    exited: (code) => { exitCode = code; }, // the finally below removes this thread from the group
  };
  const local = new Uint8Array(1024); // the numbers this thread runs itself; the rest are carried
  for (const m of threadLocalModules(ctx)) {
    t.provide({ name: m.name, handlers: m.handlers });
    for (const name of Object.keys(m.handlers)) local[abi.names[name as keyof typeof abi.names]!] = 1;
  }
  const call = t.call.bind(t) as SyscallFn, words = mem.i32;
  const syscall: SyscallFn = (nr, a0, a1, a2, a3, a4, a5) => {
    if (local[nr] !== 1) group.nudge(words); // the leader may be blocked: wake it to take this call
    const r = call(nr, a0, a1, a2, a3, a4, a5);
    return r < -4095 ? pollUntilDone(call, ctx, nr, r, a0, a1, a2, a3, a4, a5) : r; // a pipe that would block (proc-wait.ts)
  };
  cpu = new Cpu(mem, syscall, d.text[0], d.text[1]);
  cpu.lo.set(s.lo);
  cpu.hi.set(s.hi);
  cpu.fpu.w.set(s.fw);
  cpu.fpu.frm = s.frm;
  cpu.fpu.flags = s.fflags;
  cpu.pc = s.pc;
  const c = cpu;
  c.tick = () => {
    t.poll(); // a quiescent point: unloads need not wait for a thread that computes
    if (group.exiting) c.halted = true;
    else if (signalWaiting(ctx)) deliverSignals(ctx);
  };
  c.onInterrupt = () => interrupted(ctx);
  try {
    if (!group.exiting) c.run();
  } catch (e) {
    // A fault kills the whole process, as the kernel's signal would.
    const signal = e instanceof GuestFault ? e.signal : 'SIGSEGV';
    writeSync(2, `rv64: thread ${s.tid}: ${signal}: ${e instanceof Error ? e.message : String(e)}\n`);
    group.endAll(e instanceof GuestFault ? FAULT_EXIT[e.signal] : 134);
  } finally {
    group.addInstructions(c.instret);
    // After exit's own line, which the trace writes once the call returns.
    if (exitCode !== undefined && d.trace && d.trace.fd >= 0) writeSync(d.trace.fd, `[pid ${String(s.tid).padStart(5)}] +++ exited with ${exitCode} +++\n`);
    group.remove(s.tid);
  }
}
