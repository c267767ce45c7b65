// stats() counts every call the guest made while counting is on, also those
// answered for their handler: by an injection (the trace's) or a filter
// (seccomp's), each an error when its answer is one, as strace -c counts
// injected calls.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF } from 'systab/seccomp';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const WRITE = 1, GETPID = 39, GETPPID = 110;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
const of = (t: ReturnType<typeof createTable>, name: string) => {
  const c = t.stats().calls.find((x) => x.name === name);
  return c === undefined ? undefined : { calls: c.calls, errors: c.errors };
};

describe('stats() and calls answered for their handler', () => {
  it('a filter\'s ERRNO, an injection\'s error and retval, an async supervisor\'s answer: each a call, errors as they are', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'm', handlers: { write: (fd, b, n) => n, getpid: () => 7, getppid: () => 1 } });
    t.hooks('*', { count: true });
    filterTable(t, [[ld(0), jeq(WRITE, 0, 3), ld(16), jeq(2, 0, 1), ret(SECCOMP_RET_ERRNO | 1), jeq(GETPPID, 0, 1), ret(SECCOMP_RET_USER_NOTIF), ret(SECCOMP_RET_ALLOW)]], { onNotify: async (nr, args) => (args[0] === 1 ? -13 : undefined) });
    expect(t.call(WRITE, 2, 0, 5)).toBe(-1);
    expect(t.call(WRITE, 1, 0, 5)).toBe(5);
    expect(of(t, 'write')).toEqual({ calls: 2, errors: 1 });
    const tr = traceTable(t);
    tr.inject('getpid:error=EPERM');
    expect(t.call(GETPID)).toBe(-1);
    tr.inject('getpid:retval=3'); // replaces the one before
    expect(t.call(GETPID)).toBe(3);
    tr.clearInjections();
    expect(t.call(GETPID)).toBe(7);
    expect(of(t, 'getpid')).toEqual({ calls: 3, errors: 1 });
    expect(await t.callAsync(GETPPID, 1)).toBe(-13);
    expect(await t.callAsync(GETPPID, 0)).toBe(1); // let run: counted once, by the handler's path
    expect(of(t, 'getppid')).toEqual({ calls: 2, errors: 1 });
    t.hooks('*', { count: false });
    expect(t.call(WRITE, 2, 0, 5)).toBe(-1);
    expect(of(t, 'write')).toEqual({ calls: 2, errors: 1 }); // not counting: nothing counted
    t.verify();
  });
});
