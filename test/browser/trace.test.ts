// systab/trace across a page and a Web Worker: the page selects and injects
// (its main thread never blocks), the worker's next call is traced and
// tampered with as the page said, and the page's own calls are traced there.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const GETPID = abi.names.getpid!;
const GETPPID = abi.names.getppid!;
const lines: LineMaker = {
  enter: (nr, args) => `${nr}(${args[0]})`,
  exit: (p, r, note) => `${p as string} = ${r}${note.injected ? ' (INJECTED)' : ''}\n`,
};

describe('trace switches shared with a Web Worker', () => {
  it('a selection and an injection made on the page reach the worker’s next call', async () => {
    const t = createTable({ abi });
    t.load({ name: 'page-mod', handlers: { getpid: (a: number) => 4000 + a } });
    const mine: string[] = [];
    const tr = traceTable(t, { sink: (l) => mine.push(l), lines });
    const w = new Worker(new URL('./trace-worker.js', import.meta.url), { type: 'module' });
    const got: string[] = [];
    let wake: ((m: Record<string, unknown>) => void) | undefined;
    w.onmessage = (e) => {
      if (e.data.line !== undefined) got.push(e.data.line);
      else wake?.(e.data);
    };
    const next = () => new Promise<Record<string, unknown>>((r) => (wake = r));
    const call = async (nr: number, a: number) => {
      const p = next();
      w.postMessage({ nr, args: [a] });
      const m = await p;
      if (m.error !== undefined) throw new Error(String(m.error));
      return m.result;
    };
    try {
      const ready = next();
      w.postMessage({ desc: t.describe(), traceDesc: tr.describe() });
      expect((await ready).error).toBeUndefined();
      expect(await call(GETPPID, 1)).toBe(7001);
      expect(got).toEqual([]);
      tr.select('getpid,getppid');
      expect(await call(GETPPID, 2)).toBe(7002);
      expect(await call(GETPID, 3)).toBe(4003); // carried to the page, traced in the worker that made it
      expect(got).toEqual([`${GETPPID}(2) = 7002\n`, `${GETPID}(3) = 4003\n`]);
      tr.inject('getppid:error=EPERM:when=2');
      expect([await call(GETPPID, 4), await call(GETPPID, 5), await call(GETPPID, 6)]).toEqual([7004, -1, 7006]);
      expect(got.at(-2)).toBe(`${GETPPID}(5) = -1 (INJECTED)\n`);
      // The page's own calls: traced on the page (a call to the worker's module answers through callAsync here).
      expect(t.call(GETPID, 9)).toBe(4009);
      await expect(t.callAsync(GETPPID, 8)).resolves.toBe(7008);
      expect(mine).toEqual([`${GETPID}(9) = 4009\n`, `${GETPPID}(8) = 7008\n`]);
      tr.select('none');
      tr.clearInjections();
      expect(await call(GETPPID, 7)).toBe(7007);
      expect(got).toHaveLength(5);
      t.verify();
    } finally {
      w.terminate();
    }
  });

  it('follow: the worker\'s lines, made in the worker, are printed by the page\'s sink, the page never blocking', async () => {
    const t = createTable({ abi });
    t.load({ name: 'page-mod', handlers: { getpid: (a: number) => 4000 + a } });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: {}, tid: 1 });
    tr.select(['getpid', 'getppid']);
    const w = new Worker(new URL('./trace-worker.js', import.meta.url), { type: 'module' });
    let wake: ((m: Record<string, unknown>) => void) | undefined;
    w.onmessage = (e) => wake?.(e.data);
    const ask = (m: object) => new Promise<Record<string, unknown>>((r) => ((wake = r), w.postMessage(m)));
    try {
      expect((await ask({ desc: t.describe(), traceDesc: tr.describe(), follow: true })).error).toBeUndefined();
      expect((await ask({ nr: GETPPID, args: [5] })).result).toBe(7005);
      expect(t.call(GETPID, 1)).toBe(4001);
      for (let i = 0; i < 100 && out.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(out).toEqual([expect.stringMatching(/^2 +getppid\(\) += 7005\n$/), expect.stringMatching(/^1 +getpid\(\) += 4001\n$/)]);
      tr.close();
      t.verify();
    } finally {
      w.terminate();
    }
  });
});
