// linux-riscv64 numbers of the calls the switch dispatcher knows, from
// include/uapi/asm-generic/unistd.h; dispatch-switch.ts has them as case labels.
/** The numbers this switch knows, by name (a test checks them against the ABI). */
export const SWITCH_NUMBERS: Record<string, number> = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, faccessat: 48, openat: 56, close: 57, pipe2: 59,
  lseek: 62, read: 63, write: 64, readv: 65, writev: 66, pread64: 67, pwrite64: 68, readlinkat: 78,
  newfstatat: 79, fstat: 80, exit: 93, exit_group: 94, set_tid_address: 96, set_robust_list: 99,
  nanosleep: 101, clock_gettime: 113, clock_nanosleep: 115, rt_sigaction: 134, rt_sigprocmask: 135, uname: 160, getpid: 172, getppid: 173,
  getuid: 174, geteuid: 175, getgid: 176, getegid: 177, gettid: 178, sysinfo: 179, brk: 214, munmap: 215, mremap: 216,
  mmap: 222, mprotect: 226, madvise: 233, prlimit64: 261, getrandom: 278, rseq: 293,
  // threads.ts (and proc-local.ts: rt_sigsuspend)
  rt_sigsuspend: 133,
  epoll_create1: 20, epoll_ctl: 21, epoll_pwait: 22, futex: 98, sched_getaffinity: 123, sched_yield: 124, tkill: 130, tgkill: 131, sigaltstack: 132, rt_sigreturn: 139, clone: 220,
  // files, directories and the calls a shell makes at start (the switch's default branch finds them by number)
  mknodat: 33, symlinkat: 36, linkat: 37, statfs: 43, fstatfs: 44, truncate: 45, ftruncate: 46, fallocate: 47, chdir: 49,
  fchdir: 50, fchmod: 52, fchmodat: 53, fchownat: 54, fchown: 55, getdents64: 61, sendfile: 71, pselect6: 72, ppoll: 73,
  sync: 81, fsync: 82, fdatasync: 83, utimensat: 88, capget: 90, sched_setaffinity: 122,
  kill: 129, times: 153, setpgid: 154, getpgid: 155, getsid: 156, setsid: 157,
  getgroups: 158, setgroups: 159, getrusage: 165, umask: 166, prctl: 167, fadvise64: 223, syncfs: 267, renameat2: 276,
  faccessat2: 439, fchmodat2: 452, riscv_hwprobe: 258, getresuid: 148, getresgid: 150, setuid: 146, setgid: 144,
  setreuid: 145, setregid: 143, setresuid: 147, setresgid: 149, getpriority: 141, setpriority: 140, ioprio_get: 31,
  ioprio_set: 30, personality: 92, syslog: 116, flock: 32,
};
