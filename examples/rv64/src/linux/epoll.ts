// A small epoll, as far as Go's runtime needs it: its timers sleep in
// epoll_pwait on a set holding one pipe (netpollBreak writes a byte to wake
// it). Readiness is level-triggered EPOLLIN of pipes only, kept in the
// group's shared words: the leader's wraps over write and read (the
// descriptor table's home) mark a watched pipe readable or drained, and
// epoll_pwait, thread-local, waits on the set's sequence word in the thread
// that calls it. Other descriptors never become ready.
// Numbers and layout: include/uapi/linux/eventpoll.h (struct epoll_event is
// 16 bytes on riscv64: events, then the 64-bit data at offset 8).
import { EBADF, EEXIST, EFAULT, EINVAL, EMFILE, ENOENT } from './errno.js';
import { EPOLL_ENTRIES, EPOLL_ENTRY_WORDS, EPOLL_SET_WORDS, EPOLL_SETS, G_EPOLL, type ThreadGroup } from './group.js';
import type { Handler, LinuxModule, Process } from './process.js';
import type { ThreadContext } from './thread.js';

const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3, EPOLLIN = 0x1, EPOLL_CLOEXEC = 0o2000000;
const E_FD = 0, E_EVENTS = 1, E_DATA = 2, E_READY = 4; // an entry's words; E_FD holds fd + 1 (0: free)

const setAt = (k: number) => G_EPOLL + k * EPOLL_SET_WORDS;
const entryAt = (k: number, e: number) => setAt(k) + 2 + e * EPOLL_ENTRY_WORDS;
function findSet(g: ThreadGroup, epfd: number): number {
  for (let k = 0; k < EPOLL_SETS; k++) if (Atomics.load(g.w, setAt(k)) === epfd + 1) return k;
  return -1;
}

/** epoll_create1 and epoll_ctl, and the wraps that keep pipes' readiness: process-wide, at the leader. */
export function epollModule(p: Process): LinuxModule & { wraps: Record<string, (below: Handler) => Handler> } {
  const { mem, fds } = p;
  const g = p.thread.group;
  const w = g.w;
  const inodeOf = (fd: number) => { const f = fds.get(fd); return f?.kind === 'pipe' ? f.inode : null; };
  const readable = (fd: number) => { const f = fds.get(fd); return f?.kind === 'pipe' && f.inode !== null && f.inode.size > f.pos && (f.flags & 3) === 0; };
  /** Every watched entry on the pipe fd is part of gets its readiness again. */
  const update = (fd: number) => {
    const inode = inodeOf(fd);
    if (inode === null) return;
    for (let k = 0; k < EPOLL_SETS; k++) {
      if (Atomics.load(w, setAt(k)) === 0) continue;
      let changed = false;
      for (let e = 0; e < EPOLL_ENTRIES; e++) {
        const at = entryAt(k, e), efd = w[at + E_FD]! - 1;
        if (efd < 0 || inodeOf(efd) !== inode) continue;
        const r = readable(efd) ? 1 : 0;
        if (Atomics.exchange(w, at + E_READY, r) !== r) changed = true;
      }
      if (changed) { Atomics.add(w, setAt(k) + 1, 1); Atomics.notify(w, setAt(k) + 1); }
    }
  };
  const after = (below: Handler): Handler => (fd, a1, a2, a3, a4, a5) => {
    const r = below(fd, a1, a2, a3, a4, a5);
    if (r > 0) update(fd);
    return r;
  };
  return {
    name: 'linux-epoll',
    handlers: {
      epoll_create1: (flags) => {
        if ((flags & ~EPOLL_CLOEXEC) !== 0) return -EINVAL;
        let k = 0;
        while (k < EPOLL_SETS && Atomics.load(w, setAt(k)) !== 0 && fds.get(w[setAt(k)]! - 1)?.path === 'anon_inode:[eventpoll]') k++;
        if (k === EPOLL_SETS) return -EMFILE;
        const inode = { ino: p.fs.nextInode(), mode: 0o600, data: new Uint8Array(0), size: 0, mtimeMs: Date.now() };
        const fd = fds.add({ kind: 'mem', hostFd: -1, inode, pos: 0, flags: 2, path: 'anon_inode:[eventpoll]' });
        w.fill(0, setAt(k), setAt(k) + EPOLL_SET_WORDS);
        Atomics.store(w, setAt(k), fd + 1);
        return fd;
      },
      epoll_ctl: (epfd, op, fd, event) => {
        const k = findSet(g, epfd);
        if (k < 0) return -EBADF;
        if (!fds.get(fd)) return -EBADF;
        if (fd === epfd) return -EINVAL;
        let free = -1, found = -1;
        for (let e = 0; e < EPOLL_ENTRIES; e++) {
          const efd = w[entryAt(k, e) + E_FD]! - 1;
          if (efd === fd) found = e; else if (efd < 0 && free < 0) free = e;
        }
        if (op === EPOLL_CTL_DEL) {
          if (found < 0) return -ENOENT;
          Atomics.store(w, entryAt(k, found) + E_FD, 0);
          return 0;
        }
        if (op !== EPOLL_CTL_ADD && op !== EPOLL_CTL_MOD) return -EINVAL;
        if (!mem.valid(event, 16)) return -EFAULT;
        if (op === EPOLL_CTL_ADD && found >= 0) return -EEXIST;
        if (op === EPOLL_CTL_MOD && found < 0) return -ENOENT;
        const e = found >= 0 ? found : free;
        if (e < 0) return -EMFILE; // more than EPOLL_ENTRIES descriptors in one set
        const at = entryAt(k, e);
        w[at + E_EVENTS] = mem.dv.getInt32(event, true);
        w[at + E_DATA] = mem.dv.getInt32(event + 8, true);
        w[at + E_DATA + 1] = mem.dv.getInt32(event + 12, true);
        Atomics.store(w, at + E_FD, fd + 1);
        update(fd);
        return 0;
      },
    },
    wraps: { write: after, read: after },
  };
}

/** epoll_pwait: blocks the thread that calls it, on its set's sequence word. */
export function epollWaitModule(ctx: ThreadContext): LinuxModule {
  const { mem, group } = ctx;
  const w = group.w;
  const collect = (k: number, events: number, max: number): number => {
    let n = 0;
    for (let e = 0; e < EPOLL_ENTRIES && n < max; e++) {
      const at = entryAt(k, e);
      if (Atomics.load(w, at + E_FD) === 0 || Atomics.load(w, at + E_READY) === 0 || (w[at + E_EVENTS]! & EPOLLIN) === 0) continue;
      mem.dv.setInt32(events + 16 * n, EPOLLIN, true);
      mem.dv.setInt32(events + 16 * n + 8, w[at + E_DATA]!, true);
      mem.dv.setInt32(events + 16 * n + 12, w[at + E_DATA + 1]!, true);
      n++;
    }
    return n;
  };
  return {
    name: 'linux-epoll-wait',
    handlers: {
      epoll_pwait: (epfd, events, max, timeout) => {
        const k = findSet(group, epfd);
        if (k < 0) return -EBADF;
        if ((max | 0) <= 0) return -EINVAL;
        if (!mem.valid(events, 16 * max)) return -EFAULT;
        const ms = (timeout | 0) < 0 ? Infinity : timeout | 0;
        const end = performance.now() + ms;
        for (;;) {
          const seq = Atomics.load(w, setAt(k) + 1);
          const n = collect(k, events, max);
          if (n > 0) return n;
          const left = end - performance.now();
          if (left <= 0 || group.exiting) return 0;
          ctx.wait(w, setAt(k) + 1, seq, left);
        }
      },
    },
  };
}
