// openat, close, lseek, newfstatat, fstat, readlinkat, unlinkat, mkdirat, faccessat,
// getcwd, dup, dup3, fcntl, ioctl, pipe2: the descriptor and name side of files.
import * as fs from 'node:fs';
import { EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTTY, ERANGE } from './errno.js';
import type { LinuxModule, Process } from './process.js';
import { type OpenFile, isTty, resolvePath, S_IFCHR, S_IFDIR, S_IFIFO, S_IFREG, seekFile } from './vfs.js';

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_REMOVEDIR = 0x200;
const O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_DIRECTORY = 0o200000, O_ACCMODE = 3;
const O_NONBLOCK = 0o4000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000, O_CLOEXEC = 0o2000000;
const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
const TCGETS = 0x5401, TIOCGWINSZ = 0x5413;
const STAT_SIZE = 128; // struct stat, include/uapi/asm-generic/stat.h

export function filesModule(p: Process): LinuxModule {
  const { mem, fds, fs: vfs } = p;

  /** The absolute path a (dirfd, path) pair names; only AT_FDCWD and absolute paths are supported. */
  const pathAt = (dirfd: number, ptr: number): string | number => {
    const s = mem.cstring(ptr);
    if (s === null) return -EFAULT;
    if (s === '') return -ENOENT;
    if (!s.startsWith('/') && dirfd !== AT_FDCWD) {
      const dir = fds.get(dirfd);
      if (!dir) return -EBADF;
      if (dir.kind !== 'mem' || (dir.inode!.mode & S_IFDIR) === 0) return -ENOTDIR;
      return resolvePath(dir.path, s);
    }
    return resolvePath(p.cwd, s);
  };

  const writeStat = (buf: number, f: { ino: number; mode: number; size: number; mtimeMs: number; rdev?: number }): number => {
    if (!mem.valid(buf, STAT_SIZE)) return -EFAULT;
    mem.u8.fill(0, buf, buf + STAT_SIZE);
    const dv = mem.dv;
    mem.setU64(buf + 0, 0x1a); // st_dev
    mem.setU64(buf + 8, f.ino);
    dv.setUint32(buf + 16, f.mode, true);
    dv.setUint32(buf + 20, 1, true); // st_nlink
    dv.setUint32(buf + 24, process.getuid?.() ?? 0, true);
    dv.setUint32(buf + 28, process.getgid?.() ?? 0, true);
    mem.setU64(buf + 32, f.rdev ?? 0);
    mem.setU64(buf + 48, f.size);
    dv.setInt32(buf + 56, 4096, true); // st_blksize
    mem.setU64(buf + 64, Math.ceil(f.size / 512));
    const sec = Math.floor(f.mtimeMs / 1000), nsec = Math.floor((f.mtimeMs % 1000) * 1e6);
    for (const off of [72, 88, 104]) { mem.setU64(buf + off, sec); mem.setU64(buf + off + 8, nsec); }
    return 0;
  };

  const statFile = (file: OpenFile, buf: number): number => {
    if (file.kind === 'mem') return writeStat(buf, file.inode!);
    if (file.kind === 'pipe') return writeStat(buf, { ...file.inode!, size: 0 });
    // The embedder's descriptors (RunOptions.io): a character device, as a terminal or /dev/null is.
    if (file.io) return writeStat(buf, { ino: 3 + file.hostFd, mode: S_IFCHR | 0o620, size: 0, mtimeMs: 0, rdev: 0x8800 + file.hostFd });
    const st = fs.fstatSync(file.hostFd);
    const mode = st.isFIFO() ? S_IFIFO : st.isCharacterDevice() ? S_IFCHR : st.isDirectory() ? S_IFDIR : S_IFREG;
    return writeStat(buf, { ino: st.ino, mode: mode | (st.mode & 0o7777), size: st.isFile() ? st.size : 0, mtimeMs: st.mtimeMs, rdev: st.rdev });
  };

  const openat = (dirfd: number, pathPtr: number, flags: number, mode: number): number => {
    const path = pathAt(dirfd, pathPtr);
    if (typeof path === 'number') return path;
    let node = vfs.lookup(path);
    if (node && (flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
    if (!node) {
      if (!(flags & O_CREAT)) return -ENOENT;
      if (!vfs.parentOk(path)) return -ENOENT;
      node = vfs.create(path, S_IFREG | (mode & 0o7777));
    }
    const isDir = (node.mode & S_IFDIR) !== 0;
    if ((flags & O_DIRECTORY) && !isDir) return -ENOTDIR;
    if (isDir && (flags & O_ACCMODE) !== 0) return -EISDIR;
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) !== 0) { node.size = 0; node.data = new Uint8Array(0); }
    return fds.add({ kind: 'mem', hostFd: -1, inode: node, pos: 0, flags, path });
  };

  const newfstatat = (dirfd: number, pathPtr: number, buf: number, flags: number): number => {
    if ((flags & AT_EMPTY_PATH) && mem.cstring(pathPtr) === '') {
      const f = fds.get(dirfd);
      return f ? statFile(f, buf) : -EBADF;
    }
    const path = pathAt(dirfd, pathPtr);
    if (typeof path === 'number') return path;
    const node = vfs.lookup(path);
    return node ? writeStat(buf, node) : -ENOENT;
  };

  const dupTo = (fd: number, min: number): number => {
    const f = fds.get(fd);
    return f ? fds.add(f, min) : -EBADF;
  };

  return {
    name: 'linux-files',
    handlers: {
      openat,
      close: (fd) => fds.close(fd),
      lseek: (fd, off, whence) => {
        const f = fds.get(fd);
        return f ? seekFile(f, off, whence) : -EBADF;
      },
      newfstatat,
      fstat: (fd, buf) => {
        const f = fds.get(fd);
        return f ? statFile(f, buf) : -EBADF;
      },
      readlinkat: (dirfd, pathPtr, buf, size) => {
        const path = pathAt(dirfd, pathPtr);
        if (typeof path === 'number') return path;
        if (path !== '/proc/self/exe') return vfs.lookup(path) ? -EINVAL : -ENOENT;
        const target = Buffer.from(p.exe);
        const n = Math.min(size, target.length);
        if (!mem.valid(buf, n)) return -EFAULT;
        mem.write(buf, target.subarray(0, n));
        return n;
      },
      unlinkat: (dirfd, pathPtr, flags) => {
        const path = pathAt(dirfd, pathPtr);
        if (typeof path === 'number') return path;
        return flags & AT_REMOVEDIR ? vfs.rmdir(path) : vfs.unlink(path);
      },
      pipe2: (fdsPtr, flags) => {
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return -EINVAL;
        if (!mem.valid(fdsPtr, 8)) return -EFAULT;
        const inode = { ino: vfs.nextInode(), mode: S_IFIFO | 0o600, data: new Uint8Array(0), size: 0, mtimeMs: Date.now() };
        const r = fds.add({ kind: 'pipe', hostFd: -1, inode, pos: 0, flags: (flags & O_NONBLOCK) | O_LARGEFILE, path: '' });
        const w = fds.add({ kind: 'pipe', hostFd: -1, inode, pos: 0, flags: (flags & O_NONBLOCK) | O_LARGEFILE | 1, path: '' });
        mem.dv.setInt32(fdsPtr, r, true);
        mem.dv.setInt32(fdsPtr + 4, w, true);
        return 0;
      },
      mkdirat: (dirfd, pathPtr, mode) => {
        const path = pathAt(dirfd, pathPtr);
        if (typeof path === 'number') return path;
        if (vfs.lookup(path)) return -EEXIST;
        if (!vfs.parentOk(path)) return -ENOENT;
        vfs.create(path, S_IFDIR | (mode & 0o7777));
        return 0;
      },
      faccessat: (dirfd, pathPtr) => {
        const path = pathAt(dirfd, pathPtr);
        if (typeof path === 'number') return path;
        return vfs.lookup(path) ? 0 : -ENOENT;
      },
      getcwd: (buf, size) => {
        const cwd = Buffer.from(p.cwd + '\0');
        if (cwd.length > size) return -ERANGE;
        if (!mem.valid(buf, cwd.length)) return -EFAULT;
        mem.write(buf, cwd);
        return cwd.length;
      },
      dup: (fd) => dupTo(fd, 0),
      dup3: (oldfd, newfd, flags) => {
        const f = fds.get(oldfd);
        if (!f) return -EBADF;
        if (oldfd === newfd || newfd < 0 || (flags & ~0o2000000) !== 0) return -EINVAL;
        fds.set(newfd, f);
        return newfd;
      },
      fcntl: (fd, cmd, arg) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
        switch (cmd) {
          case F_DUPFD: case F_DUPFD_CLOEXEC: return dupTo(fd, arg);
          case F_GETFD: case F_SETFD: return 0;
          case F_GETFL: return f.flags & ~(O_CREAT | O_EXCL | O_TRUNC);
          case F_SETFL: f.flags = (f.flags & O_ACCMODE) | (arg & ~O_ACCMODE); return 0;
          default: return -EINVAL;
        }
      },
      ioctl: (fd, req, arg) => {
        const f = fds.get(fd);
        if (!f) return -EBADF;
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
        return -ENOTTY;
      },
    },
  };
}
