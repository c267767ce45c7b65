// The calls kept at the home, for many processes: each process has its own
// instances of the per-process modules (io, files, dirs, mm, proc, misc,
// epoll) over its own Process, and the table holds one router per call
// name that runs the calling process's instance (kernel.self(), by
// t.caller()). The process calls themselves (wait4, waitid, kill, execve,
// getppid, process groups) are here, over the kernel's records; pipe2 and
// ppoll are replaced by pipe-aware ones (pipes.ts), and writes that meet a
// pipe without readers send SIGPIPE.
import { EFAULT, EINVAL, ESRCH } from './errno.js';
import { execve } from './exec.js';
import { linuxModules } from './index.js';
import type { Kernel, ProcRecord } from './kernel.js';
import { pipe2Handler, pipes } from './pipes.js';
import type { Handler, LinuxModule, Process } from './process.js';

const NR_PPOLL = 73;
const WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
const P_ALL = 0, P_PID = 1, P_PGID = 2;
const EPIPE = 32, SIGPIPE = 13, SIGCHLD = 17, CLD_EXITED = 1, CLD_KILLED = 2;
const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

/** The host's process group and session (the first process's). */
export { hostIds } from './misc.js';

/** The process calls, over rec. */
function processCalls(k: Kernel, rec: ProcRecord, base: Record<string, Handler>, rebuild: (r: ProcRecord) => void): Record<string, Handler> {
  const p = rec.proc, mem = p.mem;
  const sigpipe = (h: Handler | undefined): Handler | undefined => h && ((a0, a1, a2, a3, a4, a5) => {
    const r = h(a0, a1, a2, a3, a4, a5);
    if (r === -EPIPE) k.signal(rec, SIGPIPE);
    return r;
  });
  const wait4: Handler = (pid, wstatus, options, rusage) => {
    if ((options & ~(WNOHANG | 2 | 8 | 0x20000000 | 0x40000000 | 0x80000000)) !== 0) return -EINVAL;
    if ((wstatus !== 0 && !mem.valid(wstatus, 4)) || (rusage !== 0 && !mem.valid(rusage, 144))) return -EFAULT;
    const z = k.reap(rec, k.waitMatch(rec, pid >= 2 ** 31 ? pid - 2 ** 32 : pid));
    if (typeof z === 'number') return z;
    if (z === null) return options & WNOHANG ? 0 : k.blockAnswer();
    if (wstatus !== 0) mem.dv.setInt32(wstatus, z.status, true);
    if (rusage !== 0) mem.u8.fill(0, rusage, rusage + 144);
    return z.pid;
  };
  const waitid: Handler = (idtype, id, infop, options, rusage) => {
    if ((options & WEXITED) === 0 || idtype > P_PGID) return -EINVAL;
    if ((infop !== 0 && !mem.valid(infop, 128)) || (rusage !== 0 && !mem.valid(rusage, 144))) return -EFAULT;
    const match = idtype === P_ALL ? () => true : idtype === P_PID ? (r: ProcRecord) => r.pid === id : (r: ProcRecord) => r.pgid === (id === 0 ? rec.pgid : id);
    const z = k.reap(rec, match, (options & WNOWAIT) !== 0);
    if (typeof z === 'number') return z;
    if (z === null && !(options & WNOHANG)) return k.blockAnswer();
    if (infop !== 0) {
      mem.u8.fill(0, infop, infop + 128);
      if (z) {
        const killed = (z.status & 0x7f) !== 0;
        mem.dv.setInt32(infop, SIGCHLD, true);
        mem.dv.setInt32(infop + 8, killed ? CLD_KILLED : CLD_EXITED, true);
        mem.dv.setInt32(infop + 16, z.pid, true);
        mem.dv.setInt32(infop + 20, process.getuid?.() ?? 0, true);
        mem.dv.setInt32(infop + 24, killed ? z.status & 0x7f : (z.status >> 8) & 0xff, true);
      }
    }
    if (rusage !== 0) mem.u8.fill(0, rusage, rusage + 144);
    return 0;
  };
  const other = (pid: number): ProcRecord | undefined => (pid === 0 ? rec : k.procs.get(pid));
  const ppoll: Handler = (pfds, nfds, tmo) => {
    if (nfds > p.fds.limit) return -EINVAL;
    if (!mem.valid(pfds, nfds * 8) || (tmo !== 0 && !mem.valid(tmo, 16))) return -EFAULT;
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const at = pfds + i * 8;
      const fd = mem.dv.getInt32(at, true), events = mem.dv.getInt16(at + 4, true);
      let revents = 0;
      const f = fd >= 0 ? p.fds.get(fd) : null;
      if (fd >= 0 && !f) revents = POLLNVAL;
      else if (f) {
        const pipe = pipes.get(f);
        const reads = (f.flags & 3) !== 1, writes = (f.flags & 3) !== 0 || (f.kind === 'mem' && f.inode?.device !== undefined);
        if (pipe && reads) revents = (pipe.len > 0 ? events & (POLLIN | POLLRDNORM) : 0) | (pipe.writers === 0 ? POLLHUP : 0);
        else if (pipe) revents = (pipe.readyOut() ? events & (POLLOUT | POLLWRNORM) : 0) | (pipe.readers === 0 ? POLLERR : 0);
        else revents = (reads ? events & (POLLIN | POLLRDNORM) : 0) | (writes ? events & (POLLOUT | POLLWRNORM) : 0);
      }
      mem.dv.setInt16(at + 6, revents, true);
      if (revents !== 0) ready++;
    }
    if (ready > 0) return ready;
    const zero = tmo !== 0 && mem.u64(tmo) === 0 && mem.u64(tmo + 8) === 0;
    return zero ? 0 : k.blockAnswer(); // the caller's thread keeps the timeout (proc-wait.ts)
  };
  return {
    wait4,
    waitid,
    kill: (pid, sig) => k.kill(rec, pid >= 2 ** 31 ? pid - 2 ** 32 : pid, sig),
    getppid: () => rec.ppid,
    getpgid: (pid) => other(pid)?.pgid ?? -ESRCH,
    getsid: (pid) => other(pid)?.sid ?? -ESRCH,
    setpgid: (pid, pgid) => k.setpgid(rec, pid, pgid),
    setsid: () => k.setsid(rec),
    execve: (path, argv, envp) => execve(rec, path, argv, envp, { rebuild }),
    pipe2: pipe2Handler(k, mem, p.fds, p.fs),
    ppoll,
    write: sigpipe(base.write)!,
    writev: sigpipe(base.writev)!,
    pwrite64: sigpipe(base.pwrite64)!,
    sendfile: sigpipe(base.sendfile)!,
  };
}

/** What the table loads: the thread-local modules as they are, and a router per call for the rest. */
export interface Routed {
  modules: LinuxModule[];
  /** Sets rec.h: its handlers over its Process (at fork, and again at execve). */
  build(rec: ProcRecord): void;
}

export function routedModules(k: Kernel, first: Process, localNames: ReadonlySet<string>): Routed {
  const names: string[] = [];
  const index = new Map<string, number>();
  const slot = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) { i = names.length; names.push(name); index.set(name, i); }
    return i;
  };
  const build = (rec: ProcRecord): void => {
    const base: Record<string, Handler> = {};
    for (const m of linuxModules(rec.proc)) if (!localNames.has(m.name)) Object.assign(base, m.handlers);
    const all = { ...base, ...processCalls(k, rec, base, build) };
    const hv: Handler[] = [];
    for (const [name, h] of Object.entries(all)) hv[slot(name)] = h;
    (rec as ProcRecord & { hv: Handler[] }).hv = hv;
    rec.h = all;
  };
  // A special answer (below -4095) to the first process's own call is finished in the call, so a
  // trace sees the final result and the CPU's calls that are not routed pay nothing; others' go back to their caller.
  const router = (name: string): Handler => {
    const i = slot(name), nr = name === 'ppoll' ? NR_PPOLL : 0;
    return (a0, a1, a2, a3, a4, a5) => {
      const rec = k.self() as ProcRecord & { hv: Handler[] };
      const r = rec.hv[i]!(a0, a1, a2, a3, a4, a5);
      if (r >= -4095 || rec !== k.leader || k.leaderSpecial === undefined || k.table?.caller() !== undefined) return r;
      return k.leaderSpecial(rec.hv[i]!, nr, r, a0, a1, a2, a3, a4, a5);
    };
  };
  const owned = new Set<string>();
  const modules = linuxModules(first).map((m): LinuxModule => {
    if (localNames.has(m.name)) return m;
    const handlers: Record<string, Handler> = {};
    for (const name of Object.keys(m.handlers)) { handlers[name] = router(name); owned.add(name); }
    return { name: m.name, handlers, ...(m.wraps ? { wraps: m.wraps } : {}) };
  });
  const extra: Record<string, Handler> = {};
  for (const name of ['wait4', 'waitid', 'execve', 'kill', 'getppid', 'getpgid', 'getsid', 'setpgid', 'setsid', 'pipe2', 'ppoll']) if (!owned.has(name)) extra[name] = router(name);
  modules.push({ name: 'linux-procs', handlers: extra });
  return { modules, build };
}
