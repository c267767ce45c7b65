// Process identity, limits, randomness and signal actions: process-wide
// state, so a worker's calls are carried to the leader. The calls of one
// thread (exit, ids, futex, clone, the signal mask) are in threads.ts; clocks
// and sleeps in time.ts.
import { randomFillSync } from 'node:crypto';
import * as os from 'node:os';
import { EFAULT, EINVAL, ENOSYS } from './errno.js';
import { G_SIGACT } from './group.js';
import type { LinuxModule, Process } from './process.js';

const RLIMIT_STACK = 3, RLIMIT_NOFILE = 7;
const STACK_LIMIT = 8 << 20;

export function procModule(p: Process): LinuxModule {
  const { mem } = p;
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  const SIGACTION = 24; // struct sigaction on riscv64: handler, flags, mask (no sa_restorer)

  return {
    name: 'linux-proc',
    handlers: {
      // glibc treats a failed rseq registration as "no rseq" and carries on.
      rseq: () => -ENOSYS,
      getppid: () => process.ppid,
      getuid: () => uid,
      geteuid: () => uid,
      getgid: () => gid,
      getegid: () => gid,
      prlimit64: (pid, resource, newLimit, oldLimit) => {
        if (pid !== 0 && pid !== p.pid) return -EINVAL;
        if (oldLimit !== 0) {
          if (!mem.valid(oldLimit, 16)) return -EFAULT;
          const infinity = 2 ** 64 - 1; // written as all ones by the two 32-bit halves below
          const [cur, max] = resource === RLIMIT_STACK ? [STACK_LIMIT, infinity] : resource === RLIMIT_NOFILE ? [1024, 4096] : [infinity, infinity];
          for (const [off, v] of [[0, cur], [8, max]] as const) {
            if (v === infinity) { mem.dv.setInt32(oldLimit + off, -1, true); mem.dv.setInt32(oldLimit + off + 4, -1, true); }
            else mem.setU64(oldLimit + off, v);
          }
        }
        return 0; // new limits (newLimit) are accepted and ignored
      },
      getrandom: (buf, len) => {
        if (!mem.valid(buf, len)) return -EFAULT;
        randomFillSync(mem.bytes(buf, len));
        return len;
      },
      sysinfo: (buf) => { // struct sysinfo, include/uapi/linux/sysinfo.h (112 bytes on 64-bit)
        if (!mem.valid(buf, 112)) return -EFAULT;
        mem.u8.fill(0, buf, buf + 112);
        mem.setU64(buf, Math.floor(os.uptime()));
        mem.setU64(buf + 32, mem.size); // totalram: the guest's memory
        mem.setU64(buf + 40, mem.size - (p.brk - p.brkStart));
        mem.dv.setUint16(buf + 80, p.thread.group.live, true); // procs: this process's threads
        mem.dv.setUint32(buf + 104, 1, true); // mem_unit
        return 0;
      },
      uname: (buf) => {
        const fields = ['Linux', os.hostname(), '6.1.0-systab', '#1 SMP systab rv64 example', 'riscv64', '(none)'];
        if (!mem.valid(buf, 65 * 6)) return -EFAULT;
        mem.u8.fill(0, buf, buf + 65 * 6);
        fields.forEach((f, i) => mem.write(buf + 65 * i, Buffer.from(f.slice(0, 64))));
        return 0;
      },
      // The actions live in the group's shared words: signals.ts delivers by them in any thread.
      rt_sigaction: (sig, act, oldact, size) => {
        if (sig < 1 || sig > 64 || size !== 8) return -EINVAL;
        if ((oldact !== 0 && !mem.valid(oldact, SIGACTION)) || (act !== 0 && !mem.valid(act, SIGACTION))) return -EFAULT;
        if (act !== 0 && (sig === 9 || sig === 19)) return -EINVAL; // SIGKILL, SIGSTOP
        const w = p.thread.group.w, at = G_SIGACT + (sig - 1) * 6; // shared: every thread's tgkill reads it
        if (oldact !== 0) for (let i = 0; i < 6; i++) mem.dv.setInt32(oldact + 4 * i, Atomics.load(w, at + i), true);
        if (act !== 0) for (let i = 0; i < 6; i++) Atomics.store(w, at + i, mem.dv.getInt32(act + 4 * i, true));
        return 0;
      },
    },
  };
}
