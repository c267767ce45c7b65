// The host side of a mount: each operation on a HostLoc through node:fs,
// host errors passed on as the guest's -errno; EROFS for writes to a
// read-only mount.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, EPERM, EROFS, EXDEV } from './errno.js';
import type { HostLoc } from './namei.js';
import type { DirEntry, OpenFile } from './vfs.js';

export const hostErr = (e: unknown): number => -Math.abs((e as { errno?: number }).errno ?? EPERM);

/** Runs op; its host error becomes -errno. */
export function host(op: () => unknown): number {
  try {
    const r = op();
    return typeof r === 'number' ? r : 0;
  } catch (e) {
    return hostErr(e);
  }
}

const writable = (l: HostLoc): number => (l.mount.rw ? 0 : -EROFS);

const O_ACCMODE = 3, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000;
const O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000;

export function hostOpen(l: HostLoc, flags: number, mode: number, umask: number): OpenFile | number {
  const creating = !l.st && (flags & O_CREAT) !== 0;
  if ((flags & O_ACCMODE) !== 0 || creating || (l.st && (flags & O_TRUNC))) { const e = writable(l); if (e) return e; }
  if (!l.st && !creating) return -ENOENT;
  if (l.slash && creating) return -EISDIR;
  const hostFlags = (flags & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW)) | O_CLOEXEC;
  let fd = -1;
  const r = host(() => {
    fd = fs.openSync(l.host, hostFlags, 0o600);
    if (creating) fs.fchmodSync(fd, mode & ~umask & 0o7777); // the guest's umask, not the host's
  });
  if (r < 0) return r;
  return { kind: 'hostfile', hostFd: fd, inode: null, pos: 0, flags: flags & ~O_CLOEXEC, path: l.path, hostPath: l.host, rw: l.mount.rw };
}

/** '.', '..' and the entries in the host's order, with inode numbers and types. */
export function hostListing(f: OpenFile, parentIno: number): DirEntry[] | number {
  const out: DirEntry[] = [];
  const r = host(() => {
    const self = fs.statSync(f.hostPath!, { bigint: true });
    out.push({ name: '.', ino: Number(self.ino), type: 4 }, { name: '..', ino: parentIno, type: 4 });
    const dir = fs.opendirSync(f.hostPath!);
    try {
      for (let d = dir.readSync(); d; d = dir.readSync()) {
        const st = fs.lstatSync(`${f.hostPath}/${d.name}`, { bigint: true, throwIfNoEntry: false });
        if (st) out.push({ name: d.name, ino: Number(st.ino), type: Number(st.mode >> 12n) & 15 });
      }
    } finally { dir.closeSync(); }
  });
  return r < 0 ? r : out;
}

export function hostMkdir(l: HostLoc, mode: number, umask: number): number {
  if (l.st) return -EEXIST;
  return writable(l) || host(() => { fs.mkdirSync(l.host, 0o700); fs.chmodSync(l.host, mode & ~umask & 0o7777); });
}

export function hostMknodFifo(l: HostLoc, mode: number, umask: number): number {
  if (l.st) return -EEXIST;
  // node:fs has no mkfifo; coreutils' does the same call.
  return writable(l) || host(() => execFileSync('mkfifo', ['-m', (mode & ~umask & 0o7777).toString(8), '--', l.host], { stdio: 'ignore' }));
}

export function hostUnlink(l: HostLoc, dir: boolean): number {
  if (!l.st) return -ENOENT;
  if (l.root) return -EBUSY;
  if (dir && !l.st.isDirectory()) return -ENOTDIR;
  if (!dir && l.st.isDirectory()) return -EISDIR;
  return writable(l) || host(() => (dir ? fs.rmdirSync(l.host) : fs.unlinkSync(l.host)));
}

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;

export function hostRename(a: HostLoc, b: HostLoc, flags: number): number {
  if (a.mount !== b.mount) return -EXDEV;
  if (!a.st) return -ENOENT;
  if (a.root || b.root) return -EBUSY;
  const e = writable(a);
  if (e) return e;
  if (flags & RENAME_EXCHANGE) {
    if (!b.st) return -ENOENT;
    if (a.host === b.host) return 0;
    // node:fs has no renameat2: three renames, after the checks the kernel makes (one inside the other: EINVAL).
    if (b.host.startsWith(a.host + '/') || a.host.startsWith(b.host + '/')) return -EINVAL;
    const tmp = `${b.host}.rv64-exchange-${process.pid}`;
    return host(() => { fs.renameSync(a.host, tmp); fs.renameSync(b.host, a.host); fs.renameSync(tmp, b.host); });
  }
  if ((flags & RENAME_NOREPLACE) && b.st) return -EEXIST;
  return host(() => fs.renameSync(a.host, b.host));
}

export function hostLink(a: HostLoc, b: HostLoc): number {
  if (a.mount !== b.mount) return -EXDEV;
  if (b.st) return -EEXIST;
  return writable(b) || host(() => fs.linkSync(a.host, b.host));
}

export function hostSymlink(l: HostLoc, target: string): number {
  if (l.st) return -EEXIST;
  return writable(l) || host(() => fs.symlinkSync(target, l.host));
}

export function hostReadlink(l: HostLoc): string | number {
  if (!l.st) return -ENOENT;
  if (!l.st.isSymbolicLink()) return -EINVAL;
  try { return fs.readlinkSync(l.host); } catch (e) { return hostErr(e); }
}

/** Times in ns, or 'now', or 'omit' (keep). */
export type TimeSpec = bigint | 'now' | 'omit';

export function hostUtimes(l: HostLoc, atime: TimeSpec, mtime: TimeSpec, follow: boolean): number {
  if (!l.st) return -ENOENT;
  const e = writable(l);
  if (e) return e;
  const now = BigInt(Date.now()) * 1000000n;
  const pick = (t: TimeSpec, old: bigint): number => Number(t === 'now' ? now : t === 'omit' ? old : t) / 1e9;
  const a = pick(atime, l.st.atimeNs), m = pick(mtime, l.st.mtimeNs);
  return host(() => (follow ? fs.utimesSync(l.host, a, m) : fs.lutimesSync(l.host, a, m)));
}

export function hostTruncate(l: HostLoc, size: number): number {
  if (!l.st) return -ENOENT;
  if (l.st.isDirectory()) return -EISDIR;
  return writable(l) || host(() => fs.truncateSync(l.host, size));
}

export function hostChmod(l: HostLoc, mode: number): number {
  if (!l.st) return -ENOENT;
  return writable(l) || host(() => fs.chmodSync(l.host, mode & 0o7777));
}

export function hostChown(l: HostLoc, uid: number, gid: number, follow: boolean): number {
  if (!l.st) return -ENOENT;
  const u = uid === 0xffffffff || uid === -1 ? Number(l.st.uid) : uid, g = gid === 0xffffffff || gid === -1 ? Number(l.st.gid) : gid;
  return writable(l) || host(() => (follow ? fs.chownSync(l.host, u, g) : fs.lchownSync(l.host, u, g)));
}
