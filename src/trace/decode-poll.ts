// poll and ppoll as strace 6.1's poll.c prints them: the pollfd array at
// entry, and after the call the fds with events as the result's comment,
// `= 1 ([{fd=3, revents=POLLIN}])`, `= 0 (Timeout)`, ppoll's time left.
import { addr, type Ctx } from './call.js';
import type { Decoder } from './decoder.js';
import * as S from './structs.js';
import { flags } from './xlat.js';

/** The pollfd array: `[{fd=3, events=POLLIN|POLLPRI}, {fd=-1}]`, cut after -s entries. */
function pollfds(c: Ctx, v: bigint, n: number): string {
  if (v === 0n) return 'NULL';
  if (n === 0) return '[]';
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = c.g.bytes(v + BigInt(i * 8), 8);
    if (b === null) {
      if (i === 0) return addr(v);
      parts.push(`... /* ${addr(v + BigInt(i * 8))} */`);
      break;
    }
    if (i >= c.strSize) { parts.push('...'); break; }
    const fd = Number(BigInt.asIntN(32, c.g.uint(b, 0, 4)));
    parts.push(fd >= 0 ? `{fd=${fd}, events=${flags(c.x('pollflags'), c.g.uint(b, 4, 2), 'POLL???')}}` : `{fd=${fd}}`);
  }
  return `[${parts.join(', ')}]`;
}

/** The result's comment: the fds with revents, and for ppoll the time left. */
function revents(c: Ctx, ts: bigint): { text: string; hex: boolean } | null {
  if (c.result === 0n) return { text: 'Timeout', hex: false };
  const v = c.u(0), n = Number(c.uint(1));
  const parts: string[] = [];
  if (v !== 0n && n > 0) {
    let printed = 0;
    // Bounded: the kernel takes at most RLIMIT_NOFILE fds; an emulator may not check.
    for (let i = 0; i < Math.min(n, 1 << 20); i++) {
      const at = v + BigInt(i * 8);
      const b = c.g.bytes(at, 8);
      if (b === null) { parts.push(addr(at)); break; }
      const re = c.g.uint(b, 6, 2);
      if (re === 0n) continue;
      if (printed >= c.strSize) { parts.push('...'); break; }
      parts.push(`{fd=${BigInt.asIntN(32, c.g.uint(b, 0, 4))}, revents=${flags(c.x('pollflags'), re, null)}}`);
      printed++;
    }
  }
  let text = parts.length > 0 ? `[${parts.join(', ')}]` : '';
  if (ts !== 0n) text += `${text ? ', ' : ''}left ${S.timespec(c, ts)}`;
  return text ? { text, hex: false } : null;
}

export function pollDecoders(): Record<string, Decoder> {
  return {
    poll: {
      enter: (c) => `${pollfds(c, c.u(0), Number(c.uint(1)))}, ${c.uint(1)}, ${c.int(2)}`,
      aux: (c) => revents(c, 0n),
    },
    ppoll: {
      enter: (c) => `${pollfds(c, c.u(0), Number(c.uint(1)))}, ${c.uint(1)}, ${S.timespec(c, c.u(2))}, ${S.sigset(c, c.u(3), c.u(4))}, ${c.u(4)}`,
      aux: (c) => revents(c, c.u(2)),
    },
  };
}
