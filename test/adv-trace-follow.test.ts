// The adversary's follow mode (strace -f through the owner's sink): what the
// owner prints for other threads is printed later, from its drains (after
// its own calls, its quiescent points, a 50 ms timer, close()), where no
// caller waits for a sink's error.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { evalWorker } from './helpers/adv.js';

describe('a follow owner whose sink throws', () => {
  // The reader caught a sink's error for a call's line (print()'s catch for
  // damaged pieces) but not for its own notice of lost pieces, written from
  // the 50 ms timer: an uncaught exception, which ends a Node process. A
  // sink's error in close()'s final flush also left close() half done.
  it('never throws from the timer (the process lives), and the owner\'s calls and close() go on', () => {
    const script = fileURLToPath(new URL('./workers/adv-follow-sink-throws.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({ lines: expect.any(Number), ownCall: 'answered', closed: 'closed' });
    expect(JSON.parse(last).lines).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  });
});

describe('a follow ring across the 2^32 wrap of its cursors', () => {
  // A ring's cursors count bytes modulo 2^32 and a piece's place is
  // (cursor >>> 0) % size. For a size that does not divide 2^32 (264, which
  // follow.bytes took: "a multiple of 4") the place jumps at the wrap, the
  // pieces after it land over the first bytes of the ones before, and the
  // owner skips the ring as damaged: after 4 GiB through one ring, calls
  // were lost without the "lost" notice that a full ring gives. Sizes are
  // powers of two now.
  it('a size that does not divide 2^32 is refused', () => {
    const t = createTable({ abi });
    for (const bytes of [264, 300, 65532]) expect(() => traceTable(t, { sink: () => {}, follow: { bytes } })).toThrow(expect.objectContaining({ code: 'EBADSPEC', message: expect.stringMatching(/power of two/) }));
    t.close();
  });

  it('a ring whose cursors are where 4 GiB less a few bytes left them prints what one from 0 prints, lost pieces said', { timeout: 30000 }, async () => {
    const print = async (bytes: number, start: number) => {
      const t = createTable({ abi });
      const out: string[] = [];
      const tr = traceTable(t, { sink: (l) => out.push(l), follow: { bytes } });
      tr.select('getuid');
      const d = tr.describe();
      const w = await evalWorker(t);
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const done = w.run(
        `const f = new Int32Array(arg.flag);
         ctx.t.load({ name: 'w', handlers: { getuid: (i) => 100 + i } });
         ctx.state.tr = ctx.trace.attachTrace(ctx.t, arg.d);
         Atomics.store(f, 1, 1); Atomics.wait(f, 0, 0);
         for (let i = 0; i < 30; i++) ctx.t.call(102, i);
         Atomics.store(f, 1, 2); Atomics.notify(f, 1);
         return 1`,
        { d, flag: flag.buffer },
      );
      while (Atomics.load(flag, 1) === 0) await new Promise((r) => setTimeout(r, 5));
      const ring = new Int32Array(d.follow!, 16 + 1 * (16 + bytes), 4); // worker record 1's ring: head, tail
      Atomics.store(ring, 0, start);
      Atomics.store(ring, 1, start);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      Atomics.wait(flag, 1, 1, 5000); // this thread blocked: the worker fills its ring before any drain
      await done;
      tr.close();
      await w.worker.terminate();
      t.close();
      return out.join('');
    };
    const from0 = await print(256, 0);
    expect(from0).toMatch(/getuid\(\) += 100\n/);
    expect(from0).toMatch(/trace pieces of worker record 1 lost/);
    for (const back of [4, 12, 28, 60]) expect(await print(256, (2 ** 32 - back) | 0)).toBe(from0);
  });
});
