// The kernel's per-thread filter chains, as an oracle for systab's
// (test/seccomp-thread-kernel.test.ts). One scenario per run, on stdin, one
// step a line; three thread slots, 0 the main thread:
//   own <slot> <hex program>   that thread installs a filter (no TSYNC)
//   spawn <slot> <from>        the thread in <slot> ends; thread <from> starts a new one there (it inherits <from>'s chain)
//   tsync <hex program>        the main thread installs with SECCOMP_FILTER_FLAG_TSYNC; prints "tsync 0" or "tsync <slot>" of the thread it names
//   check <nr> <arg> ...       every thread makes each call; prints "check <slot> E<errno>|OK ..."
// The calls (getpid, getuid, getppid, getpgrp) ignore their arguments; gettid
// names the threads, so filters must leave it alone.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SLOTS 3
enum { NONE, INSTALL, SPAWN, CHECK, EXIT };

struct slot {
  pthread_t thread;
  int live;
  pid_t tid;
  int cmd, arg, done;
  struct sock_fprog prog;
  long nrs[64], args[64];
  int ncalls;
  char out[1024];
};
static struct slot slots[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static int install(struct sock_fprog *p, unsigned flags) {
  return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, p);
}

static void calls(struct slot *s) {
  char *o = s->out;
  o[0] = 0;
  for (int i = 0; i < s->ncalls; i++) {
    errno = 0;
    long r = syscall(s->nrs[i], s->args[i], 0, 0, 0, 0, 0);
    o += sprintf(o, r == -1 ? " E%d" : " OK", errno);
  }
}

static void *run(void *p);

static void start(int at) {
  slots[at].live = 1;
  slots[at].cmd = NONE;
  if (pthread_create(&slots[at].thread, NULL, run, &slots[at]) != 0) abort();
  pthread_mutex_lock(&mu);
  while (slots[at].tid == 0) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

static void do_cmd(struct slot *s) {
  if (s->cmd == INSTALL) s->arg = install(&s->prog, 0) == 0 ? 0 : errno;
  else if (s->cmd == SPAWN) start(s->arg);
  else if (s->cmd == CHECK) calls(s);
}

static void *run(void *p) {
  struct slot *s = p;
  pthread_mutex_lock(&mu);
  s->tid = syscall(__NR_gettid);
  pthread_cond_broadcast(&cv);
  for (;;) {
    while (s->cmd == NONE || s->done) pthread_cond_wait(&cv, &mu);
    if (s->cmd == EXIT) {
      s->done = 1;
      pthread_cond_broadcast(&cv);
      pthread_mutex_unlock(&mu);
      return NULL;
    }
    pthread_mutex_unlock(&mu);
    do_cmd(s);
    pthread_mutex_lock(&mu);
    s->done = 1;
    pthread_cond_broadcast(&cv);
  }
}

/** Has slot `i` run `cmd` (the main thread runs its own). */
static void ask(int i, int cmd) {
  struct slot *s = &slots[i];
  if (i == 0) {
    s->cmd = cmd;
    do_cmd(s);
    return;
  }
  pthread_mutex_lock(&mu);
  s->cmd = cmd;
  s->done = 0;
  pthread_cond_broadcast(&cv);
  while (!s->done) pthread_cond_wait(&cv, &mu);
  s->cmd = NONE;
  s->done = 0;
  pthread_mutex_unlock(&mu);
}

static struct sock_fprog parse(const char *hex) {
  size_t n = strlen(hex) / 16;
  struct sock_filter *f = calloc(n, sizeof *f);
  for (size_t i = 0; i < n; i++) {
    unsigned char b[8];
    for (int j = 0; j < 8; j++) sscanf(hex + 16 * i + 2 * j, "%2hhx", &b[j]);
    memcpy(&f[i], b, 8); // struct sock_filter on a little-endian host
  }
  return (struct sock_fprog){ .len = (unsigned short)n, .filter = f };
}

int main(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 2;
  slots[0].live = 1;
  slots[0].tid = syscall(__NR_gettid);
  for (int i = 1; i < SLOTS; i++) start(i);
  char line[65536];
  while (fgets(line, sizeof line, stdin)) {
    char *save;
    char *word = strtok_r(line, " \n", &save);
    if (word == NULL) continue;
    if (strcmp(word, "own") == 0) {
      int i = atoi(strtok_r(NULL, " \n", &save));
      slots[i].prog = parse(strtok_r(NULL, " \n", &save));
      ask(i, INSTALL);
      printf("own %d\n", slots[i].arg);
    } else if (strcmp(word, "spawn") == 0) {
      int i = atoi(strtok_r(NULL, " \n", &save));
      int from = atoi(strtok_r(NULL, " \n", &save));
      ask(i, EXIT);
      pthread_join(slots[i].thread, NULL);
      slots[i].tid = 0;
      slots[i].done = 0;
      slots[from].arg = i;
      ask(from, SPAWN);
      printf("spawn\n");
    } else if (strcmp(word, "tsync") == 0) {
      struct sock_fprog p = parse(strtok_r(NULL, " \n", &save));
      long r = install(&p, SECCOMP_FILTER_FLAG_TSYNC);
      int who = -1;
      for (int i = 0; i < SLOTS; i++) if (r > 0 && slots[i].tid == r) who = i;
      if (r > 0 && who < 0) fprintf(stderr, "tsync named tid %ld, none of %d %d %d\n", r, slots[0].tid, slots[1].tid, slots[2].tid);
      if (r < 0) printf("tsync failed E%d\n", errno);
      else printf("tsync %d\n", r == 0 ? 0 : who);
    } else if (strcmp(word, "check") == 0) {
      int n = 0;
      char *a;
      while ((a = strtok_r(NULL, " \n", &save)) != NULL) {
        long nr = atol(a);
        long arg = atol(strtok_r(NULL, " \n", &save));
        for (int i = 0; i < SLOTS; i++) slots[i].nrs[n] = nr, slots[i].args[n] = arg;
        n++;
      }
      for (int i = 0; i < SLOTS; i++) {
        slots[i].ncalls = n;
        ask(i, CHECK);
        printf("check %d%s\n", i, slots[i].out);
      }
    }
    fflush(stdout);
  }
  return 0;
}
