// systab/seccomp across a page and a Web Worker: the page installs, stacks
// and closes the filters; the worker that joined them is filtered by what
// the page installed at its next call.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';

const WRITE = abi.names.write!;
const GETPID = abi.names.getpid!;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });

describe('seccomp filters shared with a Web Worker', () => {
  it('the worker is filtered by the page’s set, its stack and its close, at its next call', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [[ld(0), jeq(WRITE, 0, 3), ld(16), jeq(2, 0, 1), ret(SECCOMP_RET_ERRNO | 1), ret(SECCOMP_RET_ALLOW)]]);
    const w = new Worker(new URL('./seccomp-worker.js', import.meta.url), { type: 'module' });
    let wake: ((m: Record<string, unknown>) => void) | undefined;
    w.onmessage = (e) => wake?.(e.data);
    const next = () => new Promise<Record<string, unknown>>((r) => (wake = r));
    const call = async (nr: number, ...args: number[]) => {
      const p = next();
      w.postMessage({ nr, args });
      const m = await p;
      if (m.error !== undefined) throw new Error(String(m.error));
      return m.result;
    };
    try {
      const ready = next();
      w.postMessage({ desc: t.describe(), filterDesc: f.describe() });
      expect((await ready).error).toBeUndefined();
      expect(await call(WRITE, 1, 0, 5)).toBe(5);
      expect(await call(WRITE, 2, 0, 5)).toBe(-1);
      f.stack([[ld(0), jeq(GETPID, 0, 1), ret(SECCOMP_RET_ERRNO | 5), ret(SECCOMP_RET_ALLOW)]]);
      expect(await call(GETPID)).toBe(-5);
      f.close();
      expect(await call(WRITE, 2, 0, 5)).toBe(5);
      expect(await call(GETPID)).toBe(7);
      t.verify();
    } finally {
      w.terminate();
    }
  });
});
