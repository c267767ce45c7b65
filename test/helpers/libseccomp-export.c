// Builds a filter with libseccomp (Debian's libseccomp.so.2, 2.5.4) from a
// line-based rule spec on stdin and exports its cBPF (seccomp_export_bpf) to
// the file named by argv[1]. The prototypes are libseccomp's documented API
// (seccomp.h), declared here so that only the runtime library is needed.
//   api <level>                       seccomp_api_set
//   default <action>                  seccomp_init (first line)
//   arch remove native | arch add <token>   prints "arch <token> <rc>"
//   rule <exact 0|1> <action> <name|#nr> <nargs> {<arg> <op> <a> <b>}...
//   resolve <token> <name>            prints "nr <token> <name> <number>", the
//                                     number after libseccomp's rewrite (x86 socket: socketcall)
// Numbers are C literals (0x... allowed).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

typedef void *scmp_filter_ctx;
struct scmp_arg_cmp { unsigned int arg; int op; uint64_t datum_a; uint64_t datum_b; };
scmp_filter_ctx seccomp_init(uint32_t def_action);
int seccomp_api_set(unsigned int level);
int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token);
int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token);
int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);
int seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);
int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd);
int seccomp_syscall_resolve_name(const char *name);
int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name);
int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token, const char *name);
void seccomp_release(scmp_filter_ctx ctx);

static uint64_t num(const char *s) { return strtoull(s, 0, 0); }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  char line[4096];
  scmp_filter_ctx ctx = 0;
  while (fgets(line, sizeof line, stdin)) {
    char *tok[64];
    int n = 0;
    for (char *t = strtok(line, " \t\n"); t && n < 64; t = strtok(0, " \t\n")) tok[n++] = t;
    if (n == 0) continue;
    if (!strcmp(tok[0], "api")) seccomp_api_set((unsigned)num(tok[1]));
    else if (!strcmp(tok[0], "default")) ctx = seccomp_init((uint32_t)num(tok[1]));
    else if (!strcmp(tok[0], "arch")) {
      int rc = !strcmp(tok[2], "native") ? (strcmp(tok[1], "remove") ? seccomp_arch_add(ctx, 0) : seccomp_arch_remove(ctx, 0))
             : (strcmp(tok[1], "remove") ? seccomp_arch_add(ctx, (uint32_t)num(tok[2])) : seccomp_arch_remove(ctx, (uint32_t)num(tok[2])));
      printf("arch %s %d\n", tok[2], rc);
    } else if (!strcmp(tok[0], "rule")) {
      int exact = (int)num(tok[1]);
      uint32_t action = (uint32_t)num(tok[2]);
      int nr = tok[3][0] == '#' ? (int)num(tok[3] + 1) : seccomp_syscall_resolve_name(tok[3]);
      unsigned nargs = (unsigned)num(tok[4]);
      struct scmp_arg_cmp cmp[6];
      for (unsigned i = 0; i < nargs && i < 6; i++) {
        cmp[i].arg = (unsigned)num(tok[5 + 4 * i]);
        cmp[i].op = (int)num(tok[6 + 4 * i]);
        cmp[i].datum_a = num(tok[7 + 4 * i]);
        cmp[i].datum_b = num(tok[8 + 4 * i]);
      }
      int rc = exact ? seccomp_rule_add_exact_array(ctx, action, nr, nargs, cmp) : seccomp_rule_add_array(ctx, action, nr, nargs, cmp);
      if (rc != 0) { fprintf(stderr, "rule %s: %d\n", tok[3], rc); return 1; }
    } else if (!strcmp(tok[0], "resolve")) {
      printf("nr %s %s %d\n", tok[1], tok[2], seccomp_syscall_resolve_name_rewrite((uint32_t)num(tok[1]), tok[2]));
    }
  }
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0) { fprintf(stderr, "export failed\n"); return 1; }
  close(fd);
  seccomp_release(ctx);
  return 0;
}
