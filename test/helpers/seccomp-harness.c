// The Linux kernel as an oracle for systab's seccomp (test/seccomp-kernel-*).
// Reads cases from a file: u32 ncases; per case u32 nfilters, per filter
// u32 len and len * 8 bytes of struct sock_filter, then u32 ncalls, per call
// u32 nr and u64 args[6] (all little-endian). Each case runs in a forked
// child: PR_SET_NO_NEW_PRIVS, every filter through seccomp(2) in order, then
// the calls, through one syscall instruction whose following address it
// prints first ("IP <hex>": seccomp_data.instruction_pointer). Prints per
// case "I <failed filter or -1> <errno>", then per call one of
// "R <value> <native>" (what it returned, and what it returned before any
// filter), "T <data>" (SIGSYS from SECCOMP_RET_TRAP, si_errno),
// "K <signal>" (killed); "I <filter> -<signal>" when a filter below killed
// the seccomp() call installing <filter>. A call that kills is followed by a new child that
// installs the filters again and goes on with the next call.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long raw_sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
extern char raw_sys_after[];
__asm__(".text\n.globl raw_sys\n.type raw_sys,@function\nraw_sys:\n"
        "  mov %rdi, %rax\n  mov %rsi, %rdi\n  mov %rdx, %rsi\n  mov %rcx, %rdx\n"
        "  mov %r8, %r10\n  mov %r9, %r8\n  mov 8(%rsp), %r9\n  syscall\n"
        ".globl raw_sys_after\nraw_sys_after:\n  ret\n");

struct call { uint32_t nr; uint64_t args[6]; };
struct result { volatile int done; int kind; long value, native; };
struct shared {
  volatile int install_failed, install_errno, finished, current, installed;
  struct result r[];
};

static struct shared *sh;

static void on_sigsys(int sig, siginfo_t *info, void *uc) {
  (void)sig; (void)uc;
  struct result *r = &sh->r[sh->current];
  r->kind = 'T';
  r->value = info->si_errno;
  r->done = 1;
}

static uint32_t rd32(FILE *f) {
  uint32_t v;
  if (fread(&v, 4, 1, f) != 1) { fprintf(stderr, "harness: short input\n"); exit(2); }
  return v;
}

static void child(uint32_t nf, struct sock_fprog *progs, uint32_t nc, struct call *calls, uint32_t from) {
  struct rlimit no = {0, 0};
  setrlimit(RLIMIT_CORE, &no);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, 0);
  long native[nc ? nc : 1];
  for (uint32_t i = from; i < nc; i++) {
    uint64_t *a = calls[i].args;
    native[i] = raw_sys(calls[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { sh->install_failed = -2; sh->install_errno = errno; sh->finished = 1; for (;;) pause(); }
  for (uint32_t f = 0; f < nf; f++) {
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &progs[f]) != 0) {
      sh->install_failed = (int)f;
      sh->install_errno = errno;
      sh->finished = 1;
      for (;;) pause();
    }
    sh->installed = (int)f + 1;
  }
  for (uint32_t i = from; i < nc; i++) {
    uint64_t *a = calls[i].args;
    sh->current = (int)i;
    long v = raw_sys(calls[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (!sh->r[i].done) {
      sh->r[i].kind = 'R';
      sh->r[i].value = v;
      sh->r[i].native = native[i];
      sh->r[i].done = 1;
    }
  }
  sh->finished = 1;
  // exit_group may be filtered: the parent kills us once it sees `finished`.
  raw_sys(SYS_exit_group, 0, 0, 0, 0, 0, 0);
  for (;;) {}
}

int main(int argc, char **argv) {
  FILE *in = argc > 1 ? fopen(argv[1], "rb") : stdin;
  if (!in) { perror("harness: input"); return 2; }
  const size_t max_calls = 65536;
  sh = mmap(0, sizeof(struct shared) + max_calls * sizeof(struct result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  printf("IP %lx\n", (unsigned long)raw_sys_after);
  uint32_t ncases = rd32(in);
  for (uint32_t c = 0; c < ncases; c++) {
    uint32_t nf = rd32(in);
    struct sock_fprog progs[nf ? nf : 1];
    for (uint32_t f = 0; f < nf; f++) {
      uint32_t len = rd32(in);
      struct sock_filter *ins = malloc((len ? len : 1) * sizeof *ins);
      if (len && fread(ins, sizeof *ins, len, in) != len) { fprintf(stderr, "harness: short program\n"); return 2; }
      progs[f].len = (unsigned short)len;
      progs[f].filter = ins;
    }
    uint32_t nc = rd32(in);
    if (nc > max_calls) { fprintf(stderr, "harness: too many calls\n"); return 2; }
    struct call *calls = malloc((nc ? nc : 1) * sizeof *calls);
    for (uint32_t i = 0; i < nc; i++) {
      calls[i].nr = rd32(in);
      if (fread(calls[i].args, 8, 6, in) != 6) { fprintf(stderr, "harness: short call\n"); return 2; }
    }
    memset(sh, 0, sizeof(struct shared) + nc * sizeof(struct result));
    sh->install_failed = -1;
    sh->installed = 0;
    uint32_t from = 0;
    int first = 1;
    for (;;) {
      sh->finished = 0;
      sh->installed = 0;
      fflush(stdout);
      int alive[2];
      if (pipe(alive) != 0) { perror("harness: pipe"); return 2; }
      pid_t pid = fork();
      if (pid == 0) {
        close(alive[0]);
        child(nf, progs, nc, calls, from);
      }
      close(alive[1]);
      // The pipe's write end closes when the child dies: no polling delay
      // for kills. A child whose exit_group is filtered hangs after setting
      // `finished`: it is killed.
      struct pollfd pfd = {alive[0], POLLIN, 0};
      while (!sh->finished && poll(&pfd, 1, 1) == 0) {}
      if (sh->finished) kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
      close(alive[0]);
      if (sh->finished) status = 0;
      // Killed while installing (a filter below refused seccomp() itself): "I <filter> -<signal>".
      if (sh->install_failed == -1 && sh->installed < (int)nf && !sh->finished) {
        sh->install_failed = sh->installed;
        sh->install_errno = -(WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      }
      if (first) printf("I %d %d\n", sh->install_failed, sh->install_failed == -1 ? 0 : sh->install_errno);
      first = 0;
      if (sh->install_failed != -1) break;
      uint32_t i = from;
      while (i < nc && sh->r[i].done) i++;
      if (i >= nc) break;
      // Killed at call i (or before it, while re-installing: then it is the same kill).
      sh->r[i].kind = 'K';
      sh->r[i].value = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
      sh->r[i].done = 1;
      from = i + 1;
      if (from >= nc) break;
    }
    if (sh->install_failed == -1)
      for (uint32_t i = 0; i < nc; i++) {
        if (sh->r[i].kind == 'R') printf("R %ld %ld\n", sh->r[i].value, sh->r[i].native);
        else printf("%c %ld\n", sh->r[i].kind, sh->r[i].value);
      }
    for (uint32_t f = 0; f < nf; f++) free(progs[f].filter);
    free(calls);
  }
  return 0;
}
