// Docker's default profile (data/seccomp/moby-default.json, unmodified)
// compiled by systab and by libseccomp 2.5.4 (the rules runc would add,
// read by the test's own helper), both run by systab's engine: every call
// it names and every number of the ABI, arguments at each comparison's
// edges, foreign arches; for x86_64, riscv64, arm64 and Docker's
// multi-arch filters (x86_64 + i386 + x32, arm64 + arm), without
// capabilities and with CAP_SYS_ADMIN, on kernels 6.1 and 4.0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../src/seccomp/compile.js';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as riscv64 } from '../src/abi/linux-riscv64.js';
import { abi as x32 } from '../src/abi/linux-x32.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import { abi as arm64 } from '../src/abi/linux-arm64.js';
import { abi as arm } from '../src/abi/linux-arm.js';
import type { Abi } from '../src/abi/types.js';
import { EDGE, edges, libseccompBuild, libseccompUnavailable, runcRules } from './helpers/seccomp-profile.js';

const why = libseccompUnavailable();
const moby = JSON.parse(readFileSync(new URL('../data/seccomp/moby-default.json', import.meta.url), 'utf8'));
const NAMES: string[] = [...new Set<string>(moby.syscalls.flatMap((s: { names: string[] }) => s.names))];
const OPS: Record<string, number> = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 };

/** Argument vectors for a name: zeros, edge values on each argument, and each of its comparisons' edges. */
function vectors(name: string): bigint[][] {
  const out: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  const one = (i: number, v: bigint): bigint[] => Array.from({ length: 6 }, (_, j) => (j === i ? v : 0n));
  for (let i = 0; i < 6; i++) for (const v of EDGE) out.push(one(i, v));
  if (name === 'socketcall' || name === 'ipc') for (let sub = 0n; sub < 26n; sub++) out.push(one(0, sub), one(0, sub | (1n << 32n)));
  for (const s of moby.syscalls) {
    if (!s.names.includes(name)) continue;
    for (const a of s.args ?? []) for (const v of edges(OPS[a.op]!, BigInt(a.value), BigInt(a.valueTwo ?? 0))) out.push(one(a.index, v));
  }
  return out;
}

// x86_64 + i386 + x32 and arm64 + arm are Docker's filters on amd64 and arm64 (its archMap).
const CASES: [string, Abi[]][] = [['x86_64', [x86_64]], ['riscv64', [riscv64]], ['arm64', [arm64]], ['x86_64 + x32', [x86_64, x32]], ['x86_64 + i386 + x32', [x86_64, i386, x32]], ['arm64 + arm', [arm64, arm]]];
// i386's socket and IPC calls: libseccomp resolves them to pseudo numbers, and filters both the direct call and socketcall / ipc.
const MUXED = new Set(['socket', 'bind', 'connect', 'listen', 'accept', 'getsockname', 'getpeername', 'socketpair', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'setsockopt', 'getsockopt', 'sendmsg', 'recvmsg', 'accept4', 'recvmmsg', 'sendmmsg', 'semop', 'semget', 'semctl', 'semtimedop', 'msgsnd', 'msgrcv', 'msgget', 'msgctl', 'shmat', 'shmdt', 'shmget', 'shmctl']);

describe.skipIf(why !== undefined)(`moby's profile: systab's compilation against libseccomp's${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const [label, abis] of CASES) {
    for (const caps of [[], ['CAP_SYS_ADMIN']]) {
      for (const kernel of ['6.1', '4.0']) {
        it(`${label}, caps [${caps.join(' ')}], kernel ${kernel}`, () => {
          const ours = compileProfile(moby, { abi: abis, caps, kernel });
          const ids = abis.map((a) => a.id);
          const { def, rules } = runcRules(moby, ids[0]!, caps, kernel.split('.').map(Number) as [number, number]);
          const ls = libseccompBuild(def, ids, rules, NAMES);
          expect(ls.failed).toEqual([]);
          const e = createSeccompEngine();
          const specs = abis.map((a) => ({ id: a.id, base: a.base, count: a.count }));
          const a = e.install([ours], { abis: specs });
          const b = e.install([ls.bpf], { abis: specs });
          const bad: string[] = [];
          const newer: string[] = [];
          let compared = 0;
          const compare = (abi: string, nr: number, args: bigint[], arch?: number): void => {
            const data = { abi, nr, args, ...(arch !== undefined ? { arch } : {}) };
            const [x, y, u] = [e.evaluate(a, data), e.evaluate(b, data), e.evaluateUncached(a, data)];
            compared++;
            if (x !== y || u !== x) bad.push(`${abi} nr ${nr.toString(16)} arch ${arch?.toString(16)} args ${args.map((v) => v.toString(16))}: systab ${x.toString(16)} (uncached ${u.toString(16)}) libseccomp ${y.toString(16)}`);
          };
          for (const abi of abis) {
            const skip = new Set<number>();
            for (const name of NAMES) {
              const nr = abi.names[name];
              if (nr === undefined) continue;
              const theirs = ls.nr(abi.id, name);
              if (abi.id === 'linux-i386' && MUXED.has(name)) {
                for (const v of vectors(name)) compare(abi.id, nr, v);
                continue;
              }
              if (theirs < 0 || ls.skipped.includes(name)) {
                newer.push(`${abi.id}:${name}`);
                skip.add(nr);
                continue;
              }
              expect(`${name} ${theirs}`).toBe(`${name} ${nr}`);
              for (const v of vectors(name)) compare(abi.id, nr, v);
            }
            // Every other number of the ABI, and numbers past it, with no arguments.
            for (let n = abi.base; n < abi.base + abi.count + 8; n++) if (!skip.has(n)) compare(abi.id, n, [0n]);
            for (const n of [0xffffffff, 0x40000000, 0x40000027, 0x3fffffff, 0x80000000]) compare(abi.id, n, [0n]);
            // A foreign arch: libseccomp's bad-arch action.
            for (const arch of [0x40000003, 0xc00000b7, 0]) compare(abi.id, abi.names.read!, [0n], arch);
          }
          expect(bad.slice(0, 5)).toEqual([]);
          expect(compared).toBeGreaterThan(2000);
          console.log(`moby ${label} caps [${caps}] kernel ${kernel}: ${compared} calls agree; ${ours.length} instructions (libseccomp ${ls.bpf.length / 8}); names libseccomp 2.5.4 does not know: ${newer.join(' ') || 'none'}`);
        });
      }
    }
  }
});
