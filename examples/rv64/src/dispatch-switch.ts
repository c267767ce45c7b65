// The baseline the benchmark compares systab against: a plain switch over
// linux-riscv64 numbers (include/uapi/asm-generic/unistd.h) calling the same
// handler functions. No hooks, no counters, no run-time changes.
import type { SyscallFn } from './cpu.js';
import type { Handler, LinuxModule } from './linux/process.js';
import { SWITCH_NUMBERS } from './switch-numbers.js';

const ENOSYS = -38;


export function switchDispatcher(modules: LinuxModule[]): SyscallFn {
  const h: Record<string, Handler> = {};
  for (const m of modules) Object.assign(h, m.handlers);
  for (const name of Object.keys(h)) if (!(name in SWITCH_NUMBERS)) throw new Error(`switch dispatcher has no number for ${name}`);
  const missing: Handler = () => ENOSYS;
  // Calls without a case label of their own, by number (the default branch).
  const byNr: Handler[] = [];
  for (const [name, handler] of Object.entries(h)) byNr[SWITCH_NUMBERS[name]!] = handler;
  const f = (name: string): Handler => h[name] ?? missing;
  const getcwd = f('getcwd'), dup = f('dup'), dup3 = f('dup3'), fcntl = f('fcntl'), ioctl = f('ioctl'),
    mkdirat = f('mkdirat'), unlinkat = f('unlinkat'), faccessat = f('faccessat'), openat = f('openat'), close = f('close'), pipe2 = f('pipe2'), lseek = f('lseek'),
    read = f('read'), write = f('write'), readv = f('readv'), writev = f('writev'), pread64 = f('pread64'),
    pwrite64 = f('pwrite64'), readlinkat = f('readlinkat'), newfstatat = f('newfstatat'), fstat = f('fstat'),
    exit = f('exit'), exit_group = f('exit_group'), set_tid_address = f('set_tid_address'),
    set_robust_list = f('set_robust_list'), nanosleep = f('nanosleep'), clock_nanosleep = f('clock_nanosleep'), clock_gettime = f('clock_gettime'), rt_sigaction = f('rt_sigaction'),
    rt_sigprocmask = f('rt_sigprocmask'), uname = f('uname'), getpid = f('getpid'), getppid = f('getppid'),
    getuid = f('getuid'), geteuid = f('geteuid'), getgid = f('getgid'), getegid = f('getegid'), gettid = f('gettid'), sysinfo = f('sysinfo'),
    brk = f('brk'), munmap = f('munmap'), mremap = f('mremap'), mmap = f('mmap'), mprotect = f('mprotect'),
    madvise = f('madvise'), prlimit64 = f('prlimit64'), getrandom = f('getrandom'), rseq = f('rseq');
  // threads.ts's and epoll.ts's calls are found by number too (clone answers ENOSYS here: threads need systab's table to attach to; no wraps, so no pipe is ever ready).

  return (nr, a0, a1, a2, a3, a4, a5) => {
    switch (nr) {
      case 17: return getcwd(a0, a1, a2, a3, a4, a5);
      case 23: return dup(a0, a1, a2, a3, a4, a5);
      case 24: return dup3(a0, a1, a2, a3, a4, a5);
      case 25: return fcntl(a0, a1, a2, a3, a4, a5);
      case 29: return ioctl(a0, a1, a2, a3, a4, a5);
      case 34: return mkdirat(a0, a1, a2, a3, a4, a5);
      case 35: return unlinkat(a0, a1, a2, a3, a4, a5);
      case 48: return faccessat(a0, a1, a2, a3, a4, a5);
      case 56: return openat(a0, a1, a2, a3, a4, a5);
      case 57: return close(a0, a1, a2, a3, a4, a5);
      case 59: return pipe2(a0, a1, a2, a3, a4, a5);
      case 62: return lseek(a0, a1, a2, a3, a4, a5);
      case 63: return read(a0, a1, a2, a3, a4, a5);
      case 64: return write(a0, a1, a2, a3, a4, a5);
      case 65: return readv(a0, a1, a2, a3, a4, a5);
      case 66: return writev(a0, a1, a2, a3, a4, a5);
      case 67: return pread64(a0, a1, a2, a3, a4, a5);
      case 68: return pwrite64(a0, a1, a2, a3, a4, a5);
      case 78: return readlinkat(a0, a1, a2, a3, a4, a5);
      case 79: return newfstatat(a0, a1, a2, a3, a4, a5);
      case 80: return fstat(a0, a1, a2, a3, a4, a5);
      case 93: return exit(a0, a1, a2, a3, a4, a5);
      case 94: return exit_group(a0, a1, a2, a3, a4, a5);
      case 96: return set_tid_address(a0, a1, a2, a3, a4, a5);
      case 99: return set_robust_list(a0, a1, a2, a3, a4, a5);
      case 101: return nanosleep(a0, a1, a2, a3, a4, a5);
      case 113: return clock_gettime(a0, a1, a2, a3, a4, a5);
      case 115: return clock_nanosleep(a0, a1, a2, a3, a4, a5);
      case 134: return rt_sigaction(a0, a1, a2, a3, a4, a5);
      case 135: return rt_sigprocmask(a0, a1, a2, a3, a4, a5);
      case 160: return uname(a0, a1, a2, a3, a4, a5);
      case 172: return getpid(a0, a1, a2, a3, a4, a5);
      case 173: return getppid(a0, a1, a2, a3, a4, a5);
      case 174: return getuid(a0, a1, a2, a3, a4, a5);
      case 175: return geteuid(a0, a1, a2, a3, a4, a5);
      case 176: return getgid(a0, a1, a2, a3, a4, a5);
      case 177: return getegid(a0, a1, a2, a3, a4, a5);
      case 178: return gettid(a0, a1, a2, a3, a4, a5);
      case 179: return sysinfo(a0, a1, a2, a3, a4, a5);
      case 214: return brk(a0, a1, a2, a3, a4, a5);
      case 215: return munmap(a0, a1, a2, a3, a4, a5);
      case 216: return mremap(a0, a1, a2, a3, a4, a5);
      case 222: return mmap(a0, a1, a2, a3, a4, a5);
      case 226: return mprotect(a0, a1, a2, a3, a4, a5);
      case 233: return madvise(a0, a1, a2, a3, a4, a5);
      case 261: return prlimit64(a0, a1, a2, a3, a4, a5);
      case 278: return getrandom(a0, a1, a2, a3, a4, a5);
      case 293: return rseq(a0, a1, a2, a3, a4, a5);
      default: { const g = byNr[nr]; return g === undefined ? ENOSYS : g(a0, a1, a2, a3, a4, a5); }
    }
  };
}
