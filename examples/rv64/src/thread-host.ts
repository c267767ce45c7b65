// The leader's side of guest threads. The leader (the program's first
// thread) runs on the emulator's main thread, which loaded every module: it
// is their home, so the calls other threads make to per-process state (the
// descriptor table, the file system, the brk/mmap page map) are carried to
// it by systab, and it must keep serving them while its own guest thread
// computes (serve() at the CPU's tick), blocks (wait()), or has exited
// (finish()). It also starts every thread's worker, so each worker's
// exit is seen by a thread that has a table (systab evicts its records).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Table } from 'systab';
import { G_LEADER_WAIT, G_NUDGE, G_SPAWN, type ThreadGroup } from './linux/group.js';
import type { ThreadStart } from './linux/thread.js';
import type { Memory } from './memory.js';
import { BOX_IDLE, handTo, newBox } from './thread-box.js';
import type { ThreadTrace } from './thread-trace.js';
import type { WorkerInit } from './thread-worker.js';

export interface HostOptions {
  table: Table;
  mem: Memory;
  group: ThreadGroup;
  pid: number;
  /** The decode cache's range (the executable segment). */
  text: [number, number];
  /** The script a thread's worker runs: the emulator's bundle, which starts a thread when it finds its workerData. */
  url: URL;
  /** Stops the leader's CPU (the process is ending). */
  halt(): void;
  /** The trace each worker joins, when the run is traced. */
  trace?: ThreadTrace;
  /** Other processes (proc-host.ts): while busy, the leader serves as it does for threads, and serve() takes their notices. */
  others?: { busy(): boolean; serve(): void; threadFork?(notice: unknown): void };
}

const FIRST_SLICE = 0.05, LAST_SLICE = 1; // ms: how long the leader blocks between two looks at carried calls
const NUDGE_SPIN = 0.03; // ms
/** Instructions between two of the leader's ticks while it has other threads (cheap: see tick()). */
export const TICK = 1024;

export class ThreadHost {
  private readonly ports = new Set<MessagePort>();
  private readonly workers = new Set<Worker>();
  private nudges = 0;
  private hot = 0;
  private ticks = 0;
  /** Every worker's mailbox: an idle one takes the next thread. */
  private readonly boxes = new Set<Int32Array>();

  constructor(private readonly o: HostOptions) {}

  /**
   * Runs the thread on an idle worker, or a fresh one (the leader's clone
   * calls it; other threads' clones are posted here). Keeps one spare worker
   * starting, so the next clone need not wait for one to boot.
   */
  spawn(s: ThreadStart): void {
    const { group } = this.o;
    if (group.exiting) { group.remove(s.tid); return; }
    for (const box of this.boxes) if (handTo(box, s)) { this.spare(); return; }
    const box = newBox();
    handTo(box, s, true);
    this.start(box);
    this.spare();
  }

  private spare(): void {
    for (const box of this.boxes) if (Atomics.load(box, 0) === BOX_IDLE) return;
    const box = newBox();
    box[0] = BOX_IDLE;
    this.start(box);
  }

  private start(box: Int32Array): void {
    const { table, mem, group, pid, text } = this.o;
    const { port1, port2 } = new MessageChannel();
    const init: WorkerInit = { table: table.describe(), mem: mem.share(), group: group.sab, box, pid, text, port: port2, trace: this.o.trace };
    const w = new Worker(this.o.url, { workerData: { rv64Thread: init }, transferList: [port2] });
    this.workers.add(w);
    this.boxes.add(box);
    this.ports.add(port1);
    w.on('exit', () => { this.workers.delete(w); this.boxes.delete(box); this.ports.delete(port1); port1.close(); });
  }

  /**
   * The leader's tick (every TICK instructions): runs carried calls and
   * posted clones, and halts the leader once the process ends. One load
   * while nothing was announced (group.nudge()); then the table is polled
   * for a few ticks (the call is posted just after its nudge), and every
   * 16th tick regardless.
   */
  tick(): void {
    const { group } = this.o;
    if (group.live > 1 || Atomics.load(group.w, G_SPAWN) > 0 || this.o.others?.busy()) {
      const n = Atomics.load(group.w, G_NUDGE);
      if (n !== this.nudges) { this.nudges = n; this.hot = 4; }
      if (this.hot > 0 || (++this.ticks & 15) === 0) {
        if (this.hot > 0) this.hot--;
        this.serve();
        return;
      }
    }
    if (group.exiting) this.o.halt();
  }

  /** Runs carried calls and posted clones, and halts the leader once the process ends. */
  serve(): void {
    const { group } = this.o;
    if (group.live > 1 || Atomics.load(group.w, G_SPAWN) > 0 || this.o.others?.busy()) {
      this.o.table.poll();
      if (Atomics.load(group.w, G_SPAWN) > 0) this.take();
      this.o.others?.serve();
    }
    if (group.exiting) this.o.halt();
  }

  private take(): void {
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        Atomics.sub(this.o.group.w, G_SPAWN, 1);
        // A thread's fork (proc-worker.ts's notice) rides the same port as its clones.
        if ((m.message as { kind?: string }).kind === 'fork') this.o.others?.threadFork?.(m.message);
        else this.spawn(m.message as ThreadStart);
      }
    }
  }

  /**
   * The leader's Atomics.wait, serving carried calls: a thread about to
   * carry one nudges the leader awake first (group.nudge()), and the
   * leader then serves for a moment before it waits again. The wait is
   * also cut in slices (50 us, doubling to 1 ms), for a call whose nudge
   * came too early. A wake that lands while the leader serves is seen as
   * the changed value (callers of futex change it before they wake).
   */
  wait(i32: Int32Array, index: number, value: number, ms: number): 'ok' | 'not-equal' | 'timed-out' {
    const { group, mem } = this.o;
    if (group.live <= 1 && Atomics.load(group.w, G_SPAWN) === 0 && !this.o.others?.busy()) return Atomics.wait(i32, index, value, ms);
    const end = performance.now() + ms;
    // The word a nudge wakes: in guest memory, or one of the group's (sleeps, epoll).
    const at = i32 === mem.i32 ? index + 1 : i32 === group.w ? -(index + 1) : 0;
    let slice = FIRST_SLICE;
    for (let first = true; ; first = false) {
      this.serve();
      if (group.exiting) return 'ok';
      const left = end - performance.now();
      if (left <= 0) return 'timed-out';
      const nudges = Atomics.load(group.w, G_NUDGE);
      Atomics.store(group.w, G_LEADER_WAIT, at);
      const r = Atomics.wait(i32, index, value, Math.min(left, slice));
      Atomics.store(group.w, G_LEADER_WAIT, 0);
      if (r === 'not-equal') return first ? r : 'ok'; // changed while we served: woken
      if (r === 'ok') {
        if (Atomics.load(group.w, G_NUDGE) === nudges) return r;
        this.linger(); // a nudge: the call it announced is being posted
        slice = FIRST_SLICE;
        continue;
      }
      slice = Math.min(LAST_SLICE, slice * 2);
    }
  }

  /** Serves for NUDGE_SPIN ms: a nudged leader catches the call posted right after the nudge. */
  private linger(): void {
    const until = performance.now() + NUDGE_SPIN;
    do this.o.table.poll(); while (performance.now() < until);
  }

  /** The leader's guest thread has exited: serve the others until they all have, or the process ends. */
  finish(): void {
    const { group, table } = this.o;
    while (!group.exiting && group.live > 0) {
      table.listen(1);
      this.serve();
    }
  }

  /** Ends every thread's worker (exit_group, a fatal signal, or all done); resolves once all have exited. */
  end(): Promise<void> {
    return Promise.all([...this.workers].map((w) => w.terminate())).then(() => undefined);
  }
}
