// --trace and --stats, built only on systab: hook switches with onEnter and
// onExit, the missing-call policy for numbers outside the ABI, and stats().
// The emulator knows nothing of them.
import { abiName, type Table } from 'systab';

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));
const fmt = (v: number): string => (Math.abs(v) < 0x10000 ? String(v) : hex(v));

/** Arguments each call takes (others show all six); from the kernel's SYSCALL_DEFINEn. */
const ARITY: Record<string, number> = {
  read: 3, write: 3, readv: 3, writev: 3, pread64: 4, pwrite64: 4, openat: 4, close: 1, lseek: 3, newfstatat: 4,
  fstat: 2, readlinkat: 4, unlinkat: 3, faccessat: 3, getcwd: 2, dup: 1, dup3: 3, fcntl: 3, ioctl: 3, brk: 1,
  mmap: 6, munmap: 2, mprotect: 3, madvise: 3, mremap: 5, exit: 1, exit_group: 1, set_tid_address: 1,
  set_robust_list: 2, rseq: 4, getpid: 0, gettid: 0, getppid: 0, getuid: 0, geteuid: 0, getgid: 0, getegid: 0,
  prlimit64: 4, getrandom: 3, clock_gettime: 2, uname: 1, sysinfo: 1, rt_sigaction: 4, rt_sigprocmask: 4, io_uring_setup: 2,
};
/** Arguments that are C strings in guest memory, by call. */
const STRING_ARG: Record<string, number> = { openat: 1, newfstatat: 1, readlinkat: 1, unlinkat: 1, faccessat: 1 };

/** Prints `name(args) = result` per call, strace style, through write. */
export function startTrace(t: Table, readString: (addr: number) => string | null, write: (line: string) => void): void {
  const nameOf = (nr: number) => abiName(t.abi, nr) ?? `syscall_${nr}`;
  const show = (nr: number, args: number[]): string => {
    const name = nameOf(nr);
    const s = STRING_ARG[name];
    return `${name}(${args.slice(0, ARITY[name] ?? 6).map((a, i) => {
      const str = i === s ? readString(a) : null;
      return str !== null ? JSON.stringify(str) : fmt(a);
    }).join(', ')})`;
  };
  const result = (r: unknown): string => {
    const n = Number(r);
    return n < 0 && n > -4096 ? `-1 errno=${-n}` : fmt(n);
  };

  // Arguments are rendered on entry: a call may overwrite the memory they point to.
  // Hooks run for handled and missing numbers alike; numbers outside every
  // range of the ABI have no slot, so the missing-call policy traces those.
  const pending: string[] = [];
  t.hooks('*', { enter: true, exit: true });
  t.onEnter((nr, args) => { pending.push(show(nr, args)); });
  t.onExit((nr, args, r) => { write(`${pending.pop() ?? show(nr, args)} = ${result(r)}\n`); });
  const inRange = (nr: number) => [{ base: t.abi.base, count: t.abi.count }, ...t.abi.extra].some((r) => nr >= r.base && nr < r.base + r.count);
  t.setMissing('*', (nr, args) => {
    if (!inRange(nr)) write(`${show(nr, args)} = ${result(t.abi.enosys)} (no handler)\n`);
    return t.abi.enosys;
  });
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
