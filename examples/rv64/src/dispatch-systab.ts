// The systab dispatcher: one linux-riscv64 table, each Linux module loaded by
// call name. The CPU's ecall calls table.call(a7, a0..a5) and nothing else.
import { createTable, type Table, type TableOptions, type WrapFactory } from 'systab';
import { abi } from 'systab/abi/linux-riscv64';
import type { SyscallFn } from './cpu.js';
import type { LinuxModule } from './linux/process.js';

/**
 * options: createTable()'s, beside the ABI (threads ask for more workers and a long callTimeout);
 * or `table`: one attached from another thread's describe() (the browser page's).
 */
export function systabDispatcher(modules: LinuxModule[], options: Pick<TableOptions, 'maxWorkers' | 'callRecords' | 'callTimeout'> & { table?: Table } = {}): { table: Table; syscall: SyscallFn } {
  const { table: given, ...opts } = options;
  const table = given ?? createTable({ ...opts, abi, async: false });
  // A wrap's `below` may answer a promise in general; the Linux handlers below ours never do.
  for (const m of modules) table.load({ name: m.name, handlers: m.handlers, ...(m.wraps ? { wraps: m.wraps as unknown as Record<string, WrapFactory> } : {}) });
  // A bound method keeps the CPU's call site monomorphic.
  const syscall: SyscallFn = table.call.bind(table);
  return { table, syscall };
}
