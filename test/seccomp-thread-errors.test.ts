// Every bad input to the per-thread filters is a typed SystabError that
// teaches, and leaves nothing half-installed: the same answers after, the
// same plug reasons, no filter where there was none, verify() clean.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attach, createTable } from 'systab';
import { attachFilter, filterTable, filterThread, SECCOMP_RET_ALLOW, type FilterDescriptor } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import { GETPID, GETPPID, GETTID, GETUID, program, reasons } from './helpers/seccomp-thread.js';
import { anyValue, attempt, expectAllowedError, expectCode, fuzzParams } from './helpers/fuzz-values.js';

const NRS = [GETPID, GETUID, GETPPID, GETTID];
const allowAll = [{ code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }];
type T = ReturnType<typeof createTable>;
const answers = (t: T) => NRS.flatMap((nr) => [0, 1].map((a) => attempt(() => t.call(nr, a))));
const snapshot = (t: T) => ({ answers: answers(t), reasons: NRS.map((nr) => reasons(t, nr)) });

describe('bad inputs to per-thread filters', () => {
  it('any JS value as stack()\'s programs or options, on the owner and on a joined thread: a typed error, nothing changed', () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program({ nr: GETPPID, errno: 13 })]);
    f.stack([program({ nr: GETPID, errno: 5 })], { thread: true });
    const other = attach(t.describe());
    const g = attachFilter(other, f.describe());
    const before = [snapshot(t), snapshot(other)];
    fc.assert(
      fc.property(anyValue, fc.boolean(), fc.boolean(), (v, asOptions, onJoined) => {
        const who = onJoined ? g : f;
        // Good options stack an allow-all program, which changes no answer: only the refusals are judged.
        const r = attempt(() => (asOptions ? who.stack([allowAll], v.make() as never) : who.stack(v.make() as never, { thread: true })));
        if (r.ok) expect(asOptions, 'only options may pass').toBe(true);
        else expectAllowedError(r.error, `stack(${v.label})`, ['EBADSPEC', 'EINVAL', 'ENOMEM']);
        expect([snapshot(t), snapshot(other)]).toEqual(before);
      }),
      fuzzParams(300),
    );
    t.verify();
  });

  it('any JS value as filterThread()\'s programs or options on a table with no filters: a typed error, and no filters left on the thread', () => {
    const t = createTable({ abi });
    const before = snapshot(t);
    fc.assert(
      fc.property(anyValue, fc.boolean(), (v, asOptions) => {
        const r = attempt(() => (asOptions ? filterThread(t, [allowAll], v.make() as never) : filterThread(t, v.make() as never)));
        if (r.ok) {
          expect(asOptions, 'only options may pass').toBe(true); // no options ({}, undefined, []) or a callback
          (r.value as { close(): void }).close();
        } else expectAllowedError(r.error, `filterThread(${v.label})`, ['EBADSPEC', 'EINVAL', 'ENOMEM']);
        expect(snapshot(t)).toEqual(before);
        // Nothing left on the thread: a new table filter may be made here.
        filterTable(t, [allowAll]).close();
      }),
      fuzzParams(300),
    );
    t.verify();
  });

  it('a descriptor\'s chain that describe() did not give: EATTACH (or the program\'s EINVAL), and the thread holds no filter', () => {
    const t = createTable({ abi });
    const f = filterTable(t, [allowAll]);
    f.stack([program({ nr: GETPID, errno: 5 }), program({ nr: GETUID, errno: 6 })], { thread: true });
    const good = f.describe();
    const other = attach(t.describe());
    const before = snapshot(other);
    const p = good.chain!.programs;
    const bad: [string, unknown, string][] = [
      ['null chain', null, 'EATTACH'],
      ['a number', 1, 'EATTACH'],
      ['no programs', { top: good.chain!.top, programs: [] }, 'EATTACH'],
      ['fewer programs than its node holds', { top: good.chain!.top, programs: [p[0]] }, 'EATTACH'],
      ['a node nobody named', { top: 999, programs: p }, 'EATTACH'],
      ['a fractional node', { top: 1.5, programs: [p[0]] }, 'EATTACH'],
      ['programs as objects', { top: good.chain!.top, programs: [program({ nr: GETPID, errno: 5 }), program({ nr: GETUID, errno: 6 })] }, 'EATTACH'],
      ['a refused program', { top: good.chain!.top, programs: [p[0], new Uint8Array(8)] }, 'EINVAL'],
    ];
    for (const [label, chain, code] of bad) {
      const r = attempt(() => attachFilter(other, { ...good, chain } as FilterDescriptor));
      expect(r.ok, label).toBe(false);
      if (!r.ok) expectCode(r.error, code, label);
      if (!r.ok && code === 'EATTACH') expect((r.error as Error).message).toBe('attachFilter(): the descriptor\'s chain is not one describe() gave (its programs and the node of the newest, which this table\'s filters named)');
      expect(snapshot(other), label).toEqual(before);
      attachFilter(other, { memory: good.memory, control: good.control }).close(); // nothing was left joined
    }
    // The good one inherits.
    const g = attachFilter(other, good);
    expect([other.call(GETPID), other.call(GETUID)]).toEqual([-5, -6]);
    g.close();
    other.close();
    t.verify();
  });

  it('a thread chain over the kernel\'s instruction limit with the table-wide set under it: ENOMEM, nothing installed', () => {
    const t = createTable({ abi });
    const big = (errno: number) => [...Array.from({ length: 4000 }, () => ({ code: 0x20, jt: 0, jf: 0, k: 0 })), ...program({ nr: GETTID, errno })];
    const f = filterTable(t, Array.from({ length: 7 }, (_, i) => big(i + 1)));
    const before = snapshot(t);
    const r = attempt(() => f.stack([big(20), big(21)], { thread: true }));
    expect(r.ok).toBe(false);
    if (!r.ok) expectCode(r.error, 'ENOMEM', 'over the limit');
    if (!r.ok) expect((r.error as Error).message).toMatch(/^seccomp: filter 1 \(4004 instructions/);
    expect(snapshot(t)).toEqual(before);
    f.stack([big(20)], { thread: true });
    expect(t.call(GETTID)).toBe(-20);
    t.verify();
  });

  it('a table-wide stack that takes a thread\'s whole chain over the limit: that thread evaluates both parts, with the kernel\'s precedence (its own, newer, wins a tie)', () => {
    const t = createTable({ abi });
    const big = (errno: number) => [...Array.from({ length: 4000 }, () => ({ code: 0x20, jt: 0, jf: 0, k: 0 })), ...program({ nr: GETTID, errno })];
    const f = filterTable(t, [big(1), big(2), big(3), program({ nr: GETUID, errno: 4 })]);
    f.stack([big(20), big(21), big(22), program({ nr: GETPID, errno: 5 })], { thread: true });
    expect([t.call(GETTID), t.call(GETUID), t.call(GETPID)]).toEqual([-22, -4, -5]);
    // 7 big ones table-wide (28,000 instructions and more: under the limit alone), 10 with the thread's own: over it together.
    f.stack([big(30), big(31), big(33), big(34), program({ nr: GETUID, arg: 1, errno: 32 })]);
    expect([t.call(GETTID), t.call(GETUID, 0), t.call(GETUID, 1), t.call(GETPID), t.call(GETPPID)]).toEqual([-22, -4, -32, -5, -38]);
    expect(f.constantAction(GETTID)).toBe((0x50000 | 22) >>> 0);
    expect(f.constantAction(GETUID)).toBeUndefined();
    t.verify();
  });

  it('on a closed filter, stack() is EBUSY; a table made with shared: false has per-thread chains too (one thread)', () => {
    const t = createTable({ abi, shared: false });
    const f = filterThread(t, [program({ nr: GETPID, errno: 5 })]);
    expect([t.call(GETPID), t.call(GETUID)]).toEqual([-5, -38]);
    expect(reasons(t, GETPID)).toBe(4);
    f.close();
    expect(reasons(t, GETPID)).toBe(0);
    expect(() => f.stack([allowAll], { thread: true })).toThrow(expect.objectContaining({ code: 'EBUSY', message: 'stack() on a closed filter' }));
    t.verify();
  });
});
