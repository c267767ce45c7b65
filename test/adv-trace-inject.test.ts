// The adversary's inject when= across threads. The README: "An injection
// counts calls per thread (strace counts per tracee), each number on its
// own, from 1 again whenever its injection changes." Two workers and the
// main thread call at once; each thread's answers must follow its own count.
import { afterEach, describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { evalWorker, type EvalWorker } from './helpers/adv.js';

const GETPID = 39;
let workers: EvalWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.worker.terminate()));
  workers = [];
});

/** strace's when=2+3: the 2nd call, then every 3rd after it. */
const expected = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from).map((k) => (k >= 2 && (k - 2) % 3 === 0 ? -1 : 42));

describe('when= counts per thread', () => {
  it('three threads calling at once each see their own 2nd, 5th, 8th ... call fail; a new injection starts every count again', { timeout: 20000 }, async () => {
    const t = createTable({ abi });
    t.load({ name: 'io', handlers: { getpid: () => 42 } });
    const tr = traceTable(t, {});
    tr.inject('getpid:error=EPERM:when=2+3');
    const ws = [await evalWorker(t), await evalWorker(t)];
    workers.push(...ws);
    for (const w of ws) await w.run('ctx.state.tr = ctx.trace.attachTrace(ctx.t, arg)', tr.describe());
    const go = new Int32Array(new SharedArrayBuffer(4));
    const runs = ws.map((w) => w.run<number[]>(`const g = new Int32Array(arg); while (Atomics.load(g, 0) === 0); const out = []; for (let i = 0; i < 400; i++) out.push(ctx.t.call(${GETPID})); return out;`, go.buffer));
    Atomics.store(go, 0, 1);
    const mine: number[] = [];
    for (let i = 0; i < 400; i++) mine.push(t.call(GETPID) as number);
    for (const got of [mine, ...(await Promise.all(runs))]) expect(got).toEqual(expected(400));
    // The same expression again: a new injection, so every thread counts from 1.
    tr.inject('getpid:error=EPERM:when=2+3');
    const again = ws.map((w) => w.run<number[]>(`const out = []; for (let i = 0; i < 7; i++) out.push(ctx.t.call(${GETPID})); return out;`));
    expect(Array.from({ length: 7 }, () => t.call(GETPID))).toEqual(expected(7));
    for (const got of await Promise.all(again)) expect(got).toEqual(expected(7));
    t.verify();
  });
});
