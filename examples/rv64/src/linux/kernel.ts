// The process table, at the home of the per-process modules (the emulator's
// main thread). Every process's state that the Linux calls keep at the home
// (descriptors, cwd, umask, brk, the page map's writer) is a Process object
// here, found for each call by the caller's worker (t.caller()): one table,
// one file tree, many processes. Processes run on workers (proc-host.ts);
// the first runs on the main thread itself. This file owns the records:
// pids, parents, process groups, zombies and their wait statuses, and
// sending signals from one process to another.
import type { Table } from 'systab';
import { KernelWords } from './answers.js';
import { G_NAP, G_PENDING, G_SIGACT, ThreadGroup } from './group.js';
import type { Handler, Process } from './process.js';
import { IGNORED, SIG_DFL, SIG_IGN } from './signals.js';

export { BLOCK_BASE, blockGen, EXEC_DONE, isBlock, K_GEN, K_WORDS } from './answers.js';
/** Exec words (ProcRecord.xw): entry, text start, text end, sp, each as two 32-bit halves. */
export const XW_ENTRY = 0, XW_TEXT = 2, XW_TEXT_END = 4, XW_SP = 6;
/** The signal the kernel ended the process with (its own thread reads it for the trace's `+++ killed by`). */
export const XW_KILLED = 8, XW_WORDS = 9;

const SIGCHLD = 17, SIGKILL = 9, SIGSTOP = 19;
const SA_NOCLDWAIT = 2;
const ECHILD = 10, ESRCH = 3, EINVAL = 22, EPERM = 1;
/** Signals whose default action stops or continues (no job control here: they do nothing). */
const STOPS = new Set([18, 19, 20, 21, 22]);

export interface ProcRecord {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  proc: Process;
  /** The process's thread group words: signal actions, pending signals, exiting. */
  group: ThreadGroup;
  /** This process's handlers for the calls kept at the home, by name. */
  h: Record<string, Handler>;
  /** Exec words, shared with the process's thread. */
  xw: Int32Array;
  state: 'running' | 'zombie';
  /** The wait status once a zombie (exit code << 8, or the signal). */
  status: number;
  /** The signal the kernel ended it with (kill, SIGPIPE), or 0. */
  killedBy: number;
  /** The worker running it (its threadId), or undefined: the main thread. */
  thread?: number;
}

export class Kernel extends KernelWords {
  readonly procs = new Map<number, ProcRecord>();
  readonly byThread = new Map<number, ProcRecord>();
  leader!: ProcRecord;
  private nextPid: number;
  table: Table | undefined;
  /** Processes not yet ended (the first one included). */
  live = 0;
  /**
   * The first process's own calls (made on this thread) that answer "would
   * block" or EXEC_DONE are finished here, inside the call (proc-setup.ts):
   * handler: the call's handler, to run again; nr: its number.
   */
  leaderSpecial?: (handler: Handler, nr: number, r: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

  constructor(firstPid: number) {
    super();
    // Apart from the first process's thread ids (pid + 1, ...).
    this.nextPid = firstPid + 10000;
  }

  /** A new pid; the next 63 numbers are left for the process's threads (their ids count up from its pid, as the first process's do). */
  allocPid(): number { const pid = this.nextPid; this.nextPid += 64; return pid; }

  /** The calling process: by the worker that carried the call here; the first process's own calls and its threads' otherwise. */
  self(): ProcRecord {
    const c = this.table?.caller();
    return c === undefined ? this.leader : this.byThread.get(c.threadId) ?? this.leader;
  }

  add(rec: ProcRecord): void {
    if (rec.state === 'running') this.live++;
    this.procs.set(rec.pid, rec);
    if (rec.thread !== undefined) this.byThread.set(rec.thread, rec);
  }

  /** A process has ended (its thread stopped): a zombie for its parent, its descriptors closed, its children orphans. */
  exited(rec: ProcRecord, code: number, signal = 0): void {
    if (rec.state !== 'running') return;
    rec.state = 'zombie';
    this.live--;
    const sig = rec.killedBy || signal;
    rec.status = sig ? sig & 0x7f : (code & 0xff) << 8;
    if (rec.thread !== undefined && this.byThread.get(rec.thread) === rec) this.byThread.delete(rec.thread);
    rec.proc.fds.closeAll();
    for (const c of this.procs.values()) {
      if (c.ppid !== rec.pid) continue;
      c.ppid = 1; // reparented to init, which reaps it
      if (c.state === 'zombie') this.procs.delete(c.pid);
    }
    const parent = this.procs.get(rec.ppid);
    if (!parent || parent.state !== 'running') this.procs.delete(rec.pid);
    else {
      const a = actionOf(parent.group, SIGCHLD);
      if (a.handler === SIG_IGN || (a.flags & SA_NOCLDWAIT) !== 0) this.procs.delete(rec.pid); // POSIX: no zombie
      else if (a.handler !== SIG_DFL) this.raise(parent, SIGCHLD);
    }
    this.changed();
  }

  /** Marks sig pending for the process's first thread and wakes whatever it waits in. */
  private raise(rec: ProcRecord, sig: number): void {
    const slot = rec.group.slot(rec.pid);
    if (slot < 0) return;
    rec.group.raise(slot, sig);
    Atomics.notify(rec.group.w, G_PENDING + 2 * slot + (sig > 32 ? 1 : 0));
    Atomics.notify(rec.group.w, G_NAP);
    this.changed();
  }

  /** The kernel ends the process with sig (kill's default action, SIGPIPE): it stops at its next tick, call or wake. */
  terminate(rec: ProcRecord, sig: number): void {
    if (rec.state !== 'running') return;
    if (!rec.killedBy) { rec.killedBy = sig; Atomics.store(rec.xw, XW_KILLED, sig); }
    rec.group.endAll(128 + sig);
    Atomics.notify(rec.group.w, G_NAP);
    this.changed();
  }

  /** Sends sig to one process, as its disposition says. */
  signal(rec: ProcRecord, sig: number): void {
    if (sig === 0 || rec.state !== 'running') return;
    if (sig === SIGKILL) { this.terminate(rec, sig); return; }
    if (sig === SIGSTOP) return;
    const a = actionOf(rec.group, sig);
    if (a.handler === SIG_IGN) return;
    if (a.handler === SIG_DFL) {
      if (IGNORED.has(sig) || STOPS.has(sig)) return;
      this.terminate(rec, sig);
      return;
    }
    this.raise(rec, sig);
  }

  /** kill(2): pid > 0 one process, 0 the caller's group, -1 every process but init and the caller, < -1 group -pid. */
  kill(from: ProcRecord, pid: number, sig: number): number {
    const targets = [...this.procs.values()].filter((r) => (pid > 0 ? r.pid === pid : pid === 0 ? r.pgid === from.pgid : pid === -1 ? r !== from : r.pgid === -pid));
    const live = targets.filter((r) => r.state === 'running' || pid > 0);
    if (live.length === 0) return -ESRCH; // before the signal's check, as Linux finds the task first
    if (sig < 0 || sig > 64) return -EINVAL;
    for (const r of live) this.signal(r, sig);
    return 0;
  }

  /** The zombie children wait4/waitid may take: -ECHILD when no child matches at all, null when none has ended yet. */
  private findChild(from: ProcRecord, match: (r: ProcRecord) => boolean): ProcRecord | null | number {
    let any = false;
    for (const r of this.procs.values()) {
      if (r.ppid !== from.pid || !match(r)) continue;
      any = true;
      if (r.state === 'zombie') return r;
    }
    return any ? null : -ECHILD;
  }

  /** wait4's choice of children: pid > 0 that one, -1 any, 0 the caller's group, < -1 group -pid. */
  waitMatch(from: ProcRecord, pid: number): (r: ProcRecord) => boolean {
    return pid > 0 ? (r) => r.pid === pid : pid === -1 ? () => true : pid === 0 ? (r) => r.pgid === from.pgid : (r) => r.pgid === -pid;
  }

  /** Takes a zombie (or looks, with keep); the zombie's record, null (none yet) or -errno. */
  reap(from: ProcRecord, match: (r: ProcRecord) => boolean, keep = false): ProcRecord | null | number {
    const r = this.findChild(from, match);
    if (r !== null && typeof r !== 'number' && !keep) this.procs.delete(r.pid);
    return r;
  }

  setpgid(from: ProcRecord, pid: number, pgid: number): number {
    if (pgid < 0) return -EINVAL;
    const r = pid === 0 ? from : this.procs.get(pid);
    if (!r || (r !== from && r.ppid !== from.pid)) return -ESRCH;
    if (r.pid === r.sid) return -EPERM;
    r.pgid = pgid === 0 ? r.pid : pgid;
    return 0;
  }

  setsid(from: ProcRecord): number {
    if ([...this.procs.values()].some((r) => r.pgid === from.pid && r !== from) || from.pgid === from.pid) return -EPERM;
    from.sid = from.pgid = from.pid;
    return from.sid;
  }
}

/** A signal's handler and flags, from a process's group words (signals.ts keeps them there). */
export function actionOf(g: ThreadGroup, sig: number): { handler: number; flags: number } {
  const w = g.w, a = G_SIGACT + (sig - 1) * 6;
  return { handler: (Atomics.load(w, a + 1) >>> 0) * 4294967296 + (Atomics.load(w, a) >>> 0), flags: Atomics.load(w, a + 2) >>> 0 };
}

/** execve: caught signals return to their default action (ignored ones stay ignored). */
export function resetHandlers(g: ThreadGroup): void {
  for (let sig = 1; sig <= 64; sig++) {
    if (actionOf(g, sig).handler <= SIG_IGN) continue;
    const a = G_SIGACT + (sig - 1) * 6;
    for (let i = 0; i < 6; i++) Atomics.store(g.w, a + i, 0);
  }
}
