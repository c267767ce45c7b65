// Puts a program together: memory, ELF, stack, Linux modules, dispatcher, CPU.
import type { Table } from 'systab';
import { Cpu, GuestFault, type SyscallFn } from './cpu.js';
import { switchDispatcher } from './dispatch-switch.js';
import { systabDispatcher } from './dispatch-systab.js';
import { loadElf } from './elf.js';
import { linuxModules } from './linux/index.js';
import { statLoc } from './linux/fsops.js';
import { mountAll } from './linux/mounts.js';
import { walk } from './linux/namei.js';
import { Process } from './linux/process.js';
import type { Mount } from './linux/vfs.js';
import { Memory } from './memory.js';
import { buildStack } from './stack.js';

export const DEFAULT_MEMORY = 1 << 30;
const STACK_SIZE = 8 << 20;
const GUARD = 1 << 20;

/** Real kernels kill a faulting process with a signal; a shell reports 128 + its number. */
const SIGNAL_EXIT: Record<GuestFault['signal'], number> = { SIGILL: 132, SIGTRAP: 133, SIGSEGV: 139 };

export interface RunOptions {
  image: Uint8Array;
  argv: string[];
  env: string[];
  /** Absolute host path of the program, for readlink("/proc/self/exe"). */
  exe: string;
  dispatch?: 'systab' | 'switch';
  memoryBytes?: number;
  /** Host directories in the guest's tree (--mount). */
  mounts?: readonly Mount[];
  /** The guest's working directory at start (--cwd; default /). */
  cwd?: string;
  /** Called with the table before the guest starts (hooks for --trace and --stats). */
  onTable?: (table: Table, mem: Memory) => void;
}

export interface RunResult {
  exitCode: number;
  instructions: number;
  seconds: number;
  fault?: string;
  table?: Table;
}

export function run(o: RunOptions): RunResult {
  const mem = new Memory(o.memoryBytes ?? DEFAULT_MEMORY);
  const elf = loadElf(o.image, mem);
  const stackTop = mem.size;
  mem.map(stackTop - STACK_SIZE, STACK_SIZE);
  let cpu: Cpu | undefined;
  const proc = new Process({
    mem,
    brk: elf.brk,
    mmapTop: stackTop - STACK_SIZE - GUARD,
    exe: o.exe,
    halt: () => { cpu!.halted = true; },
  });
  const mountError = mountAll(proc.fs, o.mounts ?? []);
  if (mountError) throw new Error(`rv64: ${mountError}`);
  if (o.cwd !== undefined) {
    const l = walk(proc, '/', o.cwd, true);
    const st = typeof l === 'number' ? l : statLoc(l);
    if (typeof l === 'number' || typeof st === 'number' || (st.mode & 0o170000) !== 0o040000) throw new Error(`rv64: --cwd=${o.cwd}: no such directory in the guest (mount one first with --mount=HOST:GUEST)`);
    proc.cwd = l.path;
  }
  const modules = linuxModules(proc);
  let syscall: SyscallFn;
  let table: Table | undefined;
  if (o.dispatch === 'switch') syscall = switchDispatcher(modules);
  else {
    ({ table, syscall } = systabDispatcher(modules));
    o.onTable?.(table, mem);
  }
  cpu = new Cpu(mem, syscall, elf.textStart, elf.textEnd);
  cpu.pc = elf.entry;
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  cpu.setReg(2, buildStack(mem, stackTop, { argv: o.argv, env: o.env, elf, uid, gid }));

  const t0 = performance.now();
  let fault: string | undefined;
  try {
    cpu.run();
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    fault = `${e.signal}: ${e.message}`;
    proc.exitCode = SIGNAL_EXIT[e.signal];
  }
  const seconds = (performance.now() - t0) / 1000;
  return { exitCode: proc.exitCode ?? 0, instructions: cpu.instret, seconds, fault, table };
}
