// What fork copies: the guest memory (a new SharedArrayBuffer of the same
// size, so every address means the same), the calling thread's registers,
// and a per-process view of the shared file tree.
import { setFromNumber } from '../alu64.js';
import type { Cpu } from '../cpu.js';
import { MAPPED, Memory, PAGE, RESERVED } from '../memory.js';
import type { ThreadStart } from './thread.js';
import type { MemFs } from './vfs.js';

const ZERO = Buffer.alloc(PAGE);

/**
 * A copy of mem: the page map, and the bytes of every mapped page that is
 * not all zero (a fresh buffer reads zero, and untouched pages cost the host
 * nothing: an 8 MiB stack mostly unused is copied as the few pages it uses).
 */
export function copyMemory(src: Memory): Memory {
  const dst = new Memory(src.size);
  dst.pages.set(src.pages);
  const s = Buffer.from(src.buffer as ArrayBuffer), d = Buffer.from(dst.buffer as ArrayBuffer);
  const n = src.pages.length;
  for (let p = 0; p < n; p++) {
    if (src.pages[p] !== MAPPED && src.pages[p] !== RESERVED) continue;
    const at = p * PAGE;
    const page = s.subarray(at, at + PAGE);
    if (!page.equals(ZERO)) d.set(page, at);
  }
  return dst;
}

/** Empties mem for execve: every page unmapped and zero (the same buffer, so every view of it stays valid). */
export function wipeMemory(mem: Memory): void {
  const n = mem.pages.length;
  for (let p = 0; p < n; p++) {
    if (mem.pages[p] === 0) continue;
    let q = p;
    while (q < n && mem.pages[q] !== 0) mem.pages[q++] = 0;
    mem.u8.fill(0, p * PAGE, q * PAGE);
    p = q;
  }
}

// include/uapi/linux/sched.h
export const CLONE_VM = 0x100, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;

/** A fork (or vfork, run as a fork) rather than a thread: clone without CLONE_THREAD. */
export const isFork = (flags: number): boolean => (flags & CLONE_THREAD) === 0;

/** The child's first registers: the caller's at the ecall, a0 = 0, pc after it; clone's stack and TLS. */
export function snapshot(cpu: Cpu, sigmask: [number, number], flags: number, stack: number, tls: number, ctid: number): ThreadStart {
  const lo = cpu.lo.slice(), hi = cpu.hi.slice();
  lo[10] = 0; hi[10] = 0;
  if (stack !== 0) setFromNumber(lo, hi, 2, stack);
  if (flags & CLONE_SETTLS) setFromNumber(lo, hi, 4, tls);
  return {
    tid: 0, lo, hi, fw: cpu.fpu.w.slice(), frm: cpu.fpu.frm, fflags: cpu.fpu.flags, pc: cpu.pc + 4,
    clearTid: flags & CLONE_CHILD_CLEARTID ? ctid : 0, sigmask: [...sigmask],
  };
}

/**
 * A process's view of the one file tree: the same inodes, its own umask
 * (umask(2) is per process, and MemFs keeps it). Inode numbers still come
 * from the tree's one counter.
 */
export function fsView(tree: MemFs, umask: number): MemFs {
  const root = treeOf(tree);
  const view = Object.create(root) as MemFs;
  Object.defineProperty(view, 'nextIno', { get: () => (root as unknown as { nextIno: number }).nextIno, set: (v: number) => { (root as unknown as { nextIno: number }).nextIno = v; } });
  view.umask = umask;
  return view;
}

/** The tree a view was made from (views of views share the first tree). */
function treeOf(fs: MemFs): MemFs {
  let t = fs;
  while (!Object.prototype.hasOwnProperty.call(t, 'root')) t = Object.getPrototypeOf(t) as MemFs;
  return t;
}
