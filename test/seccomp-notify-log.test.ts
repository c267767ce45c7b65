// USER_NOTIF as an async supervisor and LOG through the trace's lines.
// A supervisor answers, lets the call run (the kernel's CONTINUE: the call
// then runs once, not filtered again), or answers later with a promise,
// which only a caller that takes promises gets (EASYNC otherwise, the
// supervisor's promise not left unhandled). LOG prints the call's line on
// this thread's trace, selected or not, then runs it.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, SECCOMP_RET_USER_NOTIF } from 'systab/seccomp';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const WRITE = 1, GETPID = 39, GETPPID = 110;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
/** getpid: USER_NOTIF; write: LOG; the rest allowed. */
const program = [ld(0), jeq(GETPID, 0, 1), ret(SECCOMP_RET_USER_NOTIF), jeq(WRITE, 0, 1), ret(SECCOMP_RET_LOG), ret(SECCOMP_RET_ALLOW)];

function setup(async: boolean) {
  const t = createTable({ abi, async });
  const ran: number[] = [];
  const m = t.load({ name: 'm', handlers: { getpid: () => (ran.push(GETPID), 4242), write: (fd, b, n) => (ran.push(WRITE), n), getppid: () => 1 } });
  return { t, ran, m };
}

describe('USER_NOTIF: a supervisor, sync or async', () => {
  it('a sync supervisor answers, or lets the call run', () => {
    const { t, ran } = setup(false);
    const seen: number[][] = [];
    let answer: number | undefined = -1;
    filterTable(t, [program], { onNotify: (nr, args) => (seen.push([nr, ...args]), answer) });
    expect(t.call(GETPID, 5)).toBe(-1);
    expect(ran).toEqual([]);
    answer = undefined;
    expect(t.call(GETPID)).toBe(4242);
    expect(ran).toEqual([GETPID]);
    expect(seen).toEqual([[GETPID, 5, 0, 0, 0, 0, 0], [GETPID, 0, 0, 0, 0, 0, 0]]);
    t.verify();
  });

  it('an async supervisor: its answer, or the call run once when it lets it (on an async table and through callAsync)', async () => {
    for (const async of [true, false]) {
      const { t, ran } = setup(async);
      let asked = 0;
      let answer: number | undefined = -13;
      filterTable(t, [program], { onNotify: async () => (asked++, await new Promise((r) => setTimeout(r, 1)), answer) });
      const first = async ? (t.call(GETPID) as unknown as Promise<number>) : t.callAsync(GETPID);
      expect(first).toBeInstanceOf(Promise);
      expect(await first).toBe(-13);
      expect(ran).toEqual([]);
      answer = undefined;
      expect(await t.callAsync(GETPID)).toBe(4242);
      expect(ran).toEqual([GETPID]); // once: the call let run is not filtered (nor notified) again
      expect(asked).toBe(2);
      // The very next call is filtered as ever.
      answer = -1;
      expect(await t.callAsync(GETPID)).toBe(-1);
      expect(asked).toBe(3);
      t.verify();
    }
  });

  it('a call let run later: one trace line with its result, counted once, its handler held until it ran (an unload waits)', async () => {
    const { t, ran, m } = setup(true);
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l) });
    tr.select('getpid');
    t.hooks(['getpid'], { count: true });
    let let_: () => void = () => {};
    filterTable(t, [program], { onNotify: () => new Promise<undefined>((r) => (let_ = () => r(undefined))) });
    const call = t.callAsync(GETPID);
    let unloaded = false;
    const unload = m.unload().then(() => (unloaded = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(unloaded).toBe(false); // the call holds getpid's handler while its supervisor decides
    let_();
    expect(await call).toBe(4242);
    await unload;
    expect(ran).toEqual([GETPID]);
    expect(out).toEqual([expect.stringMatching(/^getpid\(\) += 4242\n$/)]);
    expect(t.stats().calls.find((c) => c.name === 'getpid')?.calls).toBe(1);
    t.verify();
  });

  it('a promise where call() answers numbers is EASYNC, and its rejection is not left unhandled', async () => {
    const { t } = setup(false);
    const unhandled: unknown[] = [];
    const on = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', on);
    try {
      filterTable(t, [program], { onNotify: () => Promise.reject(new Error('supervisor gone')) });
      expect(() => t.call(GETPID)).toThrow(expect.objectContaining({ code: 'EASYNC' }));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
    t.verify();
  });

  it('a supervisor that gives what no call answers: EBADRESULT, now or as the rejection', async () => {
    for (const bad of [null, 'x', 1n, {}, [], Symbol('s'), () => 1]) {
      const { t } = setup(true);
      const f = filterTable(t, [program], { onNotify: () => bad as never });
      expect(() => t.call(GETPID)).toThrow(expect.objectContaining({ code: 'EBADRESULT' }));
      f.close();
      filterTable(t, [program], { onNotify: async () => bad as never });
      await expect(t.callAsync(GETPID)).rejects.toMatchObject({ code: 'EBADRESULT' });
      t.verify();
    }
  });

  it('a supervisor whose promise rejects: the call\'s promise rejects with its reason', async () => {
    const { t, ran } = setup(true);
    filterTable(t, [program], { onNotify: async () => { throw new Error('denied by policy'); } });
    await expect(t.callAsync(GETPID)).rejects.toThrow('denied by policy');
    expect(ran).toEqual([]);
    t.verify();
  });
});

describe('LOG: the call\'s line on this thread\'s trace, then the call', () => {
  it('prints a logged call that the trace does not select, once, and runs it; onLog is told too', () => {
    const { t, ran } = setup(false);
    const out: string[] = [];
    const logged: number[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l) });
    tr.select('getppid');
    filterTable(t, [program], { onLog: (nr) => logged.push(nr), onNotify: () => undefined });
    expect(t.call(WRITE, 1, 0, 5)).toBe(5);
    expect(t.call(GETPPID)).toBe(1);
    expect(t.call(GETPID)).toBe(4242); // notified, not logged: no line
    expect(out).toEqual([expect.stringMatching(/^write\(1, NULL, 5\) += 5\n$/), expect.stringMatching(/^getppid\(\) += 1\n$/)]);
    expect(logged).toEqual([WRITE]);
    expect(ran).toEqual([WRITE, GETPID]);
    tr.select('write'); // selected and logged: one line
    expect(t.call(WRITE, 2, 0, 3)).toBe(3);
    expect(out.length).toBe(3);
    t.verify();
  });

  it('without a trace, LOG only tells onLog', () => {
    const { t, ran } = setup(false);
    const logged: number[] = [];
    filterTable(t, [program], { onLog: (nr) => logged.push(nr) });
    expect(t.call(WRITE, 1, 0, 5)).toBe(5);
    expect(logged).toEqual([WRITE]);
    expect(ran).toEqual([WRITE]);
  });
});
