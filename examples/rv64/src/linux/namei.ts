// Path resolution as Linux does it: component by component from the root or
// a directory, following symbolic links (at most 40), '..' taken after links
// (physically), into host directories at their mount points, and through the
// magic links /proc/self/exe and /proc/self/fd/N.
import * as fs from 'node:fs';
import { EACCES, EBADF, EFAULT, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from './errno.js';
import type { FdTable, Inode, MemFs, Mount, OpenFile } from './vfs.js';

/** A name in the in-memory tree: node is undefined when only its directory exists. */
export interface MemLoc {
  kind: 'mem';
  path: string;
  node: Inode | undefined;
  dir: Inode;
  name: string;
  /** The path ended in '/': it must name a directory. */
  slash: boolean;
}

/** A name inside a mounted host directory: st is undefined when only its directory exists. */
export interface HostLoc {
  kind: 'host';
  path: string;
  host: string;
  mount: Mount;
  st: fs.BigIntStats | undefined;
  /** The mount point itself (cannot be removed or renamed: EBUSY). */
  root: boolean;
  slash: boolean;
}

/** /proc/self/exe or /proc/self/fd/N: link is what readlink shows; file or exe what opening reaches. */
export interface MagicLoc {
  kind: 'magic';
  path: string;
  link: string;
  followed: boolean;
  file?: OpenFile;
  exe?: string;
}

export type Loc = MemLoc | HostLoc | MagicLoc;

export interface NameContext {
  fs: MemFs;
  fds: FdTable;
  cwd: string;
  exe: string;
}

interface Pos {
  mem?: Inode;
  host?: string;
  mount?: Mount;
  st?: fs.BigIntStats;
}

const hostErr = (e: unknown): number => -Math.abs((e as { errno?: number }).errno ?? EACCES);

function lstatHost(path: string): fs.BigIntStats | undefined | number {
  try {
    return fs.lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    return hostErr(e);
  }
}

const isDirPos = (p: Pos): boolean => (p.mem ? p.mem.entries !== undefined : p.st?.isDirectory() ?? false);

/** What /proc/self/fd/N reads as. */
function fdLink(f: OpenFile): string {
  if (f.kind === 'pipe') return `pipe:[${f.inode!.ino}]`;
  if (f.kind === 'host') try { return fs.readlinkSync(`/proc/self/fd/${f.hostFd}`); } catch { return `/dev/fd/${f.hostFd}`; }
  return f.path;
}

/**
 * Resolves path (relative to the canonical directory base) to a Loc or -errno.
 * follow: whether a symbolic link in the last component is followed.
 */
export function walk(ctx: NameContext, base: string, path: string, follow: boolean): Loc | number {
  if (path.length >= 4096) return -ENAMETOOLONG;
  const root: Pos = { mem: ctx.fs.root };
  const queue = (path.startsWith('/') ? path : `${base}/${path}`).split('/').reverse();
  const slash = /\/\.?$/.test(path);
  const names: string[] = [];
  const stack: Pos[] = [];
  let links = 0;
  const moreAhead = (): boolean => queue.some((c) => c !== '' && c !== '.');
  while (queue.length > 0) {
    const c = queue.pop()!;
    if (c === '' || c === '.') continue;
    if (c === '..') { names.pop(); stack.pop(); continue; }
    if (c.length > 255) return -ENAMETOOLONG;
    const cur = stack.at(-1) ?? root;
    if (!isDirPos(cur)) return -ENOTDIR;
    const last = !moreAhead();
    const here = names.join('/');
    // The magic links: no inode of their own, resolved against the process.
    if (cur.mem && (here === 'proc/self' && c === 'exe' || here === 'proc/self/fd' && /^\d+$/.test(c))) {
      const file = c === 'exe' ? undefined : ctx.fds.get(Number(c)) ?? undefined;
      if (c !== 'exe' && !file) return -ENOENT;
      const link = file ? fdLink(file) : ctx.exe;
      if (last && !follow && !slash) return { kind: 'magic', path: `/${here}/${c}`, link, followed: false, file, exe: file ? undefined : ctx.exe };
      if (!last) {
        if (!file || file.kind === 'pipe' || file.kind === 'host') return -ENOTDIR;
        queue.push(...file.path.split('/').reverse());
        names.length = 0; stack.length = 0;
        continue;
      }
      return { kind: 'magic', path: `/${here}/${c}`, link, followed: true, file, exe: file ? undefined : ctx.exe };
    }
    let next: Pos | undefined;
    let target: string | undefined;
    if (cur.mem) {
      const child = cur.mem.entries!.get(c);
      if (child?.mount) {
        const st = lstatHost(child.mount.host);
        if (typeof st === 'number') return st;
        if (!st) return -ENOENT;
        next = { host: child.mount.host, mount: child.mount, st };
      } else if (child) {
        next = { mem: child };
        if (child.target !== undefined) target = child.target;
      }
    } else {
      const host = `${cur.host}/${c}`;
      const st = lstatHost(host);
      if (typeof st === 'number') return st;
      if (st) {
        next = { host, mount: cur.mount, st };
        if (st.isSymbolicLink()) try { target = fs.readlinkSync(host); } catch (e) { return hostErr(e); }
      }
    }
    if (next && target !== undefined && (!last || follow || slash)) {
      if (++links > 40) return -ELOOP;
      if (target === '') return -ENOENT;
      queue.push(...target.split('/').reverse());
      if (target.startsWith('/')) { names.length = 0; stack.length = 0; }
      continue;
    }
    if (!next) {
      if (!last) return -ENOENT;
      return located(ctx, names, c, undefined, cur, slash);
    }
    names.push(c);
    stack.push(next);
  }
  const final = stack.at(-1) ?? root;
  if (slash && !isDirPos(final)) return -ENOTDIR; // 'file/' names no directory
  return located(ctx, names.slice(0, -1), names.at(-1) ?? '', final, stack.at(-2) ?? root, slash);
}

function located(ctx: NameContext, names: string[], name: string, node: Pos | undefined, dir: Pos, slash: boolean): Loc {
  const path = '/' + [...names, name].filter((n) => n !== '').join('/');
  if (node?.mount || (!node && dir.mount)) {
    const mount = (node ?? dir).mount!;
    return { kind: 'host', path, host: node?.host ?? `${dir.host}/${name}`, mount, st: node?.st, root: node !== undefined && node.host === mount.host, slash };
  }
  return { kind: 'mem', path, node: node?.mem, dir: name === '' ? ctx.fs.root : dir.mem!, name, slash };
}

/** The canonical directory a dirfd names, for a relative path: a path or -errno. */
export function dirBase(ctx: NameContext, dirfd: number, path: string): string | number {
  if (path.startsWith('/') || dirfd === -100) return ctx.cwd; // AT_FDCWD
  const f = ctx.fds.get(dirfd);
  if (!f) return -EBADF;
  const isDir = f.kind === 'mem' ? f.inode!.entries !== undefined : f.kind === 'hostfile' ? f.listing !== undefined || isHostDir(f) : false;
  return isDir ? f.path : -ENOTDIR;
}

function isHostDir(f: OpenFile): boolean {
  try { return fs.fstatSync(f.hostFd).isDirectory(); } catch { return false; }
}

/** The NUL-terminated string at ptr, or null for an address outside guest memory (EFAULT). */
export function guestString(mem: { size: number; cstring(addr: number, max?: number): string | null }, ptr: number, max?: number): string | null {
  return Number.isInteger(ptr) && ptr >= 0 && ptr < mem.size ? mem.cstring(ptr, max) : null;
}

/** Reads the path argument at ptr and resolves it against dirfd. */
export function walkAt(ctx: NameContext, cstring: (ptr: number) => string | null, dirfd: number, ptr: number, follow: boolean, emptyOk = false): Loc | number {
  const s = cstring(ptr);
  if (s === null) return -EFAULT;
  if (s === '' && !emptyOk) return -ENOENT;
  const base = dirBase(ctx, dirfd, s);
  if (typeof base === 'number') return base;
  return walk(ctx, base, s, follow);
}
