// read, write, readv, writev, pread64, pwrite64.
import { EBADF, EFAULT, EINVAL } from './errno.js';
import type { LinuxModule, Process } from './process.js';
import { readFile, writeFile } from './vfs.js';

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
    if (f.kind !== 'mem') return -29; // ESPIPE
    const saved = f.pos;
    f.pos = off;
    const n = op(fd, buf, len);
    f.pos = saved;
    return n;
  };
  return {
    name: 'linux-io',
    handlers: { read, write, readv: vector(read), writev: vector(write), pread64: positioned(read), pwrite64: positioned(write) },
  };
}
