// A small in-memory file system and the per-process descriptor table. The
// host's stdin, stdout and stderr appear as descriptors 0, 1 and 2; every
// other file lives in memory and disappears when the emulator exits.
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { EAGAIN, EBADF, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, ESPIPE } from './errno.js';

const O_NONBLOCK = 0o4000;

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

export interface Inode {
  ino: number;
  mode: number;
  data: Uint8Array;
  size: number;
  mtimeMs: number;
}

/** An open file description: shared by dup'ed descriptors. */
export interface OpenFile {
  /** 'pipe': a pipe2() end; both ends share the inode, which holds the bytes written and not yet read. */
  kind: 'host' | 'mem' | 'pipe';
  hostFd: number;
  inode: Inode | null;
  pos: number;
  flags: number;
  path: string;
  /** The embedder's descriptors 0-2 (RunOptions.io), used instead of node:fs where given. */
  io?: HostIo;
}

/** The host side of descriptors 0-2 without node:fs (a browser worker): write answers the count or -errno; read, if given, fills dst (0 at end of file). */
export interface HostIo {
  write(fd: number, bytes: Uint8Array): number;
  read?(fd: number, dst: Uint8Array): number;
}

export class MemFs {
  private readonly nodes = new Map<string, Inode>();
  private nextIno = 100;

  constructor() {
    for (const dir of ['/', '/tmp', '/proc', '/proc/self']) this.mkdir(dir);
  }

  /** A fresh inode number, for inodes outside the name space (pipes). */
  nextInode(): number {
    return this.nextIno++;
  }

  mkdir(path: string): Inode {
    return this.create(path, S_IFDIR | 0o755);
  }

  create(path: string, mode: number): Inode {
    const node: Inode = { ino: this.nextIno++, mode, data: new Uint8Array(0), size: 0, mtimeMs: Date.now() };
    this.nodes.set(path, node);
    return node;
  }

  lookup(path: string): Inode | undefined {
    return this.nodes.get(path);
  }

  /** 0 or -errno. */
  unlink(path: string): number {
    const node = this.nodes.get(path);
    if (!node) return -ENOENT;
    if ((node.mode & S_IFDIR) !== 0) return -EISDIR;
    this.nodes.delete(path);
    return 0;
  }

  /** 0 or -errno: removes an empty directory. */
  rmdir(path: string): number {
    const node = this.nodes.get(path);
    if (!node) return -ENOENT;
    if ((node.mode & S_IFDIR) === 0) return -ENOTDIR;
    for (const p of this.nodes.keys()) if (p.startsWith(path + '/')) return -ENOTEMPTY;
    this.nodes.delete(path);
    return 0;
  }

  /** -ENOTDIR when the parent of path is missing or not a directory. */
  parentOk(path: string): boolean {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const p = this.nodes.get(parent);
    return p !== undefined && (p.mode & S_IFDIR) !== 0;
  }
}

/** Resolves path against cwd, collapsing '.', '..' and repeated slashes. */
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

  constructor(io?: HostIo) {
    for (let fd = 0; fd < 3; fd++) this.files[fd] = io ? { kind: 'host', hostFd: fd, inode: null, pos: 0, flags: fd === 0 ? 0 : 2, path: '', io } : { kind: 'host', hostFd: fd, inode: null, pos: 0, flags: hostFlags(fd), path: '' };
  }

  get(fd: number): OpenFile | null {
    return Number.isInteger(fd) && fd >= 0 ? this.files[fd] ?? null : null;
  }

  /** The lowest free descriptor at or above min. */
  add(file: OpenFile, min = 0): number {
    let fd = min;
    while (this.files[fd]) fd++;
    this.files[fd] = file;
    return fd;
  }

  set(fd: number, file: OpenFile): void {
    this.files[fd] = file;
  }

  close(fd: number): number {
    if (!this.get(fd)) return -EBADF;
    this.files[fd] = null;
    return 0;
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

/** Reads up to len bytes into dst; returns the count or -errno. */
export function readFile(file: OpenFile, dst: Uint8Array): number {
  if (file.io) return file.io.read ? file.io.read(file.hostFd, dst) : 0;
  if (file.kind === 'host') {
    try {
      return fs.readSync(file.hostFd, dst, 0, dst.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EOF' ? 0 : code === 'EAGAIN' ? -11 : -EBADF;
    }
  }
  const node = file.inode!;
  if ((node.mode & S_IFDIR) !== 0) return -EISDIR;
  if (file.kind === 'pipe' && file.pos >= node.size && (file.flags & O_NONBLOCK)) return -EAGAIN;
  // An empty pipe reads as end of file: one guest thread could never be woken.
  const n = Math.max(0, Math.min(dst.length, node.size - file.pos));
  dst.set(node.data.subarray(file.pos, file.pos + n));
  file.pos += n;
  return n;
}

/** Writes src; returns the count or -errno. */
export function writeFile(file: OpenFile, src: Uint8Array, append: boolean): number {
  if (file.io) return file.io.write(file.hostFd, src);
  if (file.kind === 'host') {
    let done = 0;
    while (done < src.length) done += fs.writeSync(file.hostFd, src, done, src.length - done);
    return done;
  }
  const node = file.inode!;
  if (append || file.kind === 'pipe') file.pos = node.size;
  const end = file.pos + src.length;
  if (end > node.data.length) {
    const grown = new Uint8Array(Math.max(end, node.data.length * 2, 256));
    grown.set(node.data.subarray(0, node.size));
    node.data = grown;
  }
  node.data.set(src, file.pos);
  file.pos = end;
  node.size = Math.max(node.size, end);
  node.mtimeMs = Date.now();
  return src.length;
}

export function seekFile(file: OpenFile, offset: number, whence: number): number {
  if (file.kind !== 'mem') return -ESPIPE;
  const base = whence === 0 ? 0 : whence === 1 ? file.pos : whence === 2 ? file.inode!.size : NaN;
  const pos = base + offset;
  if (!(pos >= 0)) return -22;
  file.pos = pos;
  return pos;
}

export { ENOTDIR };
