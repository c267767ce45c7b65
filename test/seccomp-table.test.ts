// Filters on a table: a number whose proven action is ALLOW keeps its hot
// path (its slot word takes no plug switch); every other number is answered
// by this thread's filter plug as the kernel's seccomp answers, before the
// hooks and the handler run; a trace (outermost) prints what it answered,
// and switching the trace off leaves the filter on (each has its reason).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { attach, createTable, SystabError } from 'systab';
import { attachFilter, filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP } from 'systab/seccomp';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';

const READ = 0, WRITE = 1, OPEN = 2, GETPID = 39, GETPPID = 110;
const HOOK_TRACE = 1 << 19;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
/** write to fd 2: EPERM; open: EACCES always; getppid: TRAP; everything else allowed. */
const program = [
  ld(0), // nr
  jeq(WRITE, 0, 3),
  ld(16), // args[0], low half
  jeq(2, 0, 5),
  ret(SECCOMP_RET_ERRNO | 1),
  jeq(OPEN, 0, 1),
  ret(SECCOMP_RET_ERRNO | 13),
  jeq(GETPPID, 0, 1),
  ret(SECCOMP_RET_TRAP | 7),
  ret(SECCOMP_RET_ALLOW),
];
const word = (t: object, nr: number): number => {
  const v = (t as { v: { i32: Int32Array; at: { slots: number } } }).v;
  return Atomics.load(v.i32, v.at.slots + nr);
};

function setup() {
  const t = createTable({ abi });
  const ran: number[] = [];
  t.load({ name: 'm', handlers: { read: () => (ran.push(READ), 0), write: (fd, b, n) => (ran.push(WRITE), n), open: () => (ran.push(OPEN), 3), getpid: () => 4242, getppid: () => 1 } });
  return { t, ran };
}

describe('seccomp filters on a table', () => {
  it('answers as the filter says; allowed numbers keep their slot word, the others take the plug', () => {
    const { t, ran } = setup();
    const before = word(t, GETPID);
    const f = filterTable(t, [program]);
    expect(word(t, GETPID)).toBe(before); // proven ALLOW: the hot path stays
    expect(word(t, WRITE) & HOOK_TRACE).toBe(HOOK_TRACE); // depends on an argument
    expect(word(t, OPEN) & HOOK_TRACE).toBe(HOOK_TRACE); // a constant ERRNO
    expect(f.constantAction(OPEN)).toBe((SECCOMP_RET_ERRNO | 13) >>> 0);
    expect(f.constantAction(WRITE)).toBeUndefined();
    expect(t.call(WRITE, 1, 0, 5)).toBe(5);
    expect(t.call(WRITE, 2, 0, 5)).toBe(-1);
    expect(t.call(OPEN)).toBe(-13);
    expect(t.call(GETPID)).toBe(4242);
    expect(ran).toEqual([WRITE]);
    expect(() => t.call(GETPPID)).toThrow(expect.objectContaining({ code: 'ESECCOMP' }));
    t.verify();
  });

  it('TRAP and KILL go to the embedder\'s callbacks; stack() adds a filter whose lower action wins', () => {
    const { t } = setup();
    const seen: unknown[] = [];
    const f = filterTable(t, [program], { onTrap: (nr, _a, data) => (seen.push(['trap', nr, data]), -4), onKill: (nr, _a, process) => (seen.push(['kill', nr, process]), -9) });
    expect(t.call(GETPPID)).toBe(-4);
    f.stack([[ld(0), jeq(READ, 0, 1), ret(SECCOMP_RET_KILL_PROCESS), ret(SECCOMP_RET_ALLOW)]]);
    expect(t.call(READ)).toBe(-9);
    expect(t.call(OPEN)).toBe(-13); // the first filter's answer stands
    expect(seen).toEqual([['trap', GETPPID, 7], ['kill', READ, true]]);
    f.close();
    expect(t.call(READ)).toBe(0);
    expect(t.call(OPEN)).toBe(3);
    expect(word(t, OPEN) & HOOK_TRACE).toBe(0);
    t.verify();
  });

  it('a trace prints what the filter answered, and switching the trace off leaves the filter on', () => {
    const { t } = setup();
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l) });
    filterTable(t, [program]);
    tr.select('open');
    expect(t.call(OPEN, 0x1000, 0)).toBe(-13);
    expect(out).toEqual([expect.stringMatching(/^open\(0x1000, O_RDONLY\) += -1 EACCES \(Permission denied\)\n$/)]);
    tr.select('none');
    tr.close();
    expect(word(t, OPEN) & HOOK_TRACE).toBe(HOOK_TRACE);
    expect(t.call(OPEN)).toBe(-13);
    t.verify();
  });

  it('WASI answers the errno itself (its positive convention)', () => {
    const t = createTable({ abi: wasi });
    const nr = wasi.names.fd_write!;
    filterTable(t, [[ld(0), jeq(nr, 0, 1), ret(SECCOMP_RET_ERRNO | 8), ret(SECCOMP_RET_ALLOW)]]);
    expect(t.call(nr)).toBe(8);
    t.verify();
  });

  it('bad input: a typed error, the table untouched', () => {
    const { t } = setup();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof SystabError ? e.code : String(e);
      }
      return 'ok';
    };
    expect(code(() => filterTable(t, [[ret(0x7fff0000), { code: 0xffff, jt: 0, jf: 0, k: 0 }]]))).toBe('EINVAL');
    expect(code(() => filterTable(t, [program], { onTrap: 5 as never }))).toBe('EBADSPEC');
    expect(code(() => filterTable(t, [program], { ontrap: () => 0 } as never))).toBe('EBADSPEC');
    expect(word(t, WRITE) & HOOK_TRACE).toBe(0);
    const f = filterTable(t, [program]);
    expect(code(() => filterTable(t, [program]))).toBe('EBUSY');
    f.close();
    t.verify();
  });
});

describe('a table\'s filters on every thread that joins them', () => {
  it('a worker that attachFilter()s is filtered by the set the owner installs, stacks and closes, at its next call', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [program]);
    const w = new Worker(new URL('./workers/seccomp-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), filterDesc: f.describe() } });
    let wake: ((m: { result?: unknown; ready?: boolean }) => void) | undefined;
    w.on('message', (m) => wake?.(m));
    const next = () => new Promise<{ result?: unknown; ready?: boolean }>((r) => (wake = r));
    const call = async (nr: number, ...args: number[]) => {
      const p = next();
      w.postMessage({ nr, args });
      return (await p).result;
    };
    try {
      await next();
      expect(await call(WRITE, 1, 0, 5)).toBe(5);
      expect(await call(WRITE, 2, 0, 5)).toBe(-1);
      expect(await call(GETPID)).toBe(7);
      f.stack([[ld(0), jeq(GETPID, 0, 1), ret(SECCOMP_RET_ERRNO | 5), ret(SECCOMP_RET_ALLOW)]]);
      expect(await call(GETPID)).toBe(-5);
      expect(await call(GETPPID)).toBe('ESECCOMP'); // TRAP, and the worker gave no onTrap
      f.close();
      expect(await call(WRITE, 2, 0, 5)).toBe(5);
      expect(await call(GETPID)).toBe(7);
      t.verify();
    } finally {
      w.postMessage({ close: true });
      await new Promise((r) => w.once('exit', r));
    }
  });

  it('every JS value as programs or options: a typed error, no filter left, the table intact', () => {
    const t = createTable({ abi });
    const values: unknown[] = [undefined, null, 0, -0, NaN, 1n, 'x', Symbol('s'), {}, [], [[]], [null], [{}], [[{ code: 'x' }]], () => 0, new Proxy({}, { get: () => { throw new Error('trap'); } })];
    const bad: string[] = [];
    for (const v of values) {
      // As options, undefined and an object with no keys ({}, []) are no options: only programs must be refused.
      for (const [which, call] of [['programs', () => filterTable(t, v as never)], ['options', () => filterTable(t, [program], v as never)]] as const) {
        try {
          call().close();
          if (which === 'programs' || (v !== undefined && typeof v !== 'object')) bad.push(`${which}: accepted ${String(typeof v)}`);
        } catch (e) {
          if (!(e instanceof SystabError) && !(e instanceof Error && e.message === 'trap')) bad.push(`${typeof v}: ${String(e)}`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(word(t, WRITE) & HOOK_TRACE).toBe(0);
    expect(() => filterTable(t, [program]).close()).not.toThrow(); // nothing left half installed
    t.verify();
  });

  it('a control word another thread damaged: joined threads get a typed error (no hang), the owner\'s next stack() repairs it', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { write: (fd, b, n) => n } });
    const f = filterTable(t, [program]);
    const desc = f.describe();
    const other = attach(t.describe());
    const joined = attachFilter(other, desc);
    new Int32Array(desc.control)[0] = 12345; // not a set
    expect(() => other.call(WRITE, 2, 0, 5)).toThrow(expect.objectContaining({ code: 'EATTACH' }));
    expect(t.call(WRITE, 2, 0, 5)).toBe(-1); // the owner keeps its own handle
    f.stack([[ret(SECCOMP_RET_ALLOW)]]);
    expect(other.call(WRITE, 2, 0, 5)).toBe(-1);
    joined.close();
    other.close();
    f.close();
    t.verify();
  });

  it('attachFilter() of anything else is EATTACH; describe() of an unshared table\'s filters is EATTACH', () => {
    const t = createTable({ abi });
    expect(() => attachFilter(t, { memory: 5, control: 6 } as never)).toThrow(expect.objectContaining({ code: 'EATTACH' }));
    expect(() => attachFilter(t, { memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }), control: new SharedArrayBuffer(8) })).toThrow(expect.objectContaining({ code: 'EATTACH' }));
    const u = createTable({ abi, shared: false });
    expect(() => filterTable(u, [program]).describe()).toThrow(expect.objectContaining({ code: 'EATTACH' }));
    t.verify();
  });
});

