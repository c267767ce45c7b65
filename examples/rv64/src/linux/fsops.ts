// Operations on resolved names (namei.ts), for the tree and for mounted host
// directories alike: what the calls in files.ts and dirs.ts share.
import * as fs from 'node:fs';
import { EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, EMLINK, ENOENT, ENOTDIR, ENOTEMPTY, ENXIO, EPERM, EXDEV } from './errno.js';
import * as h from './hostfs.js';
import type { Loc, MemLoc, NameContext } from './namei.js';
import { hostStat, inodeStat, type StatInfo } from './stat.js';
import { type DirEntry, type Inode, type MemFs, nowNs, type OpenFile, resize, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, touch } from './vfs.js';

const O_ACCMODE = 3, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
const O_PATH = 0o10000000, O_CLOEXEC = 0o2000000;

export function statLoc(l: Loc): StatInfo | number {
  if (l.kind === 'mem') return l.node ? inodeStat(l.node) : -ENOENT;
  if (l.kind === 'host') return l.st ? hostStat(l.st) : -ENOENT;
  if (!l.followed) return { ...inodeStat({ ino: 9, mode: S_IFLNK | 0o777, data: new Uint8Array(0), size: Buffer.byteLength(l.link), mtimeMs: Date.now() }), dev: 0x17 };
  if (l.file) return statFile(l.file);
  return hostStatOf(l.exe!);
}

function hostStatOf(path: string): StatInfo | number {
  try { return hostStat(fs.statSync(path, { bigint: true })); } catch (e) { return h.hostErr(e); }
}

export function statFile(f: OpenFile): StatInfo | number {
  if (f.kind === 'mem') return inodeStat(f.inode!);
  if (f.kind === 'pipe') return { ...inodeStat(f.inode!), size: 0, dev: 0xc };
  // The embedder's descriptors (RunOptions.io): a character device, as a terminal or /dev/null is.
  if (f.io) return { dev: 0x16, ino: 3 + f.hostFd, mode: 0o020620, nlink: 1, uid: 0, gid: 0, rdev: 0x8800 + f.hostFd, size: 0, blksize: 1024, blocks: 0, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n };
  try { return hostStat(fs.fstatSync(f.hostFd, { bigint: true })); } catch (e) { return h.hostErr(e); }
}

const isDir = (n: Inode): boolean => n.entries !== undefined;
const slashed = (l: Loc): boolean => l.kind !== 'magic' && l.slash;
const exists = (l: Loc): boolean => (l.kind === 'mem' ? l.node !== undefined : l.kind === 'host' ? l.st !== undefined : true);
const dirLoc = (l: Loc): boolean => (l.kind === 'mem' ? l.node?.entries !== undefined : l.kind === 'host' ? l.st?.isDirectory() ?? false : false);
/** Creating a non-directory at 'name/': EEXIST when it exists, else ENOENT (fs/namei.c filename_create). */
const slashCreate = (l: Loc): number => (!slashed(l) ? 0 : exists(l) ? -EEXIST : -ENOENT);

/** Opens a host file again (through a magic link), as a name in a mount of the given mode. */
function reopenHost(host: string, path: string, rw: boolean, flags: number): OpenFile | number {
  let st: fs.BigIntStats | undefined;
  try { st = fs.statSync(host, { bigint: true }); } catch (e) { return h.hostErr(e); }
  return h.hostOpen({ kind: 'host', path, host, mount: { guest: path, host, rw }, st, root: false, slash: false }, flags, 0, 0);
}

/** Opens a resolved name; the OpenFile is not yet in the table. */
export function openLoc(vfs: MemFs, l: Loc, flags: number, mode: number): OpenFile | number {
  const opened = { flags: flags & ~O_CLOEXEC };
  if (l.kind === 'host') {
    if (l.st?.isSymbolicLink() && (flags & O_NOFOLLOW)) return -ELOOP;
    if (l.st && (flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
    return h.hostOpen(l, flags, mode, vfs.umask);
  }
  if (l.kind === 'magic') {
    if (!l.followed) return -ELOOP;
    if (l.exe) return (flags & O_ACCMODE) !== 0 ? -EACCES : reopenHost(l.exe, l.path, false, flags);
    const f = l.file!;
    // Linux opens the file anew; the host does that for its own descriptors (ENXIO for a socket).
    if (f.kind === 'host') try { return { kind: 'host', hostFd: fs.openSync(`/proc/self/fd/${f.hostFd}`, (flags & 3) | O_CLOEXEC), inode: null, pos: 0, path: l.path, ...opened }; } catch (e) { return h.hostErr(e); }
    if (f.kind === 'hostfile') return reopenHost(f.hostPath!, f.path, f.rw ?? false, flags & ~(O_CREAT | O_EXCL));
    return { ...f, ...opened, pos: f.kind === 'mem' ? 0 : f.pos, listing: undefined };
  }
  let node = l.node;
  if (node && (flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
  if (!node) {
    if (!(flags & O_CREAT)) return -ENOENT;
    if (l.slash) return -EISDIR;
    node = vfs.newInode(S_IFREG | (mode & ~vfs.umask & 0o7777));
    vfs.link(l.dir, l.name, node);
  }
  if (node.target !== undefined) return flags & O_PATH ? { kind: 'mem', hostFd: -1, inode: node, pos: 0, path: l.path, ...opened } : -ELOOP;
  if ((flags & O_DIRECTORY) && !isDir(node)) return -ENOTDIR;
  if (isDir(node) && (flags & O_ACCMODE) !== 0) return -EISDIR;
  if (node.device === 'tty') {
    try { return { kind: 'hostfile', hostFd: fs.openSync('/dev/tty', flags & 3), inode: null, pos: 0, path: l.path, hostPath: '/dev/tty', ...opened }; } catch { return -ENXIO; }
  }
  if ((node.mode & S_IFMT) === S_IFIFO) return { kind: 'pipe', hostFd: -1, inode: node, pos: (flags & O_ACCMODE) === 0 ? 0 : node.size, path: l.path, ...opened };
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) !== 0 && (node.mode & S_IFMT) === S_IFREG) { resize(node, 0); touch(node, true); }
  return { kind: 'mem', hostFd: -1, inode: node, pos: 0, path: l.path, ...opened };
}

/** The listing getdents64 walks: '.', '..', then each entry. */
export function listing(ctx: NameContext, f: OpenFile): DirEntry[] | number {
  if (f.kind === 'hostfile') {
    const parent = f.path === '/' ? undefined : ctx.fs.lookup(f.path.slice(0, f.path.lastIndexOf('/')) || '/');
    let parentIno = parent?.ino ?? 0;
    if (!parent || parent.mount) try { parentIno = Number(fs.statSync(`${f.hostPath}/..`).ino); } catch { /* keep 0 */ }
    return h.hostListing(f, parentIno);
  }
  const dir = f.inode!;
  if (!dir.entries) return -ENOTDIR;
  const out: DirEntry[] = [{ name: '.', ino: dir.ino, type: 4 }, { name: '..', ino: dir.parent?.ino ?? dir.ino, type: 4 }];
  // /proc/self/fd: one magic link per open descriptor (namei.ts resolves them).
  if (f.path === '/proc/self/fd') return [...out, ...ctx.fds.open().map((fd) => ({ name: String(fd), ino: 0x10000 + fd, type: 10 }))];
  for (const [name, n] of dir.entries) out.push({ name, ino: n.mount ? 1 : n.ino, type: n.mount ? 4 : (n.mode >> 12) & 15 });
  return out;
}

export function mkdirLoc(vfs: MemFs, l: Loc, mode: number): number {
  if (l.kind === 'host') return h.hostMkdir(l, mode, vfs.umask);
  if (l.kind === 'magic' || l.node) return -EEXIST;
  vfs.link(l.dir, l.name, vfs.newInode(S_IFDIR | (mode & ~vfs.umask & 0o7777)));
  return 0;
}

export function mknodLoc(vfs: MemFs, l: Loc, mode: number): number {
  const type = mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG && type !== S_IFIFO) return type === S_IFCHR || type === 0o060000 || type === 0o140000 ? -EPERM : -EINVAL;
  if (slashCreate(l)) return slashCreate(l);
  if (l.kind === 'host') {
    if (type === S_IFIFO) return h.hostMknodFifo(l, mode, vfs.umask);
    const f = h.hostOpen(l, O_CREAT | O_EXCL | 1, mode, vfs.umask);
    return typeof f === 'number' ? f : h.host(() => fs.closeSync(f.hostFd));
  }
  if (l.kind === 'magic' || l.node) return -EEXIST;
  if (l.slash) return -ENOENT;
  vfs.link(l.dir, l.name, vfs.newInode((type || S_IFREG) | (mode & ~vfs.umask & 0o7777)));
  return 0;
}

export function unlinkLoc(vfs: MemFs, l: Loc, rmdir: boolean): number {
  if (l.kind === 'host') return h.hostUnlink(l, rmdir);
  if (l.kind === 'magic') return -EACCES;
  const n = l.node;
  if (!n) return -ENOENT;
  if (n === vfs.root || n.mount) return -EBUSY;
  if (rmdir) {
    if (!isDir(n)) return -ENOTDIR;
    if (l.name === '.') return -EINVAL;
    if (n.entries!.size > 0) return -ENOTEMPTY;
  } else if (isDir(n)) return -EISDIR;
  vfs.unlinkEntry(l.dir, l.name);
  return 0;
}

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

export function renameLocs(vfs: MemFs, a: Loc, b: Loc, flags: number): number {
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) || (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE)) return -EINVAL;
  if (flags & RENAME_WHITEOUT) return -EINVAL;
  if (a.kind === 'magic' || b.kind === 'magic') return -EXDEV;
  // Trailing slashes name directories only (host paths have lost theirs).
  if ((slashed(a) || slashed(b)) && exists(a) && !dirLoc(a) && !((flags & RENAME_NOREPLACE) && exists(b))) return -ENOTDIR;
  if (a.kind === 'host' && b.kind === 'host') return h.hostRename(a, b, flags);
  if (a.kind !== 'mem' || b.kind !== 'mem') return a.kind === 'host' && !a.st ? -ENOENT : -EXDEV;
  const src = a.node, dst = b.node;
  // The kernel's order (fs/namei.c do_renameat2, then vfs_rename).
  if (a.name === '.' || a.name === '..' || b.name === '.' || b.name === '..') return -EBUSY;
  if (!src) return -ENOENT;
  if ((flags & RENAME_NOREPLACE) && dst) return -EEXIST;
  if ((flags & RENAME_EXCHANGE) && !dst) return -ENOENT;
  if (b.slash && !isDir(src)) return -ENOTDIR;
  if (src === vfs.root || src.mount || dst?.mount || dst === vfs.root) return -EBUSY;
  const inside = (dir: Inode, node: Inode): boolean => {
    for (let d = dir; ; d = d.parent!) { if (d === node) return true; if (d === vfs.root || !d.parent || d.parent === d) return false; }
  };
  // Moving a directory below itself would cut it off from the tree.
  if (isDir(src) && inside(b.dir, src) && src !== dst) return -EINVAL;
  if (dst && isDir(dst) && inside(a.dir, dst) && src !== dst) return flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
  if (src === dst) return 0;
  if (flags & RENAME_EXCHANGE) {
    moveEntry(a.dir, a.name, undefined);
    moveEntry(b.dir, b.name, undefined);
    moveEntry(a.dir, a.name, dst!);
    moveEntry(b.dir, b.name, src);
    return 0;
  }
  if (dst) {
    if (isDir(src) && !isDir(dst)) return -ENOTDIR;
    if (!isDir(src) && isDir(dst)) return -EISDIR;
    if (isDir(dst) && dst.entries!.size > 0) return -ENOTEMPTY;
    vfs.unlinkEntry(b.dir, b.name);
  }
  moveEntry(a.dir, a.name, undefined);
  moveEntry(b.dir, b.name, src);
  return 0;
}

/** Removes dir/name (node undefined) or puts node there, keeping directory link counts; no link count change for node. */
function moveEntry(dir: Inode, name: string, node: Inode | undefined): void {
  const old = dir.entries!.get(name);
  if (node === undefined) {
    dir.entries!.delete(name);
    if (old && isDir(old)) dir.nlink = (dir.nlink ?? 3) - 1;
  } else {
    dir.entries!.set(name, node);
    if (isDir(node)) { node.parent = dir; dir.nlink = (dir.nlink ?? 2) + 1; }
    node.ctimeNs = nowNs();
  }
  touch(dir, true);
}

export function linkLocs(vfs: MemFs, a: Loc, b: Loc): number {
  // The kernel's order (fs/namei.c do_linkat): the old name, the new one, then the mounts and the type.
  if (!exists(a)) return -ENOENT;
  if (slashed(a) && !dirLoc(a)) return -ENOTDIR;
  if (b.kind === 'magic' || exists(b)) return -EEXIST;
  if (slashed(b)) return -ENOENT;
  if (a.kind !== b.kind || (a.kind === 'host' && b.kind === 'host' && a.mount !== b.mount)) return -EXDEV;
  if (dirLoc(a)) return -EPERM;
  if (a.kind === 'host' && b.kind === 'host') return h.hostLink(a, b);
  if (a.kind !== 'mem' || b.kind !== 'mem' || !a.node) return -EXDEV;
  if ((a.node.nlink ?? 1) >= 65000) return -EMLINK;
  a.node.nlink = (a.node.nlink ?? 1) + 1;
  vfs.link(b.dir, b.name, a.node);
  touch(a.node, false);
  return 0;
}

export function symlinkLoc(vfs: MemFs, l: Loc, target: string): number {
  if (slashCreate(l)) return slashCreate(l);
  if (l.kind === 'host') return h.hostSymlink(l, target);
  if (l.kind === 'magic' || l.node) return -EEXIST;
  if (l.slash) return -ENOENT;
  const node = vfs.newInode(S_IFLNK | 0o777);
  node.target = target;
  node.size = Buffer.byteLength(target);
  vfs.link(l.dir, l.name, node);
  return 0;
}

export function readlinkLoc(l: Loc): string | number {
  if (l.kind === 'host') return h.hostReadlink(l);
  if (l.kind === 'magic') return l.link;
  if (!l.node) return -ENOENT;
  return l.node.target ?? -EINVAL;
}

export function utimesLoc(l: Loc, atime: h.TimeSpec, mtime: h.TimeSpec, follow: boolean): number {
  if (l.kind === 'host') return h.hostUtimes(l, atime, mtime, follow);
  const node = l.kind === 'mem' ? l.node : l.file?.inode ?? undefined;
  if (!node) return l.kind === 'magic' ? 0 : -ENOENT;
  return utimesNode(node, atime, mtime);
}

export function utimesNode(node: Inode, atime: h.TimeSpec, mtime: h.TimeSpec): number {
  const now = nowNs();
  if (atime !== 'omit') node.atimeNs = atime === 'now' ? now : atime;
  if (mtime !== 'omit') { node.mtimeNs = mtime === 'now' ? now : mtime; node.mtimeMs = Number(node.mtimeNs / 1000000n); }
  if (atime !== 'omit' || mtime !== 'omit') node.ctimeNs = now;
  return 0;
}

export function truncateNode(node: Inode, size: number): number {
  if (isDir(node)) return -EISDIR;
  if ((node.mode & S_IFMT) !== S_IFREG) return -EINVAL;
  resize(node, size);
  touch(node, true);
  return 0;
}

export function truncateLoc(l: Loc, size: number): number {
  if (size < 0) return -EINVAL;
  if (l.kind === 'host') return h.hostTruncate(l, size);
  if (l.kind === 'magic') return -EINVAL;
  return l.node ? truncateNode(l.node, size) : -ENOENT;
}

export function chmodLoc(l: Loc, mode: number): number {
  if (l.kind === 'host') return h.hostChmod(l, mode);
  const node = l.kind === 'mem' ? l.node : l.file?.inode ?? undefined;
  if (!node) return l.kind === 'magic' ? -EPERM : -ENOENT;
  node.mode = (node.mode & S_IFMT) | (mode & 0o7777);
  touch(node, false);
  return 0;
}

export function chownLoc(l: Loc, uid: number, gid: number, follow: boolean): number {
  if (l.kind === 'host') return h.hostChown(l, uid, gid, follow);
  const node = l.kind === 'mem' ? l.node : l.file?.inode ?? undefined;
  if (!node) return l.kind === 'magic' ? 0 : -ENOENT;
  if (uid !== -1 && uid !== 0xffffffff) node.uid = uid;
  if (gid !== -1 && gid !== 0xffffffff) node.gid = gid;
  touch(node, false);
  return 0;
}

export type { MemLoc };
