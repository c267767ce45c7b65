// Process groups and sessions, groups, capabilities, the alternate signal
// stack, CPU affinity, kill (to this process), resource usage and times,
// prctl's name and flags: what a shell and busybox's applets ask at start.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { EFAULT, EINVAL, ENOMEM, EPERM, ESRCH } from './errno.js';
import { guestString } from './namei.js';
import type { LinuxModule, Process } from './process.js';

const PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_GET_NAME = 16;
const PR_GET_NO_NEW_PRIVS = 39, PR_SET_NO_NEW_PRIVS = 38, PR_CAPBSET_READ = 23, PR_CAP_AMBIENT = 47;
const PR_CAP_AMBIENT_IS_SET = 1, PR_CAP_AMBIENT_CLEAR_ALL = 4;
const CLK_TCK = 100;
/**
 * riscv_hwprobe keys and answers, from arch/riscv/include/uapi/asm/hwprobe.h:
 * vendor, arch and implementation ids 0; BASE_BEHAVIOR (3) = IMA; IMA_EXT_0 (4)
 * = FD | C, what the interpreter runs; CPUPERF_0 (5) = misaligned access speed unknown.
 */
const HWPROBE: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 1, 4: 0b11, 5: 0 };
/** Signals whose default action is to do nothing (signal(7)): SIGCHLD, SIGCONT, SIGURG, SIGWINCH. */
const IGNORED = new Set([17, 18, 23, 28]);

/** pgrp and session of the host process, from /proc/self/stat (fields 5 and 6). */
export function hostIds(): { pgid: number; sid: number } {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pgid: Number(f[2]), sid: Number(f[3]) };
  } catch {
    return { pgid: process.pid, sid: process.pid };
  }
}

/** The supplementary groups of the host process (Node's process.getgroups() adds the egid). */
function hostGroups(): number[] {
  try {
    const line = /^Groups:(.*)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
    return line.trim().split(/\s+/).filter((g) => g !== '').map(Number);
  } catch {
    return process.getgroups?.() ?? [];
  }
}

/** The host's capability sets (CapInh, CapPrm, CapEff, CapBnd, CapAmb) as 64-bit numbers. */
function hostCaps(): [bigint, bigint, bigint, bigint, bigint] {
  try {
    const s = fs.readFileSync('/proc/self/status', 'utf8');
    const get = (k: string) => BigInt('0x' + (new RegExp(`^${k}:\\s*([0-9a-f]+)`, 'm').exec(s)?.[1] ?? '0'));
    return [get('CapInh'), get('CapPrm'), get('CapEff'), get('CapBnd'), get('CapAmb')];
  } catch {
    return [0n, 0n, 0n, 0n, 0n];
  }
}
const CAP_LAST = 40; // CAP_CHECKPOINT_RESTORE, include/uapi/linux/capability.h

export function miscModule(p: Process): LinuxModule {
  const { mem } = p;
  const ids = hostIds();
  let pgid = ids.pgid, sid = ids.sid;
  let name = Buffer.from(p.exe.slice(p.exe.lastIndexOf('/') + 1).slice(0, 15));
  let dumpable = 1, pdeathsig = 0, noNewPrivs = 0;
  const self = (pid: number) => pid === 0 || pid === p.pid;

  let nice = 0;
  const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
  /** set*id: the host process keeps its ids, so only "no change" succeeds. */
  const sameIds = (mine: number, ...ids: number[]) => (ids.every((id) => id === -1 || id === 0xffffffff || id === mine) ? 0 : -EPERM);
  const ids3 = (ptrs: number[], v: number): number => {
    for (const at of ptrs) { if (!mem.valid(at, 4)) return -EFAULT; mem.dv.setUint32(at, v, true); }
    return 0;
  };
  const timeval = (at: number, us: number) => { mem.setU64(at, Math.floor(us / 1e6)); mem.setU64(at + 8, Math.floor(us % 1e6)); };

  return {
    name: 'linux-misc',
    handlers: {
      getpgid: (pid) => (self(pid) ? pgid : -ESRCH),
      setpgid: (pid, to) => {
        if (!self(pid)) return -ESRCH;
        if (to < 0) return -EINVAL;
        if (p.pid === sid) return -EPERM; // a session leader cannot move
        pgid = to === 0 ? p.pid : to;
        return 0;
      },
      getsid: (pid) => (self(pid) ? sid : -ESRCH),
      setsid: () => {
        if (pgid === p.pid) return -EPERM; // already a group leader
        sid = pgid = p.pid;
        return sid;
      },
      getgroups: (size, list) => {
        const groups = hostGroups();
        if (size === 0) return groups.length;
        if (size < groups.length) return -EINVAL;
        if (!mem.valid(list, groups.length * 4)) return -EFAULT;
        groups.forEach((g, i) => mem.dv.setUint32(list + i * 4, g, true));
        return groups.length;
      },
      getresuid: (r, e, s2) => ids3([r, e, s2], uid),
      getresgid: (r, e, s2) => ids3([r, e, s2], gid),
      setuid: (u) => sameIds(uid, u),
      setgid: (g) => sameIds(gid, g),
      setreuid: (r, e) => sameIds(uid, r, e),
      setregid: (r, e) => sameIds(gid, r, e),
      setresuid: (r, e, s2) => sameIds(uid, r, e, s2),
      setresgid: (r, e, s2) => sameIds(gid, r, e, s2),
      // PRIO_PROCESS of this process only; the kernel answers 20 - nice (never negative).
      getpriority: (which, who) => (which !== 0 ? (which <= 2 ? -ESRCH : -EINVAL) : self(who) ? 20 - nice : -ESRCH),
      setpriority: (which, who, prio) => {
        if (which !== 0) return which <= 2 ? -ESRCH : -EINVAL;
        if (!self(who)) return -ESRCH;
        nice = Math.max(-20, Math.min(19, prio | 0));
        return 0;
      },
      ioprio_get: (which, who) => (which === 1 && self(who) ? 0 : which >= 1 && which <= 3 ? -ESRCH : -EINVAL), // IOPRIO_CLASS_NONE
      ioprio_set: (which, who) => (which === 1 && self(who) ? 0 : which >= 1 && which <= 3 ? -ESRCH : -EINVAL),
      personality: (persona) => (persona === 0xffffffff || persona === -1 || persona === 0 ? 0 : -EINVAL), // PER_LINUX
      // The kernel's log is the host's, not the guest's to read.
      syslog: () => -EPERM,
      // The guest may not change the host process's groups.
      setgroups: () => -EPERM,
      capget: (hdr, data) => {
        if (!mem.valid(hdr, 8)) return -EFAULT;
        const version = mem.dv.getUint32(hdr, true);
        if (version !== 0x20080522 && version !== 0x20071026) { mem.dv.setUint32(hdr, 0x20080522, true); return data === 0 ? 0 : -EINVAL; }
        if (data === 0) return 0;
        if (!mem.valid(data, 24)) return -EFAULT;
        const [inh, prm, eff] = hostCaps();
        for (const [i, v] of [eff, prm, inh].entries()) {
          mem.dv.setUint32(data + i * 4, Number(v & 0xffffffffn), true);
          mem.dv.setUint32(data + 12 + i * 4, Number(v >> 32n), true);
        }
        return 0;
      },
      // sigaltstack, sched_getaffinity and sched_yield are a thread's own (threads.ts).
      riscv_hwprobe: (pairs, count, _cpusetsize, _cpus, flags) => {
        if (flags !== 0) return -EINVAL;
        if (!mem.valid(pairs, count * 16)) return -EFAULT;
        for (let i = 0; i < count; i++) {
          const at = pairs + i * 16;
          const key = mem.dv.getInt32(at + 4, true) === 0 ? mem.dv.getUint32(at, true) : -1;
          const value = HWPROBE[key];
          if (value === undefined) { mem.dv.setInt32(at, -1, true); mem.dv.setInt32(at + 4, -1, true); mem.setU64(at + 8, 0); } else mem.setU64(at + 8, value);
        }
        return 0;
      },
      sched_setaffinity: (pid) => (self(pid) ? 0 : -ESRCH),
      kill: (pid, sig) => {
        if (sig < 0 || sig > 64) return -EINVAL;
        if (!self(pid) && pid !== -pgid && pid !== -1) return -ESRCH;
        if (sig === 0 || IGNORED.has(sig)) return 0;
        // No signal delivery yet: the default action, which for the rest ends the process.
        p.exitCode = 128 + sig;
        p.halt(p.exitCode);
        return 0;
      },
      getrusage: (who, buf) => {
        if (who !== 0 && who !== -1 && who !== 1) return -EINVAL; // RUSAGE_SELF, _CHILDREN, _THREAD
        if (!mem.valid(buf, 144)) return -EFAULT;
        mem.u8.fill(0, buf, buf + 144);
        if (who === -1) return 0;
        const u = process.cpuUsage(), r = process.resourceUsage();
        timeval(buf, u.user);
        timeval(buf + 16, u.system);
        mem.setU64(buf + 32, r.maxRSS);
        mem.setU64(buf + 64, r.minorPageFault);
        mem.setU64(buf + 72, r.majorPageFault);
        mem.setU64(buf + 128, r.voluntaryContextSwitches);
        mem.setU64(buf + 136, r.involuntaryContextSwitches);
        return 0;
      },
      times: (buf) => {
        if (buf !== 0) {
          if (!mem.valid(buf, 32)) return -EFAULT;
          const u = process.cpuUsage();
          mem.setU64(buf, Math.floor(u.user / 1e6 * CLK_TCK));
          mem.setU64(buf + 8, Math.floor(u.system / 1e6 * CLK_TCK));
          mem.setU64(buf + 16, 0);
          mem.setU64(buf + 24, 0);
        }
        return Math.floor(os.uptime() * CLK_TCK);
      },
      prctl: (option, arg2, arg3) => {
        switch (option) {
          case PR_SET_NAME: {
            const s = guestString(mem, arg2, 16);
            const raw = s === null ? mem.valid(arg2, 16) ? mem.bytes(arg2, 15) : null : Buffer.from(s);
            if (!raw) return -EFAULT;
            name = Buffer.from(raw.subarray(0, 15));
            return 0;
          }
          case PR_GET_NAME:
            if (!mem.valid(arg2, 16)) return -EFAULT;
            mem.u8.fill(0, arg2, arg2 + 16);
            mem.write(arg2, name);
            return 0;
          case PR_GET_DUMPABLE: return dumpable;
          case PR_SET_DUMPABLE: if (arg2 > 1) return -EINVAL; dumpable = arg2; return 0;
          case PR_SET_PDEATHSIG: if (arg2 > 64) return -EINVAL; pdeathsig = arg2; return 0;
          case PR_GET_PDEATHSIG: if (!mem.valid(arg2, 4)) return -EFAULT; mem.dv.setInt32(arg2, pdeathsig, true); return 0;
          case PR_SET_NO_NEW_PRIVS: if (arg2 !== 1) return -EINVAL; noNewPrivs = 1; return 0;
          case PR_GET_NO_NEW_PRIVS: return noNewPrivs;
          case PR_CAPBSET_READ: return arg2 > CAP_LAST ? -EINVAL : Number((hostCaps()[3] >> BigInt(arg2)) & 1n);
          case PR_CAP_AMBIENT:
            if (arg2 === PR_CAP_AMBIENT_CLEAR_ALL) return 0;
            if (arg2 !== PR_CAP_AMBIENT_IS_SET) return -EPERM; // raising or lowering the host's own sets: no
            return arg3 > CAP_LAST ? -EINVAL : Number((hostCaps()[4] >> BigInt(arg3)) & 1n);
          default: return -EINVAL;
        }
      },
    },
  };
}
