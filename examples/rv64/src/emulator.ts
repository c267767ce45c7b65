// Puts a program together: memory, ELF, stack, Linux modules, dispatcher, CPU;
// then runs the leader (the first guest thread) here, and hosts the others (thread-host.ts).
import type { Table } from 'systab';
import { Cpu, GuestFault, type SyscallFn } from './cpu.js';
import { switchDispatcher } from './dispatch-switch.js';
import { systabDispatcher } from './dispatch-systab.js';
import { loadElf } from './elf.js';
import { G_CODE, G_TRAMP, MAX_THREADS, ThreadGroup } from './linux/group.js';
import { deliverSignals, interrupted, signalWaiting, TRAMPOLINE } from './linux/signals.js';
import { linuxModules, threadLocalModules } from './linux/index.js';
import { setupProcesses } from './proc-setup.js';
import { MAX_PROCS } from './proc-host.js';
import { statLoc } from './linux/fsops.js';
import { mountAll } from './linux/mounts.js';
import { walk } from './linux/namei.js';
import { Process } from './linux/process.js';
import type { HostIo, Mount } from './linux/vfs.js';
import type { ThreadContext } from './linux/thread.js';
import { ThreadHost, TICK } from './thread-host.js';
import type { ThreadTrace } from './thread-trace.js';
import { CALL_TIMEOUT } from './thread-worker.js';
import { Memory } from './memory.js';
import { buildStack } from './stack.js';

export const DEFAULT_MEMORY = 1 << 30;
const STACK_SIZE = 8 << 20;
const GUARD = 1 << 20;

/** Real kernels kill a faulting process with a signal; a shell reports 128 + its number. */
const SIGNAL_EXIT: Record<GuestFault['signal'], number> = { SIGILL: 132, SIGTRAP: 133, SIGBUS: 135, SIGSEGV: 139 };

export interface RunOptions {
  image: Uint8Array;
  argv: string[];
  env: string[];
  /** Absolute host path of the program, for readlink("/proc/self/exe"). */
  exe: string;
  dispatch?: 'systab' | 'switch';
  memoryBytes?: number;
  /** A linux-riscv64 table to load the Linux modules into (e.g. attached in a worker), instead of a new one. */
  table?: Table;
  /** The guest's descriptors 0-2 without node:fs (a browser worker). */
  io?: HostIo;
  /** The script a guest thread's worker runs (default: this module's file, i.e. the bundle; see thread-worker.ts). */
  workerUrl?: URL;
  /** Host directories in the guest's tree (--mount). */
  mounts?: readonly Mount[];
  /** The guest's working directory at start (--cwd; default /). */
  cwd?: string;
  /** Called with the table before the guest starts (hooks for --trace and --stats); may give the trace other threads join. */
  onTable?: (table: Table, mem: Memory) => ThreadTrace | void;
}

export interface RunResult {
  exitCode: number;
  /** Guest instructions: the leader's, and those of every other thread that ended (exit_group's victims are not counted). */
  instructions: number;
  seconds: number;
  fault?: string;
  table?: Table;
  /** Resolves once every guest thread's worker has exited. */
  ended: Promise<void>;
  /** Processes: how many forks ran, and on how many workers (they are kept and reused). */
  processes?: { forks: number; workers: number };
}

export function run(o: RunOptions): RunResult {
  const mem = new Memory(o.memoryBytes ?? DEFAULT_MEMORY);
  const elf = loadElf(o.image, mem);
  const stackTop = mem.size;
  mem.map(stackTop - STACK_SIZE, STACK_SIZE);
  const pid = process.pid;
  const group = ThreadGroup.create(pid);
  // The signal return trampoline, in the guard page below the stack (mmap never hands it out).
  const tramp = stackTop - STACK_SIZE - 4096;
  mem.map(tramp, 4096);
  TRAMPOLINE.forEach((inst, i) => mem.dv.setInt32(tramp + 4 * i, inst, true));
  Atomics.store(group.w, G_TRAMP, tramp);
  // Threads need a shared memory and a table other workers can attach to.
  const threads = mem.shared && o.dispatch !== 'switch' && o.table === undefined; // a table given by an embedder (the page) has no thread host
  let cpu: Cpu | undefined;
  let host: ThreadHost | undefined;
  let leaderCode = 0;
  const leader: ThreadContext = {
    tid: pid, pid, mem, group, clearTid: 0, sigmask: [0, 0], altstack: null, slot: -1, sigreturn: false,
    cpu: () => cpu!,
    wait: (i32, index, value, ms) => (host ? host.wait(i32, index, value, ms) : Atomics.wait(i32, index, value, ms)),
    spawn: threads ? (s) => host!.spawn(s) : null,
    halt: () => { cpu!.halted = true; },
    exited: (code) => { leaderCode = code; group.remove(pid); },
  };
  const proc = new Process({
    mem,
    brk: elf.brk,
    mmapTop: stackTop - STACK_SIZE - GUARD,
    exe: o.exe,
    halt: () => { cpu!.halted = true; },
    io: o.io,
    thread: leader,
  });
  const mountError = mountAll(proc.fs, o.mounts ?? []);
  if (mountError) throw new Error(`rv64: ${mountError}`);
  if (o.cwd !== undefined) {
    const l = walk(proc, '/', o.cwd, true);
    const st = typeof l === 'number' ? l : statLoc(l);
    if (typeof l === 'number' || typeof st === 'number' || (st.mode & 0o170000) !== 0o040000) throw new Error(`rv64: --cwd=${o.cwd}: no such directory in the guest (mount one first with --mount=HOST:GUEST)`);
    proc.cwd = l.path;
  }
  // Processes (fork, execve, pipes between workers) where threads can be: the first process is kernel.leader.
  const procs = threads ? setupProcesses({ proc, group, pid, local: new Set(threadLocalModules(leader).map((m) => m.name)), text: [elf.textStart, elf.textEnd], url: o.workerUrl ?? new URL(import.meta.url), serveThreads: () => host?.serve() }) : undefined;
  const modules = procs ? procs.modules : linuxModules(proc);
  let syscall: SyscallFn;
  let table: Table | undefined;
  let threadTrace: ThreadTrace | undefined;
  if (o.dispatch === 'switch') syscall = switchDispatcher(modules);
  else {
    ({ table, syscall } = systabDispatcher(modules, o.table !== undefined ? { table: o.table } : threads ? { maxWorkers: MAX_THREADS + MAX_PROCS + 8, callRecords: 4, callTimeout: CALL_TIMEOUT } : {}));
    threadTrace = o.onTable?.(table, mem) ?? undefined;
  }
  if (procs) {
    syscall = procs.attach(table!, leader, syscall, () => cpu!);
    procs.host.setTrace(threadTrace);
  }
  cpu = new Cpu(mem, syscall, elf.textStart, elf.textEnd);
  cpu.pc = elf.entry;
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  cpu.setReg(2, buildStack(mem, stackTop, { argv: o.argv, env: o.env, elf, uid, gid }));
  if (threads) {
    const c = cpu;
    host = new ThreadHost({ table: table!, mem, group, pid, text: [elf.textStart, elf.textEnd], url: o.workerUrl ?? new URL(import.meta.url), halt: () => { cpu!.halted = true; }, trace: threadTrace, others: procs?.host });
    const h = host;
    cpu.tick = () => { h.tick(); if (!c.halted && signalWaiting(leader)) deliverSignals(leader); };
    cpu.tickEvery = TICK;
  } else cpu.tick = () => { if (signalWaiting(leader)) deliverSignals(leader); };
  cpu.onInterrupt = () => interrupted(leader);

  const t0 = performance.now();
  let fault: string | undefined;
  for (;;) {
    try {
      cpu.run();
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      fault = `${e.signal}: ${e.message}`;
      group.endAll(SIGNAL_EXIT[e.signal]);
    }
    if (!procs?.execed(cpu)) break; // execve: the same CPU starts the new program
  }
  // The leader exited alone (exit, not exit_group): the process lives while its other threads do.
  if (!group.exiting) host?.finish();
  // Other processes run on (orphans): their output still arrives; the exit code stays the first process's.
  procs?.ended(group.exiting ? Atomics.load(group.w, G_CODE) : leaderCode, fault ? SIGNAL_EXIT[fault.split(':')[0] as GuestFault['signal']] - 128 : 0);
  const ended = Promise.all([host?.end(), procs?.host.end()]).then(() => undefined);
  const seconds = (performance.now() - t0) / 1000;
  const exitCode = group.exiting ? Atomics.load(group.w, G_CODE) : leaderCode;
  proc.exitCode = exitCode;
  return { exitCode, instructions: cpu.instret + group.instructions(), seconds, fault, table, ended, processes: procs?.host.counts() };
}
