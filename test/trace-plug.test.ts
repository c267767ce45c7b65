// The trace switch (HOOK_TRACE) and this thread's plug: a traced number goes
// through the plug and the rest are untouched; an injection answers for the
// handler by this thread's count of calls; the switches are shared, so a
// selection made on one thread is seen by another's next call.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTable, SystabError } from 'systab';
import { attachTrace, traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as riscv } from 'systab/abi/linux-riscv64';

const READ = 0, WRITE = 1, OPEN = 2, GETPID = 39, GETPPID = 110;
const HOOK_TRACE = 1 << 19;
const lines: LineMaker = {
  enter: (nr, args) => `${nr}(${args.slice(0, 2).join(', ')})`,
  exit: (p, r, note) => `${p as string} = ${note.threw !== undefined ? `threw ${String(note.threw)}` : r}${note.injected ? ' (INJECTED)' : ''}\n`,
};

function setup() {
  const t = createTable({ abi });
  const ran: number[] = [];
  t.load({ name: 'm', handlers: { read: (a) => (ran.push(READ), a), write: (a, b, n) => (ran.push(WRITE), n), getpid: () => (ran.push(GETPID), 4242), close: () => { throw new Error('boom'); } } });
  const out: string[] = [];
  const tr = traceTable(t, { sink: (l) => out.push(l), lines });
  return { t, tr, out, ran };
}
/** A slot word (the table's internals: its View). */
const word = (t: object, nr: number): number => {
  const v = (t as { v: { i32: Int32Array; at: { slots: number } } }).v;
  return Atomics.load(v.i32, v.at.slots + nr);
};

describe('the trace switch and this thread’s plug', () => {
  it('traces exactly the selected numbers; the others keep their switch word and their path', () => {
    const { t, tr, out, ran } = setup();
    const before = Array.from({ length: abi.count }, (_, i) => word(t, i));
    tr.select(['write']);
    expect(word(t, WRITE) & HOOK_TRACE).toBe(HOOK_TRACE);
    for (let i = 0; i < abi.count; i++) if (i !== WRITE) expect(word(t, i), `slot ${i}`).toBe(before[i]);
    expect(t.call(WRITE, 1, 2, 3)).toBe(3);
    expect(t.call(READ, 5)).toBe(5);
    expect(t.call(GETPID)).toBe(4242);
    expect(out).toEqual(['1(1, 2) = 3\n']);
    expect(ran).toEqual([WRITE, READ, GETPID]);
    tr.select([]);
    expect(word(t, WRITE)).toBe(before[WRITE]);
    t.call(WRITE, 1, 2, 3);
    expect(out).toHaveLength(1);
    t.verify();
  });

  it('traces missing numbers and calls that throw; the error still reaches the caller', () => {
    const { t, tr, out } = setup();
    tr.select(['open', 'close']);
    expect(t.call(OPEN, 7)).toBe(-38);
    expect(() => t.call(3)).toThrow('boom');
    expect(out).toEqual(['2(7, 0) = -38\n', '3(0, 0) = threw Error: boom\n']);
    t.verify();
  });

  it('injects by this thread’s count of calls (when=2+2): the handler does not run for an injected call', () => {
    const { t, tr, out, ran } = setup();
    tr.select(['read']);
    tr.inject('read:error=ENOENT:when=2+2');
    const got = Array.from({ length: 6 }, (_, i) => t.call(READ, 10 + i));
    expect(got).toEqual([10, -2, 12, -2, 14, -2]);
    expect(ran).toEqual([READ, READ, READ]);
    expect(out[1]).toBe('0(11, 0) = -2 (INJECTED)\n');
    // retval (the register, unsigned: -2 is 2^64-2), and a new injection counts from 1 again
    tr.inject('read:retval=1099511627776:when=1');
    expect([t.call(READ, 1), t.call(READ, 2)]).toEqual([2 ** 40, 2]);
    tr.inject('read:retval=18446744073709551614');
    expect(t.call(READ, 1)).toBe(-2);
    // injections add up; clearInjections() takes read's away; getpid's is not printed (not selected)
    tr.clearInjections(['read']);
    tr.inject('getpid:error=EPERM');
    expect([t.call(READ, 3), t.call(GETPID)]).toEqual([3, -1]);
    expect(out.at(-1)).toBe('0(3, 0) = 3\n');
    t.verify();
  });

  it('numbers beyond the table (no slot, no switch) are printed whatever is selected, as strace prints syscall_0x...; the hot path is back after close()', () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l) });
    tr.select('none');
    expect(t.call(99999, 1, 2)).toBe(-38);
    expect(t.call(-1)).toBe(-38);
    expect(out).toEqual(['syscall_0x1869f(0x1, 0x2, 0, 0, 0, 0)   = -1 ENOSYS (Function not implemented)\n', 'syscall_0xffffffffffffffff(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n']);
    // The core's dispatch too (WebAssembly guests).
    expect(t.dispatch(99999, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(-38n);
    expect(out).toHaveLength(3);
    tr.close();
    expect(t.call(99999)).toBe(-38);
    expect(out).toHaveLength(3);
    expect((t as unknown as { hotOorMode: number }).hotOorMode).not.toBe(0); // answered on the hot path again
    // A trace with no lines leaves them on the hot path.
    traceTable(t).close();
    t.verify();
  });

  it('an answer still to come is traced when it settles: its value, or what it threw', async () => {
    const t = createTable({ abi, async: true });
    t.load({ name: 'a', handlers: { read: async (a) => a * 2, write: async () => { throw new Error('late'); } } });
    const out: string[] = [];
    traceTable(t, { sink: (l) => out.push(l), lines }).select('read,write');
    const p = t.call(READ, 21);
    const q = t.call(WRITE, 1);
    expect(out).toEqual([]);
    expect(await p).toBe(42);
    await expect(q).rejects.toThrow('late');
    expect(out).toEqual(['0(21, 0) = 42\n', '1(1, 0) = threw Error: late\n']);
    t.verify();
  });

  it('close() takes this thread’s plug away: calls run as before, the switches stay for other threads', () => {
    const { t, tr, out } = setup();
    tr.select('*');
    tr.close();
    expect(t.call(WRITE, 1, 2, 3)).toBe(3);
    expect(out).toEqual([]);
    expect(word(t, WRITE) & HOOK_TRACE).toBe(HOOK_TRACE);
    expect(() => tr.select(['read'])).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    // a new trace on this thread is allowed now
    const again: string[] = [];
    traceTable(t, { sink: (l) => again.push(l), lines }).select(['getpid']);
    t.call(GETPID);
    expect(again).toEqual(['39(0, 0) = 4242\n']);
    t.verify();
  });

  it('bad input gets a typed error and leaves the table and the switches as they were', () => {
    const { t, tr } = setup();
    tr.select(['read']);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof SystabError ? e.code : String(e);
      }
      return 'ok';
    };
    expect(code(() => tr.select(['wirte']))).toBe('ENONAME');
    expect(code(() => tr.select('wirte'))).toBe('EBADSPEC');
    expect(code(() => tr.select(5 as never))).toBe('EBADSPEC');
    expect(code(() => tr.inject('read:error=EFOO'))).toBe('EBADSPEC');
    expect(code(() => tr.inject('read:error=ENOENT:poke_enter=@arg2=0000'))).toBe('EBADSPEC');
    expect(t.call(READ, 4)).toBe(4); // nothing injected
    expect(code(() => traceTable(t, { sink: (l: string) => void l, lines }))).toBe('EBUSY');
    expect(code(() => traceTable(createTable({ abi }), { sink: 5 as never, lines }))).toBe('EBADSPEC');
    expect(code(() => attachTrace(createTable({ abi }), { state: new SharedArrayBuffer(64) } as never, { sink: () => {}, lines }))).toBe('EATTACH');
    expect(code(() => attachTrace(createTable({ abi: riscv }), tr.describe(), { sink: () => {}, lines }))).toBe('EATTACH');
    expect(word(t, READ) & HOOK_TRACE).toBe(HOOK_TRACE);
    t.verify();
  });

  it('matches a model over random selections, injections and calls', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('select' as const), set: fc.subarray([READ, WRITE, GETPID]) }),
            fc.record({ op: fc.constant('inject' as const), set: fc.subarray([READ, WRITE, GETPID], { minLength: 1 }), first: fc.integer({ min: 1, max: 3 }), step: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 1, max: 133 }) }),
            fc.record({ op: fc.constant('call' as const), nr: fc.constantFrom(READ, WRITE, GETPID), a: fc.integer({ min: 0, max: 100 }) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const { t, tr, out } = setup();
          const printed = new Set<number>();
          const injected = new Map<number, { first: number; step: number; value: number; n: number }>();
          const want: string[] = [];
          for (const o of ops) {
            if (o.op === 'select') {
              tr.select(o.set);
              printed.clear();
              o.set.forEach((n) => printed.add(n));
            } else if (o.op === 'inject') {
              tr.inject(`${o.set.join(',')}:error=${o.value}:when=${o.first}${o.step === 0 ? '' : `+${o.step}`}`);
              for (const n of o.set) injected.set(n, { first: o.first, step: o.step, value: o.value, n: 0 });
            } else {
              const real = o.nr === READ ? o.a : o.nr === WRITE ? 0 : 4242;
              const j = injected.get(o.nr);
              let r = real;
              let hit = false;
              if (j !== undefined) {
                const n = ++j.n;
                hit = n >= j.first && (j.step === 0 ? n === j.first : (n - j.first) % j.step === 0);
                if (hit) r = -j.value;
              }
              expect(t.call(o.nr, o.a, 0, 0)).toBe(r);
              if (printed.has(o.nr)) want.push(`${o.nr}(${o.a}, 0) = ${r}${hit ? ' (INJECTED)' : ''}\n`);
            }
          }
          expect(out).toEqual(want);
          t.verify();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the switches are shared between threads', () => {
  it('a selection or injection made here is seen at a worker’s next call, and cleared the same way', async () => {
    const t = createTable({ abi });
    t.load({ name: 'main-mod', handlers: { getpid: () => 4242 } });
    const mine: string[] = [];
    const tr = traceTable(t, { sink: (l) => mine.push(l), lines });
    const w = new Worker(new URL('./workers/trace-worker.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc: tr.describe() } });
    const got: string[] = [];
    const results: unknown[] = [];
    let wake: (() => void) | undefined;
    w.on('message', (m: { line?: string; result?: unknown; ready?: boolean }) => {
      if (m.line !== undefined) got.push(m.line);
      if ('result' in m) results.push(m.result);
      if (m.ready || 'result' in m) wake?.();
    });
    const next = () => new Promise<void>((r) => (wake = r));
    const call = async (nr: number, ...args: number[]) => {
      const p = next();
      w.postMessage({ nr, args });
      // The worker's call of getpid is carried here: serve it while waiting.
      while (!(await Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1))]))) t.poll();
      return results.at(-1);
    };
    try {
      await next();
      expect(await call(GETPPID)).toBe(77);
      expect(got).toEqual([]);
      tr.select(['getppid', 'getpid']);
      expect(await call(GETPPID)).toBe(77);
      expect(await call(GETPID, 9)).toBe(4242);
      expect(got).toEqual(['110(0, 0) = 77\n', '39(9, 0) = 4242\n']);
      tr.inject('getpid:error=13');
      expect(await call(GETPID)).toBe(-13);
      expect(got.at(-1)).toBe('39(0, 0) = -13 (INJECTED)\n');
      // Main's own calls: traced here, the worker's handler carried there.
      expect(t.call(GETPPID)).toBe(77);
      expect(mine).toEqual(['110(0, 0) = 77\n']);
      tr.select([]);
      tr.clearInjections();
      expect(await call(GETPID)).toBe(4242);
      expect(got).toHaveLength(3);
      t.verify();
    } finally {
      w.postMessage({ close: true });
      await new Promise((r) => w.once('exit', r));
    }
  });
});

describe('injections under concurrent change', () => {
  it('two threads changing injections while this one calls: every answer is a whole injection, none torn', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => 4343 } });
    const tr = traceTable(t, { sink: () => {}, lines });
    const start = (family: string) => new Worker(new URL('./workers/trace-injector.mjs', import.meta.url), { workerData: { desc: t.describe(), traceDesc: tr.describe(), family, ms: 1500 } });
    const ws = [start('error'), start('retval')];
    const done = ws.map((w) => new Promise<{ n: number }>((r) => w.once('message', r)));
    let finished = false;
    void Promise.all(done).then(() => (finished = true));
    const whole = (r: number, plain: number) => r === plain || (r < 0 && r >= -50) || (r > 0 && r % 1000 === 0 && r <= 50_000);
    let calls = 0;
    const bad: number[] = [];
    while (!finished) {
      for (let i = 0; i < 2000; i++) {
        const a = t.call(GETPID);
        const b = t.call(GETPPID);
        if (!whole(a, 4242)) bad.push(a);
        if (!whole(b, 4343)) bad.push(b);
        calls += 2;
      }
      await new Promise((r) => setImmediate(r));
    }
    const counts = await Promise.all(done);
    expect(bad).toEqual([]);
    expect(counts.every((c) => c.n > 10)).toBe(true);
    expect(calls).toBeGreaterThan(1000);
    t.verify();
  });

  it('an entry damaged while a slot points at it (odd: never so by design) injects nothing and hangs no call; inject() points the slot elsewhere', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t, { sink: () => {}, lines });
    tr.inject('getpid:error=EPERM');
    expect(t.call(GETPID)).toBe(-1);
    // The entry getpid points at, its version made odd (control word: header 8 words, one per slot; entry: 12 words, version third).
    const s = (tr as unknown as { s: { words: Int32Array; entries: Int32Array } }).s;
    const entry = (Atomics.load(s.words, 8 + GETPID) >>> 8) & 0xffff;
    Atomics.add(s.entries, entry * 12 + 2, 1);
    expect(t.call(GETPID)).toBe(4242);
    tr.inject('getpid:error=EACCES');
    expect(t.call(GETPID)).toBe(-13);
    t.verify();
  });
});

