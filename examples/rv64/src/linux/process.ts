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
}

export class Process {
  readonly mem: Memory;
  readonly fs = new MemFs();
  readonly fds: FdTable;
  cwd = '/';
  readonly pid = process.pid;
  exitCode: number | null = null;
  readonly brkStart: number;
  brk: number;
  readonly mmapTop: number;
  readonly exe: string;
  readonly halt: (code: number) => void;
  readonly thread: ThreadContext;

  constructor(o: ProcessOptions) {
    this.mem = o.mem;
    this.brkStart = this.brk = o.brk;
    this.mmapTop = o.mmapTop;
    this.exe = o.exe;
    this.halt = o.halt;
    this.fds = new FdTable(o.io);
    this.thread = o.thread;
  }
}
