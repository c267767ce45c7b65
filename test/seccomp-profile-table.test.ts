// Profiles on a table: moby's profile loaded unmodified with filterProfile()
// answers as Docker's container would (mount -EPERM, read reaches its
// handler, clone with CLONE_NEWUSER refused unless CAP_SYS_ADMIN); its
// constant ALLOW numbers keep the hot path (no plug bit in their slot word);
// a worker that attachFilter()s is filtered by it; stack() adds to it; the
// ENOSYS-default variant (containers/common's choice) answers -ENOSYS.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { compileProfile, filterProfile } from 'systab/seccomp/oci';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';

const moby = JSON.parse(readFileSync(new URL('../data/seccomp/moby-default.json', import.meta.url), 'utf8'));
const HOOK_TRACE = 1 << 19; // the slot word's plug switch
const word = (t: object, nr: number): number => {
  const v = (t as { v: { i32: Int32Array; at: { slots: number } } }).v;
  return Atomics.load(v.i32, v.at.slots + nr);
};
const { read, write, mount, clone, getpid, personality, keyctl, kexec_load, unshare } = abi.names;
const CLONE_NEWUSER = 0x10000000;

function table(a: typeof abi | typeof riscv64 = abi) {
  const t = createTable({ abi: a });
  t.load({ name: 'm', handlers: { read: () => 11, write: (_fd, _b, n) => n, mount: () => 0, clone: () => 1234, getpid: () => 42, personality: () => 0 } });
  return t;
}

describe("moby's profile on a table", () => {
  it('answers as a Docker container without capabilities', () => {
    const t = table();
    const before = word(t, read!);
    const f = filterProfile(t, moby);
    expect([t.call(read!), t.call(write!, 1, 0, 5), t.call(getpid!)]).toEqual([11, 5, 42]);
    expect([t.call(mount!), t.call(keyctl!), t.call(unshare!, 0)]).toEqual([-1, -1, -1]); // EPERM (defaultErrnoRet 1)
    expect([t.call(clone!, CLONE_NEWUSER), t.call(clone!, 0x11)]).toEqual([-1, 1234]);
    expect([t.call(personality!, 0xffffffff), t.call(personality!, 0x1234)]).toEqual([0, -1]);
    // The hot path: read's proven action is ALLOW, its slot word unchanged; mount (constant ERRNO) and clone (by argument) take the plug.
    expect(word(t, read!)).toBe(before);
    expect(word(t, read!) & HOOK_TRACE).toBe(0);
    expect(word(t, mount!) & HOOK_TRACE).toBe(HOOK_TRACE);
    expect(word(t, clone!) & HOOK_TRACE).toBe(HOOK_TRACE);
    expect(f.constantAction(read!)).toBe(SECCOMP_RET_ALLOW);
    expect(f.constantAction(mount!)).toBe((SECCOMP_RET_ERRNO | 1) >>> 0);
    expect(f.constantAction(clone!)).toBeUndefined();
    t.verify();
    f.close();
    expect([t.call(mount!), t.call(clone!, CLONE_NEWUSER)]).toEqual([0, 1234]);
    t.verify();
  });

  it('with CAP_SYS_ADMIN: clone and mount allowed; on kernel 4.0, ptrace refused (minKernel 4.8)', () => {
    const t = table();
    const f = filterProfile(t, moby, { caps: ['CAP_SYS_ADMIN'], kernel: '4.0' });
    expect([t.call(clone!, CLONE_NEWUSER), t.call(mount!), t.call(abi.names.ptrace!)]).toEqual([1234, 0, -1]);
    expect(word(t, clone!) & HOOK_TRACE).toBe(0); // unconditional ALLOW with the cap: the hot path
    f.close();
    const g = filterProfile(t, moby, { kernel: '6.1' });
    expect(t.call(abi.names.ptrace!)).toBe(abi.enosys); // allowed, and no handler
    g.close();
    t.verify();
  });

  it('on riscv64: its own calls (riscv_flush_icache) allowed, x86-only ones (arch_prctl) absent', () => {
    const t = table(riscv64);
    const f = filterProfile(t, moby);
    expect([t.call(riscv64.names.read!), t.call(riscv64.names.mount!), t.call(riscv64.names.riscv_flush_icache!)]).toEqual([11, -1, riscv64.enosys]);
    expect(riscv64.names.arch_prctl).toBeUndefined();
    f.close();
    t.verify();
  });

  it('the ENOSYS-default variant (defaultErrnoRet 38, containers/common\'s choice) answers -ENOSYS to what it does not name', () => {
    const t = table();
    const f = filterProfile(t, { ...moby, defaultErrnoRet: 38 });
    expect([t.call(mount!), t.call(kexec_load!), t.call(read!)]).toEqual([-38, -38, 11]);
    f.close();
  });

  it('stack(): a second profile of our own on top; the lowest action wins', () => {
    const t = table();
    const f = filterProfile(t, moby);
    f.stack([compileProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 3, op: 'SCMP_CMP_EQ' }] }, { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }, { abi })]);
    // mount: ERRNO in both; on a tie of actions the newer filter's data (the kernel's precedence).
    expect([t.call(read!, 3), t.call(read!, 4), t.call(mount!)]).toEqual([-5, 11, -13]);
    f.close();
    t.verify();
  });

  it('a worker that attachFilter()s is filtered by the profile', async () => {
    const t = createTable({ abi }); // the worker loads write and getpid
    const f = filterProfile(t, moby);
    const w = new Worker(new URL('./workers/seccomp-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), filterDesc: f.describe() } });
    let wake: ((m: { result?: unknown }) => void) | undefined;
    w.on('message', (m) => wake?.(m));
    const next = () => new Promise<{ result?: unknown }>((r) => (wake = r));
    const call = async (nr: number, ...args: number[]) => {
      const p = next();
      w.postMessage({ nr, args });
      return (await p).result;
    };
    try {
      await next();
      expect([await call(write!, 1, 0, 5), await call(getpid!), await call(mount!), await call(personality!, 0x1234)]).toEqual([5, 7, -1, -1]);
      f.close();
      expect(await call(mount!)).toBe(abi.enosys); // no handler in the worker
    } finally {
      w.postMessage({ close: true });
      await new Promise((r) => w.once('exit', r));
    }
    t.verify();
  });
});
