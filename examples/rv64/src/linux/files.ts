// openat, close, lseek, newfstatat, fstat, readlinkat, faccessat(2), dup, dup3,
// fcntl, ioctl, pipe2: the descriptor and name side of files. Directories,
// links and metadata are in dirs.ts.
import { EBADF, EFAULT, EINVAL, ENOTTY, EPERM } from './errno.js';
import { openLoc, readlinkLoc, statFile, statLoc } from './fsops.js';
import { guestString, walkAt } from './namei.js';
import type { LinuxModule, Process } from './process.js';
import { writeStat } from './stat.js';
import { isTty, S_IFIFO, seekFile } from './vfs.js';

const AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100, AT_EACCESS = 0x200;
const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_ACCMODE = 3;
const O_NONBLOCK = 0o4000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000;
const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_SETLK = 6, F_SETLKW = 7, F_GETLK = 5, F_DUPFD_CLOEXEC = 1030;
const F_SETOWN = 8, F_GETOWN = 9, F_GETPIPE_SZ = 1032;
const TCGETS = 0x5401, TIOCGWINSZ = 0x5413, TIOCGPGRP = 0x540f, FIONREAD = 0x541b;

export function filesModule(p: Process): LinuxModule {
  const { mem, fds, fs: vfs } = p;
  const cstr = (ptr: number) => guestString(mem, ptr);

  const openat = (dirfd: number, pathPtr: number, flags: number, mode: number): number => {
    // O_CREAT|O_EXCL never follows a final link: a dangling one is EEXIST, as in Linux.
    const l = walkAt(p, cstr, dirfd, pathPtr, (flags & O_NOFOLLOW) === 0 && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL));
    if (typeof l === 'number') return l;
    const f = openLoc(vfs, l, flags & ~O_NOCTTY, mode);
    if (typeof f === 'number') return f;
    return fds.add(f, 0, (flags & O_CLOEXEC) !== 0);
  };

  const newfstatat = (dirfd: number, pathPtr: number, buf: number, flags: number): number => {
    if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | 0x800 /* AT_NO_AUTOMOUNT */)) !== 0) return -EINVAL;
    if ((flags & AT_EMPTY_PATH) && cstr(pathPtr) === '') {
      const f = fds.get(dirfd);
      if (!f) return -EBADF;
      const st = statFile(f);
      return typeof st === 'number' ? st : writeStat(mem, buf, st);
    }
    const l = walkAt(p, cstr, dirfd, pathPtr, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof l === 'number') return l;
    const st = statLoc(l);
    if (typeof st === 'number') return st;
    if (l.kind !== 'magic' && l.slash && (st.mode & 0o170000) !== 0o040000) return -20; // ENOTDIR
    return writeStat(mem, buf, st);
  };

  const faccessat = (dirfd: number, pathPtr: number, mode: number, flags = 0): number => {
    if ((mode & ~7) !== 0 || (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
    const l = walkAt(p, cstr, dirfd, pathPtr, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof l === 'number') return l;
    const st = statLoc(l);
    if (typeof st === 'number') return st;
    if ((mode & 2) && l.kind === 'host' && !l.mount.rw) return -30; // EROFS
    // root passes read and write checks; execute needs some x bit (as Linux's generic_permission).
    const uid = process.getuid?.() ?? 0;
    if (uid === 0) return (mode & 1) && (st.mode & 0o111) === 0 && (st.mode & 0o170000) !== 0o040000 ? -13 : 0;
    const bits = st.uid === uid ? (st.mode >> 6) & 7 : (st.mode >> 0) & 7;
    return (bits & mode) === mode ? 0 : -13; // EACCES
  };

  const dupTo = (fd: number, min: number, cloexec = false): number => {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (min < 0 || min >= fds.limit) return -EINVAL;
    return fds.add(f, min, cloexec);
  };

  return {
    name: 'linux-files',
    handlers: {
      openat,
      close: (fd) => fds.close(fd),
      lseek: (fd, off, whence) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
        if (f.kind === 'host' && !isTty(f)) return -29; // ESPIPE for a pipe or terminal
        return seekFile(f, off >= 2 ** 63 ? off - 2 ** 64 : off, whence);
      },
      newfstatat,
      fstat: (fd, buf) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
        const st = statFile(f);
        return typeof st === 'number' ? st : writeStat(mem, buf, st);
      },
      readlinkat: (dirfd, pathPtr, buf, size) => {
        if ((size | 0) <= 0) return -EINVAL;
        const l = walkAt(p, cstr, dirfd, pathPtr, false);
        if (typeof l === 'number') return l;
        const s = readlinkLoc(l);
        if (typeof s === 'number') return s;
        const target = Buffer.from(s);
        const n = Math.min(size, target.length);
        if (!mem.valid(buf, n)) return -EFAULT;
        mem.write(buf, target.subarray(0, n));
        return n;
      },
      pipe2: (fdsPtr, flags) => {
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return -EINVAL;
        if (!mem.valid(fdsPtr, 8)) return -EFAULT;
        const inode = vfs.newInode(S_IFIFO | 0o600);
        const cloexec = (flags & O_CLOEXEC) !== 0;
        const r = fds.add({ kind: 'pipe', hostFd: -1, inode, pos: 0, flags: (flags & O_NONBLOCK) | O_LARGEFILE, path: '' }, 0, cloexec);
        if (r < 0) return r;
        const w = fds.add({ kind: 'pipe', hostFd: -1, inode, pos: 0, flags: (flags & O_NONBLOCK) | O_LARGEFILE | 1, path: '' }, 0, cloexec);
        if (w < 0) { fds.close(r); return w; }
        mem.dv.setInt32(fdsPtr, r, true);
        mem.dv.setInt32(fdsPtr + 4, w, true);
        return 0;
      },
      faccessat: (dirfd, pathPtr, mode) => faccessat(dirfd, pathPtr, mode),
      faccessat2: faccessat,
      dup: (fd) => dupTo(fd, 0),
      dup3: (oldfd, newfd, flags) => {
        const f = fds.get(oldfd);
        if (!f) return -EBADF;
        if (oldfd === newfd || newfd < 0 || newfd >= fds.limit || (flags & ~O_CLOEXEC) !== 0) return -EINVAL;
        if (fds.get(newfd) !== f) fds.close(newfd);
        fds.set(newfd, f, (flags & O_CLOEXEC) !== 0);
        return newfd;
      },
      fcntl: (fd, cmd, arg) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
        switch (cmd) {
          case F_DUPFD: return dupTo(fd, arg);
          case F_DUPFD_CLOEXEC: return dupTo(fd, arg, true);
          case F_GETFD: return fds.isCloexec(fd) ? 1 : 0;
          case F_SETFD: fds.setCloexec(fd, (arg & 1) !== 0); return 0;
          case F_GETFL: return (f.flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)) | (f.kind === 'mem' || f.kind === 'hostfile' ? O_LARGEFILE : 0);
          case F_SETFL: f.flags = (f.flags & O_ACCMODE) | (arg & 0o4002000 /* O_APPEND|O_NONBLOCK */) | (f.flags & ~(O_ACCMODE | 0o4002000) & O_LARGEFILE); return 0;
          case F_GETLK: if (mem.valid(arg, 2)) mem.dv.setInt16(arg, 2, true); return 0; // F_UNLCK: one process holds no conflicting lock
          case F_SETLK: case F_SETLKW: return 0;
          case F_GETOWN: return 0;
          case F_SETOWN: return 0;
          case F_GETPIPE_SZ: return f.kind === 'pipe' ? 65536 : -EBADF;
          default: return -EINVAL;
        }
      },
      ioctl: (fd, req, arg) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
        if (req === FIONREAD && (f.kind === 'pipe' || f.kind === 'mem')) {
          if (!mem.valid(arg, 4)) return -EFAULT;
          mem.dv.setInt32(arg, Math.max(0, f.inode!.size - f.pos), true);
          return 0;
        }
        if (!isTty(f)) return -ENOTTY;
        if (req === TCGETS) { // struct termios: 60 bytes; zeros are enough for isatty()
          if (!mem.valid(arg, 60)) return -EFAULT;
          mem.u8.fill(0, arg, arg + 60);
          return 0;
        }
        if (req === TIOCGWINSZ) {
          if (!mem.valid(arg, 8)) return -EFAULT;
          const out = process.stdout;
          mem.dv.setUint16(arg, out.rows ?? 24, true);
          mem.dv.setUint16(arg + 2, out.columns ?? 80, true);
          mem.dv.setUint32(arg + 4, 0, true);
          return 0;
        }
        if (req === TIOCGPGRP) {
          if (!mem.valid(arg, 4)) return -EFAULT;
          mem.dv.setInt32(arg, p.pid, true);
          return 0;
        }
        return -ENOTTY;
      },
    },
  };
}

export { EPERM };
