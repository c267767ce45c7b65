// Per-thread seccomp filters across a page and Web Workers: a worker's own
// chain filters it alone (the other worker and the page make the same calls
// unfiltered, never refused); a worker started with its describe() inherits
// that chain; leaving gives the slots back.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';

const GETPID = abi.names.getpid!;
const GETUID = abi.names.getuid!;
const GETPPID = abi.names.getppid!;
const ENOSYS = -38;
const ld = (k: number) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k: number, jt: number, jf: number) => ({ code: 0x15, jt, jf, k });
const ret = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
const errnoOn = (nr: number, errno: number) => [ld(0), jeq(nr, 0, 1), ret(SECCOMP_RET_ERRNO | errno), ret(SECCOMP_RET_ALLOW)];

function start() {
  const w = new Worker(new URL('./seccomp-thread-worker.js', import.meta.url), { type: 'module' });
  let wake: ((m: Record<string, unknown>) => void) | undefined;
  w.onmessage = (e) => wake?.(e.data);
  const ask = async (m: object): Promise<unknown> => {
    const p = new Promise<Record<string, unknown>>((r) => (wake = r));
    w.postMessage(m);
    const r = await p;
    if (r.error !== undefined) throw new Error(String(r.error));
    return r.result;
  };
  return { w, ask };
}

describe('per-thread seccomp filters in Web Workers', () => {
  it('a worker\'s own chain filters it alone; a worker started with its describe() inherits it', async () => {
    const t = createTable({ abi });
    const f = filterTable(t, [errnoOn(GETPPID, 13)]);
    const a = start();
    const b = start();
    const c = start();
    try {
      await a.ask({ desc: t.describe(), join: f.describe() });
      await b.ask({ desc: t.describe(), join: f.describe() });
      await a.ask({ stack: [errnoOn(GETPID, 5)] });
      expect(await a.ask({ calls: [[GETPID], [GETPPID], [GETUID]] })).toEqual([-5, -13, ENOSYS]);
      expect(await b.ask({ calls: [[GETPID], [GETPPID], [GETUID]] })).toEqual([ENOSYS, -13, ENOSYS]);
      expect([t.call(GETPID), t.call(GETPPID)]).toEqual([ENOSYS, -13]);
      // c starts with a's filters' descriptor: a's chain with it.
      await c.ask({ desc: t.describe(), join: await a.ask({ describe: true }) });
      expect(await c.ask({ calls: [[GETPID], [GETPPID]] })).toEqual([-5, -13]);
      await a.ask({ leave: true });
      expect(await c.ask({ calls: [[GETPID]] })).toEqual([-5]); // c's copy of the chain stays
      await c.ask({ leave: true });
      expect(t.call(GETPID)).toBe(ENOSYS);
      t.verify();
    } finally {
      for (const w of [a, b, c]) w.w.terminate();
    }
  });
});
