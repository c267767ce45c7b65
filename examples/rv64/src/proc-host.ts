// The main thread's side of processes: fork makes the child's state here
// (kernel.ts records, a copy of the memory, a fork of the descriptors) and
// runs it on a worker of its own (proc-worker.ts), which attaches to the one
// table; workers are kept for the next process when theirs ends. The main
// thread serves the calls children carry to it (and their posted fork and
// exit notices) while its own process computes, blocks, or has ended.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Table } from 'systab';
import { copyMemory, CLONE_CHILD_SETTID, CLONE_PARENT_SETTID, fsView } from './linux/fork.js';
import { execStart } from './linux/exec.js';
import { G_LEADER_WAIT, G_NAP, G_NUDGE, G_SIGACT, G_SPAWN, G_TRAMP, ThreadGroup } from './linux/group.js';
import { K_GEN, XW_KILLED, XW_WORDS, type Kernel, type ProcRecord } from './linux/kernel.js';
import { Process } from './linux/process.js';
import type { Routed } from './linux/procs.js';
import type { ThreadContext, ThreadStart } from './linux/thread.js';
import type { Memory } from './memory.js';
import { handTo, newBox } from './thread-box.js';
import type { ThreadTrace } from './thread-trace.js';
import type { WorkerInit } from './thread-worker.js';
import { PROC_IDLE, PROC_START, type ProcInit, type ProcJob, type ProcNotice } from './proc-worker.js';

interface ProcWorker { w: Worker; port: MessagePort; box: Int32Array; threadId: number; rec?: ProcRecord }
/** A thread of a child process: its own worker (thread-worker.ts), ended with its process. */
interface ChildThread { w: Worker; port: MessagePort; rec: ProcRecord }

/** Processes alive at once beside the first (each is a worker with a record in the table: emulator.ts sizes maxWorkers for them). */
export const MAX_PROCS = 32;

export interface ProcHostOptions {
  /** Set once the table exists (proc-setup.ts). */
  table?: Table;
  kernel: Kernel;
  routed: Routed;
  /** The first process's thread group: children nudge its leader awake to serve their calls. */
  leaderGroup: ThreadGroup;
  url: URL;
  /** Serves the first process's other threads (ThreadHost.serve). */
  serveThreads(): void;
}

/** A Process's thread context at the home: what home-side calls read of a child (its memory and group); it never runs a CPU here. */
function homeContext(pid: number, mem: Memory, group: ThreadGroup): ThreadContext {
  return {
    tid: pid, pid, mem, group, clearTid: 0, sigmask: [0, 0], altstack: null, slot: -1, sigreturn: false,
    cpu: () => { throw new Error('a child process has no CPU at the home'); },
    wait: (i32, index, value, ms) => Atomics.wait(i32, index, value, ms),
    spawn: null, halt: () => {}, exited: () => {},
  };
}

export class ProcHost {
  private readonly workers = new Set<ProcWorker>();
  private readonly threads = new Set<ChildThread>();
  private serving = false;
  private forks = 0;
  private started = 0;

  constructor(private readonly o: ProcHostOptions) {}

  setTable(t: Table): void { this.o.table = t; }

  /** -f: every process's worker joins this trace. */
  setTrace(tr: ThreadTrace | undefined): void { this.trace = tr; }
  private trace: ThreadTrace | undefined;

  counts(): { forks: number; workers: number } { return { forks: this.forks, workers: this.started }; }

  /** Other processes are running: the main thread must serve them. */
  busy(): boolean { return this.o.kernel.live > 1; }

  fork(parent: ProcRecord, s: ThreadStart, flags: number, ptid: number, ctid: number): number {
    const k = this.o.kernel, p = parent.proc;
    const pw = this.idle() ?? (this.workers.size < MAX_PROCS ? this.start() : undefined);
    if (pw === undefined || k.procs.size >= 4 * MAX_PROCS) return -11; // EAGAIN, as RLIMIT_NPROC would
    const pid = k.allocPid();
    const mem = copyMemory(p.mem);
    const group = ThreadGroup.create(pid);
    group.w.set(parent.group.w.subarray(G_SIGACT, G_SIGACT + 64 * 6), G_SIGACT);
    group.w[G_TRAMP] = parent.group.w[G_TRAMP]!;
    const proc = new Process({ mem, brk: p.brkStart, mmapTop: p.mmapTop, exe: p.exe, halt: () => {}, thread: homeContext(pid, mem, group), fs: fsView(p.fs, p.fs.umask), fds: p.fds.fork(), pid });
    proc.brk = p.brk;
    proc.cwd = p.cwd;
    if (flags & CLONE_CHILD_SETTID && mem.valid(ctid, 4)) mem.dv.setInt32(ctid, pid, true);
    if (flags & CLONE_PARENT_SETTID && mem.valid(ptid, 4)) { mem.dv.setInt32(ptid, pid, true); p.mem.dv.setInt32(ptid, pid, true); }
    const xw = new Int32Array(new SharedArrayBuffer(XW_WORDS * 4));
    xw.set(parent.xw);
    xw[XW_KILLED] = 0;
    const rec: ProcRecord = { pid, ppid: parent.pid, pgid: parent.pgid, sid: parent.sid, proc, group, h: {}, xw, state: 'running', status: 0, killedBy: 0 };
    this.o.routed.build(rec);
    rec.thread = pw.threadId;
    pw.rec = rec;
    k.add(rec);
    this.forks++;
    const job: ProcJob = { pid, mem: mem.share(), group: group.sab, xw: xw.buffer as SharedArrayBuffer, start: { ...s, tid: pid } };
    pw.port.postMessage(job);
    Atomics.store(pw.box, 0, PROC_START);
    Atomics.notify(pw.box, 0);
    this.spare();
    return pid;
  }

  private idle(): ProcWorker | undefined {
    for (const pw of this.workers) if (Atomics.load(pw.box, 0) === PROC_IDLE && (pw.rec === undefined || pw.rec.state !== 'running')) return pw;
    return undefined;
  }

  /** One idle worker always starting or waiting, so that the next fork need not wait ~100 ms for a boot. */
  private spare(): void {
    if (this.idle() === undefined && this.workers.size < MAX_PROCS) this.start();
  }

  private start(): ProcWorker {
    const { port1, port2 } = new MessageChannel();
    const box = new Int32Array(new SharedArrayBuffer(4));
    box[0] = PROC_IDLE;
    const init: ProcInit = { table: this.o.table!.describe(), port: port2, box, kw: this.o.kernel.kw.buffer as SharedArrayBuffer, leaderGroup: this.o.leaderGroup.sab, trace: this.trace };
    this.started++;
    const w = new Worker(this.o.url, { workerData: { rv64Proc: init }, transferList: [port2] });
    const pw: ProcWorker = { w, port: port1, box, threadId: w.threadId };
    this.workers.add(pw);
    w.on('exit', () => {
      this.workers.delete(pw);
      port1.close();
      // A worker that died with its process running (it should not): the process ends as killed.
      if (pw.rec?.state === 'running') this.o.kernel.exited(pw.rec, 0, 9);
    });
    return pw;
  }

  /** A thread of child process rec, on a fresh worker that attaches to the table; its calls are rec's (kernel.byThread). */
  private startThread(rec: ProcRecord, s: ThreadStart): void {
    if (rec.group.exiting) { rec.group.remove(s.tid); return; }
    const { port1, port2 } = new MessageChannel();
    const box = newBox();
    handTo(box, s, true);
    const x = execStart(rec.xw);
    const init: WorkerInit = { table: this.o.table!.describe(), mem: rec.proc.mem.share(), group: rec.group.sab, box, pid: rec.pid, text: [x.textStart, x.textEnd], port: port2, trace: this.trace };
    const w = new Worker(this.o.url, { workerData: { rv64Thread: init }, transferList: [port2] });
    const ct: ChildThread = { w, port: port1, rec };
    this.threads.add(ct);
    this.o.kernel.byThread.set(w.threadId, rec);
    w.on('exit', () => { this.threads.delete(ct); port1.close(); if (this.o.kernel.byThread.get(w.threadId) === rec) this.o.kernel.byThread.delete(w.threadId); });
  }

  /** Takes the children's posted notices: fork requests and exits. */
  serve(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      for (const pw of this.workers) {
        for (let m = receiveMessageOnPort(pw.port); m !== undefined; m = receiveMessageOnPort(pw.port)) this.notice(pw, m.message as ProcNotice);
      }
      for (const ct of this.threads) {
        for (let m = receiveMessageOnPort(ct.port); m !== undefined; m = receiveMessageOnPort(ct.port)) {
          const msg = m.message as ProcNotice | ThreadStart;
          Atomics.sub(ct.rec.group.w, G_SPAWN, 1); // thread-worker.ts counts what it posts
          if ('kind' in msg) this.notice(undefined, msg); else this.startThread(ct.rec, msg);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  /** A fork asked by a thread of the first process (thread-worker.ts posts it through the thread host). */
  threadFork(n: unknown): void {
    this.notice(undefined, n as ProcNotice);
  }

  private notice(pw: ProcWorker | undefined, n: ProcNotice): void {
    const k = this.o.kernel;
    const rec = k.procs.get(n.pid);
    if (n.kind === 'exit') {
      if (rec) k.exited(rec, n.code, n.signal);
      for (const ct of this.threads) if (ct.rec.pid === n.pid) { this.threads.delete(ct); ct.port.close(); void ct.w.terminate(); }
      return;
    }
    if (n.kind === 'spawn') { if (rec && rec.state === 'running') this.startThread(rec, n.start); else if (rec) rec.group.remove(n.start.tid); return; }
    const reply = new Int32Array(n.reply);
    const pid = rec && rec.state === 'running' ? this.fork(rec, n.start, n.flags, n.ptid, n.ctid) : -3;
    Atomics.store(reply, 1, pid);
    Atomics.store(reply, 0, 1);
    Atomics.notify(reply, 0);
    void pw;
  }

  /** Everything the main thread serves: carried calls, the first process's threads, the children's notices. */
  serveAll(): void {
    this.o.table!.poll();
    this.o.serveThreads();
    this.serve();
  }

  /**
   * The first process waits (a blocked read, wait4) for the kernel's
   * generation to leave gen, serving meanwhile; children nudge it awake
   * (G_LEADER_WAIT) when they carry a call or post a notice.
   */
  block(gen: number, ms: number): void {
    const g = this.o.leaderGroup, kw = this.o.kernel.kw;
    const end = performance.now() + ms;
    let slice = 0.05;
    for (;;) {
      this.serveAll();
      if (Atomics.load(kw, K_GEN) !== gen || g.exiting) return;
      const left = end - performance.now();
      if (left <= 0) return;
      const nudges = Atomics.load(g.w, G_NUDGE);
      Atomics.store(g.w, G_LEADER_WAIT, -(G_NAP + 1));
      Atomics.wait(g.w, G_NAP, 0, Math.min(left, slice));
      Atomics.store(g.w, G_LEADER_WAIT, 0);
      if (Atomics.load(g.w, G_NUDGE) !== nudges) {
        const until = performance.now() + 0.03; // the call a nudge announced is posted just after it
        do this.o.table!.poll(); while (performance.now() < until);
        slice = 0.05;
      } else slice = Math.min(1, slice * 2);
    }
  }

  /** The first process has ended: serve the others until every process has. */
  drain(): void {
    const k = this.o.kernel;
    while (k.live > 0) {
      this.o.table!.listen(1);
      this.serveAll();
    }
  }

  /** Ends every process worker; resolves once all have exited. */
  end(): Promise<void> {
    return Promise.all([...this.workers, ...this.threads].map((pw) => pw.w.terminate())).then(() => undefined);
  }
}
