// Puts processes together for emulator.ts: the kernel's records with the
// first process (on this thread), the routed modules the table loads, the
// process host, and the first process's side of the kernel's answers.
import type { Table } from 'systab';
import type { Cpu, SyscallFn } from './cpu.js';
import { execStart } from './linux/exec.js';
import type { ThreadGroup } from './linux/group.js';
import { Kernel, XW_TEXT, XW_TEXT_END, XW_WORDS, type ProcRecord } from './linux/kernel.js';
import { specialAnswer, type CallerSide } from './linux/proc-wait.js';
import type { LinuxModule, Process } from './linux/process.js';
import { hostIds, routedModules } from './linux/procs.js';
import type { ThreadContext } from './linux/thread.js';
import { ProcHost } from './proc-host.js';

export interface ProcessSetup {
  modules: LinuxModule[];
  host: ProcHost;
  kernel: Kernel;
  /** Wires the table in; the first process's syscall function (the kernel's special answers are finished inside its calls). */
  attach(table: Table, leader: ThreadContext, syscall: SyscallFn, cpu: () => Cpu): SyscallFn;
  /** After the CPU stopped: true when an execve restarted it on a new program (run it again). */
  execed(cpu: Cpu): boolean;
  /** The first process has ended: it becomes a zombie nobody waits for; the others run to their end. */
  ended(code: number, signal: number): void;
}

export function setupProcesses(o: { proc: Process; group: ThreadGroup; pid: number; local: ReadonlySet<string>; text: [number, number]; url: URL; serveThreads(): void }): ProcessSetup {
  const kernel = new Kernel(o.pid);
  const xw = new Int32Array(new SharedArrayBuffer(XW_WORDS * 4));
  xw[XW_TEXT] = o.text[0] % 4294967296; xw[XW_TEXT + 1] = Math.floor(o.text[0] / 4294967296);
  xw[XW_TEXT_END] = o.text[1] % 4294967296; xw[XW_TEXT_END + 1] = Math.floor(o.text[1] / 4294967296);
  const ids = hostIds();
  const rec: ProcRecord = { pid: o.pid, ppid: process.ppid, pgid: ids.pgid, sid: ids.sid, proc: o.proc, group: o.group, h: {}, xw, state: 'running', status: 0, killedBy: 0 };
  kernel.leader = rec;
  kernel.add(rec);
  const routed = routedModules(kernel, o.proc, o.local);
  routed.build(rec);
  const host = new ProcHost({ kernel, routed, leaderGroup: o.group, url: o.url, serveThreads: o.serveThreads });
  let side: CallerSide | undefined;
  return {
    modules: routed.modules,
    host,
    kernel,
    attach(table, leader, syscall, cpu) {
      kernel.table = table;
      host.setTable(table);
      leader.fork = (s, flags, ptid, ctid) => host.fork(rec, s, flags, ptid, ctid);
      const c: CallerSide = side = { kw: kernel.kw, ctx: leader, call: syscall, exec: false, block: (gen, ms) => host.block(gen, ms) };
      kernel.leaderSpecial = (handler, nr, r, a0, a1, a2, a3, a4, a5) => {
        c.call = (_nr, b0, b1, b2, b3, b4, b5) => handler(b0, b1, b2, b3, b4, b5); // again, inside this call
        return specialAnswer(c, cpu(), nr, r, a0, a1, a2, a3, a4, a5);
      };
      return syscall; // unchanged: only routed calls can answer specially
    },
    execed(cpu) {
      if (!side?.exec || o.group.exiting) return false;
      side.exec = false;
      const x = execStart(xw);
      cpu.restart(x.entry, x.sp, x.textStart, x.textEnd);
      return true;
    },
    ended(code, signal) {
      kernel.exited(rec, code, signal);
      host.drain();
    },
  };
}
