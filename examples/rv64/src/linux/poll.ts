// ppoll and pselect6. One guest thread and blocking host reads: every open
// descriptor counts as ready (a read returns data or end of file; stdin's
// read waits on the host, as a shell's `read` expects), and with nothing
// ready the call sleeps for its timeout.
import { EBADF, EFAULT, EINVAL } from './errno.js';
import type { Handler, Process } from './process.js';
import type { OpenFile } from './vfs.js';

const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

/** Sleeps ms milliseconds (the thread blocks, as the guest's does). */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function pollCalls(p: Process): Record<string, Handler> {
  const { mem, fds } = p;
  const readable = (f: OpenFile) => (f.flags & 3) !== 1;
  const writable = (f: OpenFile) => (f.flags & 3) !== 0 || f.kind === 'mem' && f.inode?.device !== undefined;

  /** Milliseconds in the struct timespec at ptr; Infinity for NULL. */
  const timeout = (ptr: number): number => {
    if (ptr === 0) return Infinity;
    if (!mem.valid(ptr, 16)) return -EFAULT;
    const sec = mem.u64(ptr), nsec = mem.u64(ptr + 8);
    if (nsec >= 1e9 || sec >= 2 ** 63) return -EINVAL;
    return sec * 1000 + nsec / 1e6;
  };

  const ppoll = (pfds: number, nfds: number, tmo: number): number => {
    if (nfds > fds.limit) return -EINVAL;
    if (!mem.valid(pfds, nfds * 8)) return -EFAULT;
    const ms = timeout(tmo);
    if (ms < 0) return ms;
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const at = pfds + i * 8;
      const fd = mem.dv.getInt32(at, true), events = mem.dv.getInt16(at + 4, true);
      let revents = 0;
      if (fd >= 0) {
        const f = fds.get(fd);
        if (!f) revents = POLLNVAL;
        else {
          if (readable(f)) revents |= events & (POLLIN | POLLRDNORM);
          if (writable(f)) revents |= events & (POLLOUT | POLLWRNORM);
          revents &= ~POLLPRI;
        }
      }
      mem.dv.setInt16(at + 6, revents, true);
      if (revents !== 0) ready++;
    }
    if (ready === 0) {
      if (ms === Infinity) return -EINVAL; // would wait for ever: nothing can become ready
      sleepMs(ms);
    }
    return ready;
  };

  const pselect6 = (nfds: number, rset: number, wset: number, eset: number, tmo: number): number => {
    if (nfds < 0 || nfds > fds.limit) return -EINVAL;
    const bytes = Math.ceil(nfds / 64) * 8;
    for (const set of [rset, wset, eset]) if (set !== 0 && !mem.valid(set, bytes)) return -EFAULT;
    const ms = timeout(tmo);
    if (ms < 0) return ms;
    const isSet = (set: number, fd: number) => set !== 0 && (mem.u8[set + (fd >> 3)]! & (1 << (fd & 7))) !== 0;
    const picks: [number, number][] = [];
    for (let fd = 0; fd < nfds; fd++) {
      if (!isSet(rset, fd) && !isSet(wset, fd) && !isSet(eset, fd)) continue;
      const f = fds.get(fd);
      if (!f) return -EBADF;
      if (isSet(rset, fd) && readable(f)) picks.push([rset, fd]);
      if (isSet(wset, fd) && writable(f)) picks.push([wset, fd]);
    }
    for (const set of [rset, wset, eset]) if (set !== 0) mem.u8.fill(0, set, set + bytes);
    for (const [set, fd] of picks) mem.u8[set + (fd >> 3)]! |= 1 << (fd & 7);
    if (picks.length === 0 && ms !== Infinity) sleepMs(ms);
    return picks.length;
  };

  return {
    ppoll: (pfds, nfds, tmo) => ppoll(pfds, nfds, tmo),
    pselect6: (nfds, r, w, e, tmo) => pselect6(nfds, r, w, e, tmo),
  };
}

export { EBADF };
