// brk, mmap, munmap, mprotect, madvise, mremap (ENOSYS: glibc falls back to
// malloc + copy). Anonymous and private file mappings; protections are
// recorded by nobody: every mapped page is readable and writable.
import { PAGE } from '../memory.js';
import { EBADF, EINVAL, ENOMEM, ENOSYS } from './errno.js';
import type { LinuxModule, Process } from './process.js';

const MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
const MAX_BRK = 256 << 20; // the brk heap may grow this far past its start

export function mmModule(p: Process): LinuxModule {
  const { mem } = p;
  const pageUp = (n: number) => Math.ceil(n / PAGE) * PAGE;
  // At most half the room between brk and the mmap area: a small --mem leaves mmap (thread stacks) room too.
  const brkLimit = Math.min(p.brkStart + MAX_BRK, p.brkStart + Math.floor((p.mmapTop - p.brkStart) / 2 / PAGE) * PAGE);

  return {
    name: 'linux-mm',
    handlers: {
      brk: (addr) => {
        if (addr < p.brkStart || addr > brkLimit) return p.brk;
        const oldTop = pageUp(p.brk), newTop = pageUp(addr);
        if (newTop > oldTop) {
          if (mem.findFree(newTop - oldTop, newTop, oldTop) !== oldTop) return p.brk; // an mmap is in the way
          mem.map(oldTop, newTop - oldTop);
        } else if (newTop < oldTop) mem.unmap(newTop, oldTop - newTop);
        if (addr < p.brk) mem.u8.fill(0, addr, Math.min(p.brk, newTop)); // shrunk bytes read 0 if regrown
        p.brk = addr;
        return p.brk;
      },
      mmap: (addr, len, prot, flags, fd, off) => {
        if (len <= 0 || addr % PAGE !== 0 || off % PAGE !== 0) return -EINVAL;
        const size = pageUp(len);
        let at: number;
        if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
          if (!mem.valid(addr, size)) return -ENOMEM;
          at = addr;
        } else {
          at = mem.findFree(size, p.mmapTop, brkLimit);
          if (at < 0) return -ENOMEM;
        }
        // MAP_FIXED replaces what was there: zero it. A PROT_NONE mapping is
        // only reserved: its pages stay zero until mprotect opens them.
        const reserve = prot === 0 && (flags & MAP_ANONYMOUS) !== 0;
        mem.unmap(at, size);
        mem.map(at, size, reserve);
        if (!(flags & MAP_ANONYMOUS)) {
          const f = p.fds.get(fd);
          if (!f || f.kind !== 'mem') { mem.unmap(at, size); return -EBADF; }
          const node = f.inode!;
          mem.write(at, node.data.subarray(off, Math.min(node.size, off + len)));
        }
        return at;
      },
      munmap: (addr, len) => {
        if (addr % PAGE !== 0 || len <= 0) return -EINVAL;
        if (mem.valid(addr, pageUp(len))) mem.unmap(addr, pageUp(len));
        return 0;
      },
      mprotect: (addr, len, prot) => {
        if (addr % PAGE !== 0) return -EINVAL;
        if (prot !== 0 && mem.valid(addr, pageUp(len))) mem.open(addr, pageUp(len));
        return 0;
      },
      madvise: () => 0,
      mremap: () => -ENOSYS,
    },
  };
}
