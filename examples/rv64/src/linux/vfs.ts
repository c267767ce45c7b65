// A small in-memory file system (a tree of inodes) and the per-process
// descriptor table. The host's stdin, stdout and stderr appear as descriptors
// 0, 1 and 2; host directories can be mounted into the tree (namei.ts walks
// into them); everything else lives in memory and disappears at exit.
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { EAGAIN, EBADF, EINVAL, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, ESPIPE } from './errno.js';

const O_NONBLOCK = 0o4000;

export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFSOCK = 0o140000;

/** Character devices the tree holds, each with Linux's device number. */
export type DeviceKind = 'null' | 'zero' | 'full' | 'random' | 'urandom' | 'tty';
const DEVICES: Record<DeviceKind, number> = { null: 0x103, zero: 0x105, full: 0x107, random: 0x108, urandom: 0x109, tty: 0x500 };

/** A host directory seen in the guest at `guest`; writes fail with EROFS unless rw. */
export interface Mount {
  guest: string;
  host: string;
  rw: boolean;
}

export interface Inode {
  ino: number;
  mode: number;
  data: Uint8Array;
  size: number;
  mtimeMs: number;
  /** Times in nanoseconds since the epoch (mtimeMs is kept in step, in ms). */
  atimeNs?: bigint;
  mtimeNs?: bigint;
  ctimeNs?: bigint;
  nlink?: number;
  uid?: number;
  gid?: number;
  rdev?: number;
  /** Directories: the entries by name, in creation order (as tmpfs lists them). */
  entries?: Map<string, Inode>;
  /** Directories: the directory holding this one ('..'); the root holds itself. */
  parent?: Inode;
  /** Symbolic links: the target. */
  target?: string;
  device?: DeviceKind;
  /** A mount point: lookups below it continue in this host directory. */
  mount?: Mount;
}

/** A directory being listed: entries snapshotted at the first getdents64. */
export interface DirEntry {
  name: string;
  ino: number;
  /** d_type: DT_DIR 4, DT_REG 8, DT_LNK 10, ... */
  type: number;
}

/** An open file description: shared by dup'ed descriptors. */
export interface OpenFile {
  /**
   * 'host': the host's stdio descriptor hostFd; 'mem': an inode of the tree;
   * 'pipe': a pipe2() end (both ends share the inode, which holds the bytes written
   * and not yet read); 'hostfile': a file or directory of a mounted host directory.
   */
  kind: 'host' | 'mem' | 'pipe' | 'hostfile';
  hostFd: number;
  inode: Inode | null;
  pos: number;
  flags: number;
  path: string;
  /** 'hostfile': the host path and whether the mount is writable. */
  hostPath?: string;
  rw?: boolean;
  /** Directories: the listing getdents64 walks (pos is the index into it). */
  listing?: DirEntry[];
  /** The embedder's descriptors 0-2 (RunOptions.io), used instead of node:fs where given. */
  io?: HostIo;
  /** Descriptors that refer to this description, in every process's table (fork shares them). */
  refs?: number;
  /** A pipe2() end shared between processes (pipes.ts); reads and writes go to it. */
  pipe?: PipeEnd;
}

/** One end of a pipe (pipes.ts): count or -errno, or a "would block" answer the caller's thread waits on. */
export interface PipeEnd {
  read(dst: Uint8Array, nonblock: boolean): number;
  write(src: Uint8Array, nonblock: boolean): number;
  /** The last descriptor of this end closed. */
  release(): void;
}

/** The host side of descriptors 0-2 without node:fs (a browser worker): write answers the count or -errno; read, if given, fills dst (0 at end of file). */
export interface HostIo {
  write(fd: number, bytes: Uint8Array): number;
  read?(fd: number, dst: Uint8Array): number;
}

export const nowNs = (): bigint => BigInt(Date.now()) * 1000000n;

export class MemFs {
  readonly root: Inode;
  private nextIno = 100;
  /** The process's umask (creation modes honour it). */
  umask = 0o022;

  constructor() {
    this.root = this.newInode(S_IFDIR | 0o755);
    this.root.parent = this.root;
    for (const dir of ['/tmp', '/proc', '/proc/self', '/proc/self/fd', '/dev', '/dev/shm']) this.mkdir(dir);
    this.root.entries!.get('tmp')!.mode = S_IFDIR | 0o1777;
    for (const [name, kind] of Object.entries(DEVICES)) this.mknodDevice(`/dev/${name}`, name as DeviceKind);
    for (const [i, name] of ['stdin', 'stdout', 'stderr'].entries()) this.symlink(`/dev/${name}`, `/proc/self/fd/${i}`);
    this.symlink('/dev/fd', '/proc/self/fd');
  }

  /** A fresh inode number, for inodes outside the name space (pipes). */
  nextInode(): number {
    return this.nextIno++;
  }

  newInode(mode: number): Inode {
    const t = nowNs();
    const node: Inode = { ino: this.nextIno++, mode, data: new Uint8Array(0), size: 0, mtimeMs: Date.now(), atimeNs: t, mtimeNs: t, ctimeNs: t, nlink: 1, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    if ((mode & S_IFMT) === S_IFDIR) { node.entries = new Map(); node.nlink = 2; }
    return node;
  }

  /** Adds node as dir/name (the caller checked the name is free). */
  link(dir: Inode, name: string, node: Inode): void {
    dir.entries!.set(name, node);
    if (node.entries) { node.parent = dir; dir.nlink = (dir.nlink ?? 2) + 1; }
    touch(dir, true);
  }

  /** Removes dir/name; its inode lives on while descriptors hold it. */
  unlinkEntry(dir: Inode, name: string): void {
    const node = dir.entries!.get(name);
    if (!node) return;
    dir.entries!.delete(name);
    if (node.entries) { dir.nlink = (dir.nlink ?? 3) - 1; node.nlink = 0; } else node.nlink = (node.nlink ?? 1) - 1;
    node.ctimeNs = nowNs();
    touch(dir, true);
  }

  mkdir(path: string): Inode {
    return this.create(path, S_IFDIR | 0o755);
  }

  /** Creates (or replaces) path, whose parent must exist; mode is taken as given (no umask). */
  create(path: string, mode: number): Inode {
    const { dir, name } = this.parentOf(path);
    if (!dir?.entries) throw new Error(`MemFs.create: no directory for ${path}`);
    const node = this.newInode((mode & S_IFMT) === 0 ? S_IFREG | mode : mode);
    if (dir.entries.has(name)) this.unlinkEntry(dir, name);
    this.link(dir, name, node);
    return node;
  }

  symlink(path: string, target: string): Inode {
    const node = this.create(path, S_IFLNK | 0o777);
    node.target = target;
    node.size = Buffer.byteLength(target);
    return node;
  }

  mknodDevice(path: string, kind: DeviceKind): Inode {
    const node = this.create(path, S_IFCHR | 0o666);
    node.device = kind;
    node.rdev = DEVICES[kind];
    return node;
  }

  /** The inode at a canonical absolute path (no symlinks followed, mounts not entered). */
  lookup(path: string): Inode | undefined {
    let node: Inode | undefined = this.root;
    for (const part of path.split('/')) {
      if (part === '') continue;
      node = node.entries?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  /** 0 or -errno. */
  unlink(path: string): number {
    const { dir, name } = this.parentOf(path);
    const node = dir?.entries?.get(name);
    if (!node) return -ENOENT;
    if (node.entries) return -EISDIR;
    this.unlinkEntry(dir!, name);
    return 0;
  }

  /** 0 or -errno: removes an empty directory. */
  rmdir(path: string): number {
    const { dir, name } = this.parentOf(path);
    const node = dir?.entries?.get(name);
    if (!node) return -ENOENT;
    if (!node.entries) return -ENOTDIR;
    if (node.entries.size > 0) return -ENOTEMPTY;
    this.unlinkEntry(dir!, name);
    return 0;
  }

  /** Whether the parent of path exists and is a directory. */
  parentOk(path: string): boolean {
    return this.parentOf(path).dir?.entries !== undefined;
  }

  private parentOf(path: string): { dir: Inode | undefined; name: string } {
    const cut = path.lastIndexOf('/');
    return { dir: this.lookup(path.slice(0, cut) || '/'), name: path.slice(cut + 1) };
  }
}

/** A change to a file's data (mtime and ctime) or to its inode only (ctime). */
export function touch(node: Inode, data: boolean): void {
  const t = nowNs();
  node.ctimeNs = t;
  if (data) { node.mtimeNs = t; node.mtimeMs = Date.now(); }
}

/** Resolves path against cwd, collapsing '.', '..' and repeated slashes (lexically). */
export function resolvePath(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop(); else parts.push(part);
  }
  return '/' + parts.join('/');
}

export class FdTable {
  private readonly files: (OpenFile | null)[] = [];
  /** FD_CLOEXEC is a descriptor's flag, not its open file description's. */
  private readonly cloexec = new Set<number>();
  /** RLIMIT_NOFILE's soft limit: descriptors are below it. */
  limit = 1024;

  constructor(io?: HostIo) {
    for (let fd = 0; fd < 3; fd++) this.files[fd] = io ? { kind: 'host', hostFd: fd, inode: null, pos: 0, flags: fd === 0 ? 0 : 2, path: '', io, refs: 1 } : { kind: 'host', hostFd: fd, inode: null, pos: 0, flags: hostFlags(fd), path: '', refs: 1 };
  }

  /** fork(): the same open file descriptions under the same numbers (offsets shared, as Linux). */
  fork(): FdTable {
    const t = Object.create(FdTable.prototype) as FdTable;
    const files = this.files.slice();
    for (const f of files) if (f) f.refs = (f.refs ?? 1) + 1;
    Object.assign(t, { files, cloexec: new Set(this.cloexec), limit: this.limit });
    return t;
  }

  /** execve: descriptors marked FD_CLOEXEC close. */
  closeOnExec(): void {
    for (const fd of [...this.cloexec]) this.close(fd);
  }

  /** The process has ended: every descriptor closes. */
  closeAll(): void {
    for (const fd of this.open()) this.close(fd);
  }

  get(fd: number): OpenFile | null {
    return Number.isInteger(fd) && fd >= 0 ? this.files[fd] ?? null : null;
  }

  /** The lowest free descriptor at or above min. */
  add(file: OpenFile, min = 0, cloexec = false): number {
    let fd = min;
    while (this.files[fd]) fd++;
    if (fd >= this.limit) return -24; // EMFILE
    this.set(fd, file, cloexec);
    return fd;
  }

  set(fd: number, file: OpenFile, cloexec = false): void {
    const old = this.files[fd];
    if (old !== file) {
      if (old) this.close(fd);
      file.refs = (file.refs ?? 0) + 1;
      this.files[fd] = file;
    }
    this.setCloexec(fd, cloexec);
  }

  isCloexec(fd: number): boolean {
    return this.cloexec.has(fd);
  }

  setCloexec(fd: number, on: boolean): void {
    if (on) this.cloexec.add(fd); else this.cloexec.delete(fd);
  }

  close(fd: number): number {
    const f = this.get(fd);
    if (!f) return -EBADF;
    this.files[fd] = null;
    this.cloexec.delete(fd);
    // The description closes with its last descriptor in any process.
    f.refs = (f.refs ?? 1) - 1;
    if (f.refs > 0) return 0;
    f.pipe?.release();
    const ownsHostFd = f.kind === 'hostfile' || (f.kind === 'host' && f.hostFd > 2); // not the emulator's own stdio
    if (ownsHostFd) try { fs.closeSync(f.hostFd); } catch { /* already gone */ }
    return 0;
  }

  /** The open descriptors, ascending. */
  open(): number[] {
    return this.files.flatMap((f, fd) => (f ? [fd] : []));
  }
}

/**
 * The open flags of a host descriptor, which programs see through
 * fcntl(F_GETFL): glibc's perror, for one, only fdopen()s an O_RDWR stderr.
 * Linux shows them in /proc/self/fdinfo; elsewhere assume the usual modes.
 */
function hostFlags(fd: number): number {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    if (m) return parseInt(m[1]!, 8) & ~0o2000000; // without O_CLOEXEC
  } catch { /* not Linux, or no such descriptor */ }
  return fd === 0 ? 0 : 1;
}

export function isTty(file: OpenFile): boolean {
  return file.kind === 'host' && !file.io && tty.isatty(file.hostFd);
}

const hostErrno = (e: unknown): number => -((e as { errno?: number }).errno ? Math.abs((e as { errno: number }).errno) : EBADF);

/** Reads up to len bytes into dst; returns the count or -errno. */
export function readFile(file: OpenFile, dst: Uint8Array): number {
  if (file.pipe) return file.pipe.read(dst, (file.flags & O_NONBLOCK) !== 0);
  if (file.io) return file.io.read ? file.io.read(file.hostFd, dst) : 0;
  if (file.kind === 'host' || file.kind === 'hostfile') {
    try {
      const n = fs.readSync(file.hostFd, dst, 0, dst.length, file.kind === 'host' ? null : file.pos);
      if (file.kind === 'hostfile') file.pos += n;
      return n;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EOF' ? 0 : code === 'EAGAIN' ? -EAGAIN : hostErrno(e);
    }
  }
  const node = file.inode!;
  if (node.entries) return -EISDIR;
  if (node.device) return readDevice(node.device, dst);
  if (file.kind === 'pipe' && file.pos >= node.size && (file.flags & O_NONBLOCK)) return -EAGAIN;
  // An empty pipe reads as end of file: one guest thread could never be woken.
  const n = Math.max(0, Math.min(dst.length, node.size - file.pos));
  dst.set(node.data.subarray(file.pos, file.pos + n));
  file.pos += n;
  if (file.kind === 'mem') node.atimeNs = nowNs();
  return n;
}

function readDevice(kind: DeviceKind, dst: Uint8Array): number {
  if (kind === 'null') return 0;
  if (kind === 'random' || kind === 'urandom') randomFillSync(dst);
  else dst.fill(0);
  return dst.length;
}

/** Writes src; returns the count or -errno. */
export function writeFile(file: OpenFile, src: Uint8Array, append: boolean): number {
  if (file.pipe) return file.pipe.write(src, (file.flags & O_NONBLOCK) !== 0);
  if (file.io) return file.io.write(file.hostFd, src);
  if (file.kind === 'host' || file.kind === 'hostfile') {
    try {
      if (file.kind === 'hostfile' && append) file.pos = fs.fstatSync(file.hostFd).size;
      let done = 0;
      while (done < src.length) done += fs.writeSync(file.hostFd, src, done, src.length - done, file.kind === 'host' ? null : file.pos + done);
      if (file.kind === 'hostfile') file.pos += done;
      return done;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EAGAIN' ? -EAGAIN : hostErrno(e);
    }
  }
  const node = file.inode!;
  if (node.device) return node.device === 'full' ? -ENOSPC : src.length;
  if (append || file.kind === 'pipe') file.pos = node.size;
  const end = file.pos + src.length;
  resize(node, Math.max(node.size, end));
  node.data.set(src, file.pos);
  file.pos = end;
  touch(node, true);
  return src.length;
}

/** Sets a regular file's size (zero-filled when growing). */
export function resize(node: Inode, size: number): void {
  if (size > node.data.length) {
    const grown = new Uint8Array(Math.max(size, Math.min(node.data.length * 2, size + (64 << 20)), 256));
    grown.set(node.data.subarray(0, node.size));
    node.data = grown;
  } else if (size < node.size) node.data.fill(0, size, node.size);
  node.size = size;
}

export function seekFile(file: OpenFile, offset: number, whence: number): number {
  if (file.kind === 'host' || file.kind === 'pipe') return -ESPIPE;
  if (file.inode?.device) return (file.pos = 0);
  let size = file.inode?.size ?? 0;
  if (file.kind === 'hostfile' && whence === 2) try { size = fs.fstatSync(file.hostFd).size; } catch (e) { return hostErrno(e); }
  const base = whence === 0 ? 0 : whence === 1 ? file.pos : whence === 2 ? size : NaN;
  const pos = base + offset;
  if (!(pos >= 0)) return -EINVAL;
  // A directory's position is an index into its listing; rewinding takes a fresh one.
  if (file.listing && pos === 0) file.listing = undefined;
  file.pos = pos;
  return pos;
}

export { ENOTDIR };
