// The threat model's test: a guest that reaches the table only through its
// calls (dispatch, the WebAssembly import; call(); call64()) cannot change
// or get past an installed filter, whatever number or arguments it passes:
// 64-bit arguments whose high halves differ, numbers beyond the table
// (negative, x32's bit, just past the last slot, 2^31 and up), reach the
// filter before any handler or missing-call trap runs, as the kernel's
// seccomp sees every number.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';

const LSEEK = 8;
const X32 = 0x40000000;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const jge = (k: number, jt: number, jf: number) => ({ code: 0x35, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
const PAST = abi.base + abi.count;
/** lseek with offset 2^60 + 1 exactly: EPERM; any number past x86_64's table (x32's included): EACCES; the rest allowed. */
const program = [
  ld(0),
  jge(PAST, 0, 1),
  ret(SECCOMP_RET_ERRNO | 13),
  jeq(LSEEK, 0, 5),
  ld(24), // args[1], low half
  jeq(1, 0, 3),
  ld(28), // args[1], high half
  jeq(0x10000000, 0, 1),
  ret(SECCOMP_RET_ERRNO | 1),
  ret(SECCOMP_RET_ALLOW),
];

function setup() {
  const t = createTable({ abi });
  const ran: string[] = [];
  t.load({ name: 'm', handlers: { lseek: { bigint: true, fn: (fd: bigint, off: bigint) => (ran.push(`lseek ${off}`), 0n) } } });
  // A missing-call trap: it must never see a number the filter answers.
  t.setMissing('*', (nr) => (ran.push(`trap ${nr}`), -38));
  filterTable(t, [program]);
  return { t, ran };
}

describe('a guest cannot get past a filter through the numbers and arguments it passes', () => {
  it('a 64-bit argument beyond 2^53: the filter compares all 64 bits, through dispatch and call64()', () => {
    const { t, ran } = setup();
    const off = 2n ** 60n + 1n;
    expect(t.dispatch(LSEEK, 3n, off, 0n, 0n, 0n, 0n)).toBe(-1n);
    expect(t.call64(LSEEK, 3n, off, 0n)).toBe(-1n);
    // Its neighbours (2^60 rounds the same as a number) and the same low half with another high half: allowed, exact.
    for (const other of [2n ** 60n, 2n ** 60n + 2n, 1n, (2n ** 61n) + 1n]) expect(t.dispatch(LSEEK, 3n, other, 0n, 0n, 0n, 0n)).toBe(0n);
    expect(ran).toEqual([`lseek ${2n ** 60n}`, `lseek ${2n ** 60n + 2n}`, 'lseek 1', `lseek ${2n ** 61n + 1n}`]);
    t.verify();
  });

  it('numbers beyond the table reach the filter before the missing-call trap: x32\'s bit, just past the table, 2^31 and up, negative', () => {
    const { t, ran } = setup();
    for (const nr of [X32 | 1, X32 | LSEEK, PAST, PAST + 1, 1024, 2 ** 31, 2 ** 32 - 1]) {
      expect(t.call(nr, 3, 0, 0), `call(${nr})`).toBe(-13);
      expect(t.dispatch(nr | 0, 3n, 0n, 0n, 0n, 0n, 0n), `dispatch(${nr | 0})`).toBe(-13n);
    }
    // -1 is 0xffffffff to seccomp_data.nr: past the table too.
    expect(t.call(-1)).toBe(-13);
    expect(ran).toEqual([]);
    // A number in the table that no call has, and the filter allows, still reaches the trap, as before.
    const hole = Array.from({ length: PAST }, (_, i) => i).find((nr) => !Object.values(abi.names).includes(nr));
    if (hole !== undefined) expect(t.call(hole)).toBe(-38);
    t.verify();
  });

  it('with the default missing-call policy too (the hot path answers beyond the table itself otherwise): the filter\'s answer', () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program]);
    expect([t.call(PAST), t.call(X32 | 1), t.call(-1)]).toEqual([-13, -13, -13]);
    expect(t.dispatch(PAST, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(-13n);
    f.close();
    expect([t.call(PAST), t.call(X32 | 1)]).toEqual([-38, -38]);
    t.verify();
  });

  it('the guest cannot change the filter through its calls: a kill stays a kill after any sequence of calls', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 7 } });
    const killed: number[] = [];
    filterTable(t, [[ld(0), jeq(39, 0, 1), ret(SECCOMP_RET_KILL_PROCESS), ret(SECCOMP_RET_ALLOW)]], { onKill: (nr) => (killed.push(nr), -9999) });
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 5000; i++) {
      const nr = rnd() % 3 === 0 ? rnd() | 0 : rnd() % 600;
      const a = [rnd(), rnd(), rnd()].map((x) => BigInt.asIntN(64, (BigInt(x) << 32n) | BigInt(rnd())));
      try {
        t.dispatch(nr, a[0]!, a[1]!, a[2]!, 0n, 0n, 0n);
      } catch {
        /* a typed error is fine; the filter must hold */
      }
    }
    expect(t.call(39)).toBe(-9999);
    expect(killed.at(-1)).toBe(39);
    t.verify();
  });
});
