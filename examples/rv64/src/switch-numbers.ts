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
  // threads.ts
  epoll_create1: 20, epoll_ctl: 21, epoll_pwait: 22, futex: 98, sched_getaffinity: 123, sched_yield: 124, tkill: 130, tgkill: 131, sigaltstack: 132, rt_sigreturn: 139, clone: 220,
};
