// struct stat for newfstatat/fstat, from an inode of the tree or a host file.
import type * as fs from 'node:fs';
import type { Memory } from '../memory.js';
import { EFAULT } from './errno.js';
import { type Inode, S_IFMT } from './vfs.js';

export interface StatInfo {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** st_dev of the in-memory tree (an anonymous device, as tmpfs has). */
export const MEM_DEV = 0x1a;
const STAT_SIZE = 128; // struct stat, include/uapi/asm-generic/stat.h

export function inodeStat(n: Inode): StatInfo {
  const ms = BigInt(Math.floor(n.mtimeMs)) * 1000000n;
  const size = n.entries ? 40 + 20 * n.entries.size : n.size; // tmpfs-like sizes for directories
  return {
    dev: MEM_DEV, ino: n.ino, mode: n.mode, nlink: n.nlink ?? 1, uid: n.uid ?? 0, gid: n.gid ?? 0, rdev: n.rdev ?? 0,
    size, blksize: 4096, blocks: (n.mode & S_IFMT) === 0o100000 ? Math.ceil(n.size / 4096) * 8 : 0,
    atimeNs: n.atimeNs ?? ms, mtimeNs: n.mtimeNs ?? ms, ctimeNs: n.ctimeNs ?? ms,
  };
}

export function hostStat(st: fs.BigIntStats): StatInfo {
  return {
    dev: Number(st.dev), ino: Number(st.ino), mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid), gid: Number(st.gid),
    rdev: Number(st.rdev), size: Number(st.size), blksize: Number(st.blksize), blocks: Number(st.blocks),
    atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs,
  };
}

export function writeStat(mem: Memory, buf: number, s: StatInfo): number {
  if (!mem.valid(buf, STAT_SIZE)) return -EFAULT;
  mem.u8.fill(0, buf, buf + STAT_SIZE);
  const dv = mem.dv;
  mem.setU64(buf + 0, s.dev);
  mem.setU64(buf + 8, s.ino);
  dv.setUint32(buf + 16, s.mode, true);
  dv.setUint32(buf + 20, s.nlink, true);
  dv.setUint32(buf + 24, s.uid, true);
  dv.setUint32(buf + 28, s.gid, true);
  mem.setU64(buf + 32, s.rdev);
  mem.setU64(buf + 48, s.size);
  dv.setInt32(buf + 56, s.blksize, true);
  mem.setU64(buf + 64, s.blocks);
  for (const [off, t] of [[72, s.atimeNs], [88, s.mtimeNs], [104, s.ctimeNs]] as const) {
    mem.setU64(buf + off, Number(t / 1000000000n));
    mem.setU64(buf + off + 8, Number(t % 1000000000n));
  }
  return 0;
}
