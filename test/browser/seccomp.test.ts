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

/** The worker, and ask(message): its answer (the result, or the error's code). */
function start() {
  const w = new Worker(new URL('./seccomp-worker.js', import.meta.url), { type: 'module' });
  let wake: ((m: Record<string, unknown>) => void) | undefined;
  w.onmessage = (e) => wake?.(e.data);
  const ask = async (m: object) => {
    const p = new Promise<Record<string, unknown>>((r) => (wake = r));
    w.postMessage(m);
    const r = await p;
    return r.error ?? r.result;
  };
  return { w, ask };
}

describe('seccomp filters shared with a Web Worker', () => {
  it('the worker is filtered by the page’s set, its stack and its close, at its next call', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [[ld(0), jeq(WRITE, 0, 3), ld(16), jeq(2, 0, 1), ret(SECCOMP_RET_ERRNO | 1), ret(SECCOMP_RET_ALLOW)]]);
    const { w, ask } = start();
    const call = (nr: number, ...args: number[]) => ask({ nr, args });
    try {
      expect(await ask({ desc: t.describe(), filterDesc: f.describe() })).toBeUndefined();
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

  it('a worker that has not joined is refused what the filters do not allow unconditionally, until it joins', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [[ld(0), jeq(WRITE, 0, 3), ld(16), jeq(2, 0, 1), ret(SECCOMP_RET_ERRNO | 1), ret(SECCOMP_RET_ALLOW)]]);
    const { w, ask } = start();
    try {
      expect(await ask({ desc: t.describe() })).toBeUndefined();
      expect(await ask({ nr: WRITE, args: [1, 0, 5] })).toBe('ESECCOMP');
      expect(await ask({ nr: GETPID })).toBe(7);
      expect(await ask({ join: f.describe() })).toBe('joined');
      expect(await ask({ nr: WRITE, args: [1, 0, 5] })).toBe(5);
      expect(await ask({ nr: WRITE, args: [2, 0, 5] })).toBe(-1);
      t.verify();
    } finally {
      w.terminate();
    }
  });
});
