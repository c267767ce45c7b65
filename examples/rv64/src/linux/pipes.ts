// pipe2 between processes. A pipe's bytes live at the kernel's home (the
// main thread owns every process's descriptor table, so every read and write
// of a pipe runs there, one at a time): a 64 KiB ring per pipe, with counts of
// the open read and write descriptions across all processes. A read of an
// empty pipe, or a write to a full one, never blocks the home: it answers
// "would block" (kernel.ts: blockAnswer), and the calling thread waits in its
// own worker (Atomics.wait on the kernel's generation word, which every pipe
// change moves) and makes the call again.
import { EAGAIN, EFAULT, EINVAL } from './errno.js';
import type { KernelWords } from './answers.js';
import { S_IFIFO, type FdTable, type Inode, type MemFs, type OpenFile, type PipeEnd } from './vfs.js';

const EPIPE = 32; // include/uapi/asm-generic/errno-base.h
const O_NONBLOCK = 0o4000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000, O_CLOEXEC = 0o2000000;
/** pipe(7): the default capacity, and the size up to which a write is atomic. */
export const PIPE_SIZE = 65536, PIPE_BUF = 4096;

export class Pipe {
  private readonly ring = new Uint8Array(PIPE_SIZE);
  private head = 0;
  /** Bytes written and not yet read. */
  len = 0;
  readers = 1;
  writers = 1;

  /** inode: the FIFO inode both ends show; its size follows len, which epoll.ts (readiness) and FIONREAD read. */
  constructor(private readonly k: KernelWords, private readonly inode?: Inode) {}

  private moved(): void {
    if (this.inode) this.inode.size = this.len;
    this.k.changed();
  }

  read(dst: Uint8Array, nonblock: boolean): number {
    if (dst.length === 0) return 0;
    if (this.len === 0) {
      if (this.writers === 0) return 0; // end of file
      return nonblock ? -EAGAIN : this.k.blockAnswer();
    }
    const n = Math.min(dst.length, this.len);
    const first = Math.min(n, PIPE_SIZE - this.head);
    dst.set(this.ring.subarray(this.head, this.head + first));
    if (n > first) dst.set(this.ring.subarray(0, n - first), first);
    this.head = (this.head + n) % PIPE_SIZE;
    this.len -= n;
    this.moved();
    return n;
  }

  /** A write of at most PIPE_BUF bytes is all or nothing; a longer one writes what fits (a short count, which callers loop on). */
  write(src: Uint8Array, nonblock: boolean): number {
    if (this.readers === 0) return -EPIPE; // the router sends SIGPIPE with it
    if (src.length === 0) return 0;
    const room = PIPE_SIZE - this.len;
    if (room === 0 || (src.length <= PIPE_BUF && room < src.length)) return nonblock ? -EAGAIN : this.k.blockAnswer();
    const n = Math.min(room, src.length);
    const tail = (this.head + this.len) % PIPE_SIZE;
    const first = Math.min(n, PIPE_SIZE - tail);
    this.ring.set(src.subarray(0, first), tail);
    if (n > first) this.ring.set(src.subarray(first, n), 0);
    this.len += n;
    this.moved();
    return n;
  }

  /** poll(2)'s view of one end. */
  readyIn(): boolean { return this.len > 0 || this.writers === 0; }
  readyOut(): boolean { return this.readers === 0 || PIPE_SIZE - this.len >= PIPE_BUF; }

  end(writing: boolean): PipeEnd {
    return {
      read: (dst, nb) => (writing ? -9 : this.read(dst, nb)), // EBADF: io.ts checks the mode first anyway
      write: (src, nb) => (writing ? this.write(src, nb) : -9),
      release: () => {
        if (writing) this.writers--; else this.readers--;
        this.k.changed(); // readers see end of file, writers EPIPE
      },
    };
  }
}

/** pipe2 over the process's table; both ends are 'pipe' descriptions of one fresh FIFO inode (fstat shows S_IFIFO). */
export function pipe2Handler(k: KernelWords, mem: { valid(a: number, n: number): boolean; dv: DataView }, fds: FdTable, vfs: MemFs): (fdsPtr: number, flags: number) => number {
  return (fdsPtr, flags) => {
    if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return -EINVAL;
    if (!mem.valid(fdsPtr, 8)) return -EFAULT;
    const inode = vfs.newInode(S_IFIFO | 0o600);
    const pipe = new Pipe(k, inode);
    const cloexec = (flags & O_CLOEXEC) !== 0;
    const end = (writing: boolean): OpenFile => ({ kind: 'pipe', hostFd: -1, inode, pos: 0, flags: (flags & O_NONBLOCK) | O_LARGEFILE | (writing ? 1 : 0), path: '', pipe: pipe.end(writing) });
    const ends = [end(false), end(true)];
    const r = fds.add(ends[0]!, 0, cloexec);
    if (r < 0) return r;
    const w = fds.add(ends[1]!, 0, cloexec);
    if (w < 0) { fds.close(r); pipe.writers = 0; return w; }
    pipes.set(ends[0]!, pipe);
    pipes.set(ends[1]!, pipe);
    mem.dv.setInt32(fdsPtr, r, true);
    mem.dv.setInt32(fdsPtr + 4, w, true);
    return 0;
  };
}

/** Each pipe description's pipe (for poll's readiness). */
export const pipes = new WeakMap<OpenFile, Pipe>();
