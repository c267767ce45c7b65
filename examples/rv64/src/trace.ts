// --trace and --stats, built only on systab: hook switches with onEnter and
// onExit, the missing-call policy for numbers outside the ABI, and stats().
// Trace lines are strace's, from systab's trace formatter. The emulator
// knows nothing of them.
import type { Table } from 'systab';
// systab/trace once the package exports it; the sources meanwhile.
import { createFormatter, exitedLine, type Pending } from '../../../src/trace/format.js';
import type { Memory } from './memory.js';

/** strace's nargs for calls the formatter prints raw (it knows its own decoded calls'); from the kernel's SYSCALL_DEFINEn. */
const NARGS: Record<string, number> = {
  madvise: 3, mremap: 5, exit: 1, rseq: 4, sysinfo: 1, io_uring_setup: 2, getppid: 0, getuid: 0, geteuid: 0, getgid: 0, getegid: 0,
  set_robust_list: 2, dup: 1, pread64: 4, pwrite64: 4,
};

export interface TraceOptions {
  /** strace -s: bytes of a buffer shown before `...`. */
  strSize?: number;
}

/** Prints one strace line per call through write; returns the last line for a process that ended (`+++ exited with 0 +++`). */
export function startTrace(t: Table, mem: Memory, write: (line: string) => void, o: TraceOptions = {}): { ended(code: number, signal?: string): void } {
  const f = createFormatter({ abi: t.abi, read: (a, n) => (mem.valid(a, n) ? mem.bytes(a, n) : null), strSize: o.strSize, nargs: (name) => NARGS[name] });
  // Arguments are rendered on entry: a call may overwrite the memory they point to.
  // Hooks run for handled and missing numbers alike; numbers outside every
  // range of the ABI have no slot, so the missing-call policy traces those.
  const pending: Pending[] = [];
  t.hooks('*', { enter: true, exit: true });
  t.onEnter((nr, args) => { pending.push(f.enter(nr, args)); });
  t.onExit((nr, args, r) => { write(`${f.exit(pending.pop() ?? f.enter(nr, args), r)}\n`); });
  const inRange = (nr: number) => [{ base: t.abi.base, count: t.abi.count }, ...t.abi.extra].some((r) => nr >= r.base && nr < r.base + r.count);
  t.setMissing('*', (nr, args) => {
    if (!inRange(nr)) write(`${f.line(nr, args, t.abi.enosys)}\n`);
    return t.abi.enosys;
  });
  return {
    ended: (code, signal) => write(signal ? `+++ killed by ${signal} +++\n` : `${exitedLine(code)}\n`),
  };
}

/** Turns counting on for every number, missing and out-of-range ones too; call before the guest starts. */
export function startStats(t: Table): void {
  t.hooks('*', { count: true });
}

/** A table of calls per name and the missing calls, from t.stats(). */
export function formatStats(t: Table): string {
  const st = t.stats();
  const rows = [...st.calls].filter((c) => c.calls > 0).sort((a, b) => b.calls - a.calls || a.nr - b.nr);
  let out = '  calls  errors  name\n';
  for (const c of rows) out += `${String(c.calls).padStart(7)} ${String(c.errors).padStart(7)}  ${c.name ?? c.nr}\n`;
  out += st.missing.length === 0 && st.outOfRange === 0 ? 'missing: none\n' : 'missing (answered ENOSYS):\n';
  for (const m of st.missing) out += `${String(m.count).padStart(7)}          ${m.name ?? `nr ${m.nr}`} (${m.nr})\n`;
  if (st.outOfRange > 0) out += `${String(st.outOfRange).padStart(7)}          numbers outside the ABI's range\n`;
  return out;
}
