// clone and clone3 as strace 6.1's clone.c prints them. clone3: struct clone_args at entry
// (the fields its flags make meaningful), and what the kernel wrote back
// after ` => ` (`{parent_tid=[4444]}`) when the flags ask for it.
import { addr, type Ctx } from './call.js';
import type { Decoder } from './decoder.js';
import * as S from './structs.js';
import { flags, hex } from './xlat.js';

const CLONE_PIDFD = 0x1000n, CLONE_SETTLS = 0x80000n, CLONE_PARENT_SETTID = 0x100000n;
const CLONE_CHILD_CLEARTID = 0x200000n, CLONE_CHILD_SETTID = 0x1000000n, CLONE_INTO_CGROUP = 0x200000000n;
/** offsetofend(struct clone_args, tls): the smallest size the kernel takes. */
const MIN_SIZE = 64;

function args(c: Ctx): { b: Uint8Array; size: number } | null {
  const size = Math.min(Number(c.u(1) > 88n ? 88n : c.u(1)), 88);
  if (size < MIN_SIZE) return null;
  const b = c.g.bytes(c.u(0), size);
  return b === null ? null : { b, size };
}

/** Both of strace's tables: clone_flags, then clone3_flags. */
const cloneFlags = (c: Ctx, v: bigint) => flags([...c.x('clone_flags'), ...c.x('clone3_flags')], v, 'CLONE_???');

/** True when the line waits for the call: the kernel writes a pid or pidfd back. */
const writesBack = (c: Ctx): boolean => {
  const a = args(c);
  return a !== null && (c.g.uint(a.b, 0, 8) & (CLONE_PIDFD | CLONE_PARENT_SETTID)) !== 0n;
};

function enter(c: Ctx): string {
  const a = args(c);
  const size = c.u(1).toString();
  if (a === null) return `${addr(c.u(0))}, ${size}`;
  const u = (off: number) => c.g.uint(a.b, off, 8);
  const fl = u(0);
  const parts = [`flags=${cloneFlags(c, fl)}`];
  if (fl & CLONE_PIDFD) parts.push(`pidfd=${addr(u(8))}`);
  if (fl & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) parts.push(`child_tid=${addr(u(16))}`);
  if (fl & CLONE_PARENT_SETTID) parts.push(`parent_tid=${addr(u(24))}`);
  const sig = u(32);
  parts.push(`exit_signal=${sig < 0x7fffffffn ? S.signal(Number(sig)) : sig}`, `stack=${addr(u(40))}`, `stack_size=${hex(u(48))}`);
  if (fl & CLONE_SETTLS) parts.push(`tls=${addr(u(56))}`);
  if (a.size > 64 && (u(64) !== 0n || u(72) !== 0n)) parts.push(`set_tid=${addr(u(64))}`, `set_tid_size=${u(72)}`);
  if (a.size > 80 && (u(80) !== 0n || fl & CLONE_INTO_CGROUP)) parts.push(`cgroup=${u(80)}`);
  return `{${parts.join(', ')}}` + (writesBack(c) ? '' : `, ${size}`);
}

/** ` => {parent_tid=[4444]}, 88` after the call, for flags that write back. */
function exit(c: Ctx): string {
  const size = c.u(1).toString();
  if (!writesBack(c) || c.failed) return writesBack(c) ? `, ${size}` : '';
  const a = args(c)!;
  const fl = c.g.uint(a.b, 0, 8);
  const num = (p: bigint) => {
    const b = p === 0n ? null : c.g.bytes(p, 4);
    return b === null ? addr(p) : `[${BigInt.asIntN(32, c.g.uint(b, 0, 4))}]`;
  };
  const parts: string[] = [];
  if (fl & CLONE_PIDFD) parts.push(`pidfd=${num(c.g.uint(a.b, 8, 8))}`);
  if (fl & CLONE_PARENT_SETTID) parts.push(`parent_tid=${num(c.g.uint(a.b, 24, 8))}`);
  return ` => {${parts.join(', ')}}, ${size}`;
}

export const clone3: Decoder = { enter, exit };

/**
 * clone: `clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f...)`.
 * x86_64 passes (flags, stack, ptid, ctid, tls); riscv64 and most others (flags, stack, ptid, tls, ctid).
 */
export const clone: Decoder = {
  enter(c) {
    const raw = c.u(0), sig = Number(raw & 0xffn), fl = raw & ~0xffn;
    const f = fl === 0n ? S.signal(sig) : cloneFlags(c, fl) + (sig ? `|${S.signal(sig)}` : '');
    return `child_stack=${addr(c.u(1))}, flags=${f}`;
  },
  exit(c) {
    const fl = c.u(0) & ~0xffn;
    const [ctid, tls] = c.arch === 'x86_64' ? [3, 4] : [4, 3];
    let out = '';
    if (fl & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
      const p = c.u(2);
      const b = c.failed || p === 0n ? null : c.g.bytes(p, 4);
      out += `, parent_tid=${b === null ? addr(p) : `[${BigInt.asIntN(32, c.g.uint(b, 0, 4))}]`}`;
    }
    if (fl & CLONE_SETTLS) out += `, tls=${addr(c.u(tls))}`;
    if (fl & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) out += `, child_tidptr=${addr(c.u(ctid))}`;
    return out;
  },
};
