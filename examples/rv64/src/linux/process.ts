// The state one guest process shares across the Linux modules.
import type { Memory } from '../memory.js';
import type { ThreadContext } from './thread.js';
import { FdTable, MemFs, type HostIo } from './vfs.js';

export type Handler = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

/** A set of Linux calls, by name, as one systab module. */
export interface LinuxModule {
  name: string;
  handlers: Record<string, Handler>;
  /** Wraps over other modules' calls (systab's wraps; the switch dispatcher has none). */
  wraps?: Record<string, (below: Handler) => Handler>;
}

export interface ProcessOptions {
  mem: Memory;
  brk: number;
  mmapTop: number;
  exe: string;
  /** Called by exit and exit_group: stops the CPU. */
  halt: (code: number) => void;
  /** Descriptors 0-2 without node:fs (RunOptions.io). */
  io?: HostIo;
  /** The leader: the program's first thread (its thread-local calls, and the group every thread shares). */
  thread: ThreadContext;
  /** A forked process's: the file tree (shared by every process), its descriptors (a fork of the parent's), its pid. */
  fs?: MemFs;
  fds?: FdTable;
  pid?: number;
}

export class Process {
  readonly mem: Memory;
  readonly fs: MemFs;
  readonly fds: FdTable;
  cwd = '/';
  readonly pid: number;
  exitCode: number | null = null;
  /** Where brk starts (execve moves it). */
  brkStart: number;
  brk: number;
  readonly mmapTop: number;
  /** What /proc/self/exe opens (execve changes it). */
  exe: string;
  readonly halt: (code: number) => void;
  readonly thread: ThreadContext;

  constructor(o: ProcessOptions) {
    this.mem = o.mem;
    this.brkStart = this.brk = o.brk;
    this.mmapTop = o.mmapTop;
    this.exe = o.exe;
    this.halt = o.halt;
    this.fds = o.fds ?? new FdTable(o.io);
    this.fs = o.fs ?? new MemFs();
    this.pid = o.pid ?? process.pid;
    this.thread = o.thread;
  }
}
