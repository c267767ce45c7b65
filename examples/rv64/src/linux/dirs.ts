// Directories, links and metadata: getdents64, mkdirat, mknodat, unlinkat,
// renameat2, symlinkat, linkat, utimensat, truncate, ftruncate, fallocate,
// fchmod(at/at2), fchown(at), umask, chdir, fchdir, getcwd, statfs, fstatfs,
// and the calls that only check their descriptor (fsync, fdatasync, sync,
// syncfs, fadvise64).
import * as fs from 'node:fs';
import { EBADF, EFAULT, EINVAL, ENOTDIR, ENOTSUP, ERANGE } from './errno.js';
import * as ops from './fsops.js';
import { host, hostErr, type TimeSpec } from './hostfs.js';
import { guestString, type Loc, walkAt } from './namei.js';
import type { LinuxModule, Process } from './process.js';
import { MEM_DEV } from './stat.js';
import type { OpenFile } from './vfs.js';

const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
const TMPFS_MAGIC = 0x01021994;
const ST_RDONLY = 1;
const STATFS_SIZE = 120; // struct statfs64 on a 64-bit generic ABI

export function dirsModule(p: Process): LinuxModule {
  const { mem, fds, fs: vfs } = p;
  const cstr = (ptr: number) => guestString(mem, ptr);
  const at = (dirfd: number, ptr: number, follow: boolean, emptyOk = false): Loc | number => walkAt(p, cstr, dirfd, ptr, follow, emptyOk);

  /** The name an open file stands for, for the f* calls. */
  const fileLoc = (fd: number): Loc | number => {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (f.kind === 'hostfile') {
      let st: fs.BigIntStats | undefined;
      try { st = fs.statSync(f.hostPath!, { bigint: true, throwIfNoEntry: false }); } catch (e) { return hostErr(e); }
      return { kind: 'host', path: f.path, host: f.hostPath!, mount: { guest: '', host: '', rw: f.rw ?? false }, st, root: false, slash: false };
    }
    if (f.kind === 'host') return { kind: 'magic', path: `/proc/self/fd/${fd}`, link: '', followed: true, file: f };
    return { kind: 'mem', path: f.path, node: f.inode!, dir: vfs.root, name: '', slash: false };
  };

  const getdents64 = (fd: number, buf: number, count: number): number => {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (f.kind !== 'mem' && f.kind !== 'hostfile') return -ENOTDIR;
    if (f.kind === 'mem' && !f.inode!.entries) return -ENOTDIR;
    if (!f.listing) {
      if (f.kind === 'hostfile') { const r = host(() => (fs.fstatSync(f.hostFd).isDirectory() ? 0 : -ENOTDIR)); if (r < 0) return r; }
      const l = ops.listing(p, f);
      if (typeof l === 'number') return l;
      f.listing = l;
    }
    if (!mem.valid(buf, count)) return -EFAULT;
    let off = 0;
    while (f.pos < f.listing.length) {
      const e = f.listing[f.pos]!;
      const name = Buffer.from(e.name);
      const reclen = (19 + name.length + 1 + 7) & ~7; // struct linux_dirent64, 8-byte aligned
      if (off + reclen > count) { if (off === 0) return -EINVAL; break; }
      mem.u8.fill(0, buf + off, buf + off + reclen);
      mem.setU64(buf + off, e.ino);
      mem.setU64(buf + off + 8, f.pos + 1); // d_off: where the next entry starts (an index, as tmpfs)
      mem.dv.setUint16(buf + off + 16, reclen, true);
      mem.u8[buf + off + 18] = e.type;
      mem.write(buf + off + 19, name);
      off += reclen;
      f.pos++;
    }
    return off;
  };

  /** struct timespec times[2] at ptr (NULL: both now). */
  const times = (ptr: number): [TimeSpec, TimeSpec] | number => {
    if (ptr === 0) return ['now', 'now'];
    if (!mem.valid(ptr, 32)) return -EFAULT;
    const out: TimeSpec[] = [];
    for (const off of [0, 16]) {
      const sec = mem.u64(ptr + off), nsec = mem.u64(ptr + off + 8);
      if (nsec === UTIME_NOW) out.push('now');
      else if (nsec === UTIME_OMIT) out.push('omit');
      else if (nsec >= 1e9) return -EINVAL;
      else out.push(BigInt(sec) * 1000000000n + BigInt(nsec));
    }
    return out as [TimeSpec, TimeSpec];
  };

  const statfs = (l: Loc, buf: number): number => {
    if (!mem.valid(buf, STATFS_SIZE)) return -EFAULT;
    mem.u8.fill(0, buf, buf + STATFS_SIZE);
    let v = { type: TMPFS_MAGIC, bsize: 4096, blocks: mem.size / 4096, bfree: mem.size / 4096, bavail: mem.size / 4096, files: 1 << 20, ffree: (1 << 20) - 100, flags: 0x20 /* ST_VALID */ };
    if (l.kind === 'host') {
      try {
        const s = fs.statfsSync(l.host);
        v = { type: s.type, bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, flags: 0x20 | (l.mount.rw ? 0 : ST_RDONLY) };
      } catch (e) { return -Math.abs((e as { errno?: number }).errno ?? 2); }
    }
    [v.type, v.bsize, v.blocks, v.bfree, v.bavail, v.files, v.ffree].forEach((x, i) => mem.setU64(buf + i * 8, x));
    mem.dv.setInt32(buf + 56, l.kind === 'host' ? 0 : MEM_DEV, true); // f_fsid
    mem.setU64(buf + 64, 255); // f_namelen
    mem.setU64(buf + 72, v.bsize); // f_frsize
    mem.setU64(buf + 80, v.flags);
    return 0;
  };

  const chmodat = (dirfd: number, ptr: number, mode: number, flags: number): number => {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    const l = at(dirfd, ptr, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof l === 'number') return l;
    if (l.kind === 'mem' && l.node?.target !== undefined) return -ENOTSUP; // Linux: links have no mode of their own
    return ops.chmodLoc(l, mode);
  };

  const chownat = (dirfd: number, ptr: number, uid: number, gid: number, flags: number): number => {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    const follow = (flags & AT_SYMLINK_NOFOLLOW) === 0;
    const l = (flags & AT_EMPTY_PATH) && cstr(ptr) === '' ? fileLoc(dirfd) : at(dirfd, ptr, follow);
    return typeof l === 'number' ? l : ops.chownLoc(l, uid | 0, gid | 0, follow);
  };

  const checkFd = (fd: number): number => (fds.get(fd) ? 0 : -EBADF);

  const ftruncate = (fd: number, len: number): number => {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (len < 0 || len >= 2 ** 63) return -EINVAL;
    if ((f.flags & 3) === 0 || f.kind === 'pipe' || f.kind === 'host') return -EINVAL;
    if (f.kind === 'hostfile') { try { fs.ftruncateSync(f.hostFd, len); return 0; } catch (e) { return -Math.abs((e as { errno?: number }).errno ?? 22); } }
    return ops.truncateNode(f.inode!, len);
  };

  return {
    name: 'linux-dirs',
    handlers: {
      getdents64,
      mkdirat: (dirfd, ptr, mode) => {
        const l = at(dirfd, ptr, false);
        return typeof l === 'number' ? l : ops.mkdirLoc(vfs, l, mode);
      },
      mknodat: (dirfd, ptr, mode) => {
        const l = at(dirfd, ptr, false);
        return typeof l === 'number' ? l : ops.mknodLoc(vfs, l, mode);
      },
      unlinkat: (dirfd, ptr, flags) => {
        if (flags & ~AT_REMOVEDIR) return -EINVAL;
        const l = at(dirfd, ptr, false);
        return typeof l === 'number' ? l : ops.unlinkLoc(vfs, l, (flags & AT_REMOVEDIR) !== 0);
      },
      renameat2: (olddirfd, oldptr, newdirfd, newptr, flags) => {
        const a = at(olddirfd, oldptr, false);
        if (typeof a === 'number') return a;
        const b = at(newdirfd, newptr, false);
        return typeof b === 'number' ? b : ops.renameLocs(vfs, a, b, flags);
      },
      symlinkat: (targetPtr, dirfd, ptr) => {
        const target = cstr(targetPtr);
        if (target === null) return -EFAULT;
        if (target === '') return -2; // ENOENT
        const l = at(dirfd, ptr, false);
        return typeof l === 'number' ? l : ops.symlinkLoc(vfs, l, target);
      },
      linkat: (olddirfd, oldptr, newdirfd, newptr, flags) => {
        if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
        const a = at(olddirfd, oldptr, (flags & AT_SYMLINK_FOLLOW) !== 0);
        if (typeof a === 'number') return a;
        const b = at(newdirfd, newptr, false);
        return typeof b === 'number' ? b : ops.linkLocs(vfs, a, b);
      },
      utimensat: (dirfd, ptr, timesPtr, flags) => {
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
        const t = times(timesPtr);
        if (typeof t === 'number') return t;
        const follow = (flags & AT_SYMLINK_NOFOLLOW) === 0;
        // A NULL path is futimens(): the descriptor itself.
        const l = ptr === 0 ? fileLoc(dirfd) : at(dirfd, ptr, follow, (flags & AT_EMPTY_PATH) !== 0);
        return typeof l === 'number' ? l : ops.utimesLoc(l, t[0], t[1], follow);
      },
      truncate: (ptr, len) => {
        const l = at(-100, ptr, true);
        return typeof l === 'number' ? l : ops.truncateLoc(l, len >= 2 ** 63 ? -1 : len);
      },
      ftruncate,
      fallocate: (fd, mode, off, len) => {
        if (mode !== 0) return -ENOTSUP;
        const f = fds.get(fd);
        if (!f) return -EBADF;
        const end = off + len;
        if (f.kind !== 'mem' && f.kind !== 'hostfile') return -29; // ESPIPE
        const size = f.kind === 'mem' ? f.inode!.size : host(() => fs.fstatSync(f.hostFd).size);
        if (size < 0) return size;
        return end > size ? ftruncate(fd, end) : 0;
      },
      fchmod: (fd, mode) => {
        const l = fileLoc(fd);
        return typeof l === 'number' ? l : ops.chmodLoc(l, mode);
      },
      fchmodat: (dirfd, ptr, mode) => chmodat(dirfd, ptr, mode, 0),
      fchmodat2: chmodat,
      fchownat: chownat,
      fchown: (fd, uid, gid) => {
        const l = fileLoc(fd);
        return typeof l === 'number' ? l : ops.chownLoc(l, uid | 0, gid | 0, true);
      },
      umask: (mask) => {
        const old = vfs.umask;
        vfs.umask = mask & 0o777;
        return old;
      },
      chdir: (ptr) => {
        const l = at(-100, ptr, true);
        if (typeof l === 'number') return l;
        const st = ops.statLoc(l);
        if (typeof st === 'number') return st;
        if ((st.mode & 0o170000) !== 0o040000) return -ENOTDIR;
        p.cwd = l.path;
        return 0;
      },
      fchdir: (fd) => {
        const f: OpenFile | null = fds.get(fd);
        if (!f) return -EBADF;
        const st = ops.statFile(f);
        if (typeof st === 'number') return st;
        if ((st.mode & 0o170000) !== 0o040000) return -ENOTDIR;
        p.cwd = f.path;
        return 0;
      },
      getcwd: (buf, size) => {
        const cwd = Buffer.from(p.cwd + '\0');
        if (cwd.length > size) return -ERANGE;
        if (!mem.valid(buf, cwd.length)) return -EFAULT;
        mem.write(buf, cwd);
        return cwd.length;
      },
      statfs: (ptr, buf) => {
        const l = at(-100, ptr, true);
        if (typeof l === 'number') return l;
        const st = ops.statLoc(l);
        return typeof st === 'number' ? st : statfs(l, buf);
      },
      fstatfs: (fd, buf) => {
        const l = fileLoc(fd);
        return typeof l === 'number' ? l : statfs(l, buf);
      },
      // One process: no other holder of a lock to wait for.
      flock: (fd, op) => (!fds.get(fd) ? -EBADF : [1, 2, 8].includes(op & ~4) ? 0 : -EINVAL),
      fsync: checkFd,
      fdatasync: checkFd,
      syncfs: checkFd,
      sync: () => 0,
      fadvise64: (fd) => {
        const f = fds.get(fd);
        return !f ? -EBADF : f.kind === 'pipe' ? -29 : 0;
      },
    },
  };
}
