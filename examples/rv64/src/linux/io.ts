// read, write, readv, writev, pread64, pwrite64, sendfile, and readiness:
// ppoll and pselect6.
import { EBADF, EFAULT, EINVAL } from './errno.js';
import type { LinuxModule, Process } from './process.js';
import { readFile, writeFile } from './vfs.js';
import { pollCalls } from './poll.js';

const O_ACCMODE = 3, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 0o2000;

export function ioModule(p: Process): LinuxModule {
  const { mem, fds } = p;
  const readable = (flags: number) => (flags & O_ACCMODE) !== O_WRONLY;
  const writable = (flags: number) => (flags & O_ACCMODE) === O_WRONLY || (flags & O_ACCMODE) === O_RDWR;

  const read = (fd: number, buf: number, len: number): number => {
    const f = fds.get(fd);
    if (!f || !readable(f.flags)) return -EBADF;
    if (!mem.valid(buf, len)) return -EFAULT;
    return readFile(f, mem.bytes(buf, len));
  };
  const write = (fd: number, buf: number, len: number): number => {
    const f = fds.get(fd);
    if (!f || !writable(f.flags)) return -EBADF;
    if (!mem.valid(buf, len)) return -EFAULT;
    return writeFile(f, mem.bytes(buf, len), (f.flags & O_APPEND) !== 0);
  };
  /** Runs op over each struct iovec { void *base; size_t len; }, stopping at a short transfer. */
  const vector = (op: typeof read) => (fd: number, iov: number, count: number): number => {
    if (count < 0 || count > 1024) return -EINVAL;
    if (!mem.valid(iov, count * 16)) return -EFAULT;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const base = mem.u64(iov + i * 16), len = mem.u64(iov + i * 16 + 8);
      if (len === 0) continue;
      const n = op(fd, base, len);
      if (n < 0) return total > 0 ? total : n;
      total += n;
      if (n < len) break;
    }
    return total;
  };
  const positioned = (op: typeof read) => (fd: number, buf: number, len: number, off: number): number => {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (f.kind !== 'mem' && f.kind !== 'hostfile') return -29; // ESPIPE
    if (off >= 2 ** 63) return -EINVAL;
    const saved = f.pos;
    f.pos = off;
    const n = op(fd, buf, len);
    f.pos = saved;
    return n;
  };
  /** Copies through a bounce buffer: read from in (at *offPtr when given, leaving its position), write to out. */
  const sendfile = (outFd: number, inFd: number, offPtr: number, count: number): number => {
    const out = fds.get(outFd), src = fds.get(inFd);
    if (!out || !src || !writable(out.flags) || !readable(src.flags)) return -EBADF;
    if (offPtr !== 0 && !mem.valid(offPtr, 8)) return -EFAULT;
    const saved = src.pos;
    if (offPtr !== 0) src.pos = mem.u64(offPtr);
    if (count < 0) return -EINVAL;
  const chunk = new Uint8Array(Math.min(count, 1 << 16));
    let total = 0;
    while (total < count) {
      const n = readFile(src, chunk.subarray(0, Math.min(chunk.length, count - total)));
      if (n < 0) { if (total === 0) total = n; break; }
      if (n === 0) break;
      const w = writeFile(out, chunk.subarray(0, n), (out.flags & O_APPEND) !== 0);
      if (w < 0) { if (total === 0) total = w; break; }
      total += w;
      if (src.kind === 'host') break; // a pipe or terminal: what was there
    }
    if (offPtr !== 0) { mem.setU64(offPtr, src.pos); src.pos = saved; }
    return total;
  };
  return {
    name: 'linux-io',
    handlers: {
      read, write, readv: vector(read), writev: vector(write), pread64: positioned(read), pwrite64: positioned(write),
      sendfile, ...pollCalls(p),
    },
  };
}
