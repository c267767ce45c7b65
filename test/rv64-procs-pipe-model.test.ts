// The pipe (examples/rv64/src/linux/pipes.ts) against a reference model, a
// plain byte queue with reader and writer counts: random writes, reads and
// closes, blocking and not, and every answer must be the model's: the bytes
// read, short and atomic writes (PIPE_BUF), end of file once every writer
// closed, EPIPE once every reader did, EAGAIN with O_NONBLOCK, "would block"
// (carrying the kernel's generation) otherwise; every change moves the
// generation word that blocked callers wait on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockGen, isBlock, K_GEN, KernelWords } from '../examples/rv64/src/linux/answers.js';
import { Pipe, PIPE_BUF, PIPE_SIZE } from '../examples/rv64/src/linux/pipes.js';

const EAGAIN = -11, EPIPE = -32;

type Op =
  | { kind: 'write'; len: number; seed: number; nonblock: boolean }
  | { kind: 'read'; len: number; nonblock: boolean }
  | { kind: 'dupReader' } | { kind: 'dupWriter' } | { kind: 'closeReader' } | { kind: 'closeWriter' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), len: fc.oneof(fc.integer({ min: 0, max: PIPE_BUF + 10 }), fc.integer({ min: PIPE_BUF, max: 2 * PIPE_SIZE })), seed: fc.integer({ min: 0, max: 255 }), nonblock: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('read' as const), len: fc.oneof(fc.integer({ min: 0, max: 2 * PIPE_BUF }), fc.integer({ min: 0, max: 2 * PIPE_SIZE })), nonblock: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constantFrom<Op>({ kind: 'dupReader' }, { kind: 'dupWriter' }, { kind: 'closeReader' }, { kind: 'closeWriter' }) },
);

describe('rv64 pipes: the ring against a byte-queue model', () => {
  it('answers every sequence of writes, reads and closes as the model does', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const k = new KernelWords();
      const pipe = new Pipe(k);
      const r = pipe.end(false), w = pipe.end(true);
      const model = { q: [] as number[], readers: 1, writers: 1 };
      let next = 0;
      for (const o of ops) {
        const gen = Atomics.load(k.kw, K_GEN);
        if (o.kind === 'write') {
          if (model.writers === 0) continue; // no descriptor left to write with
          const src = Uint8Array.from({ length: o.len }, (_, i) => (o.seed + next + i) & 255);
          const room = PIPE_SIZE - model.q.length;
          const got = w.write(src, o.nonblock);
          let want: number;
          if (model.readers === 0) want = EPIPE;
          else if (o.len === 0) want = 0;
          else if (room === 0 || (o.len <= PIPE_BUF && room < o.len)) want = o.nonblock ? EAGAIN : NaN;
          else want = Math.min(room, o.len);
          if (Number.isNaN(want)) { expect(isBlock(got)).toBe(true); expect(blockGen(got)).toBe(gen); }
          else expect(got).toBe(want);
          if (want > 0) { model.q.push(...src.subarray(0, want)); next += want; expect(Atomics.load(k.kw, K_GEN)).not.toBe(gen); }
        } else if (o.kind === 'read') {
          if (model.readers === 0) continue;
          const dst = new Uint8Array(o.len);
          const got = r.read(dst, o.nonblock);
          if (o.len === 0) expect(got).toBe(0);
          else if (model.q.length > 0) {
            const n = Math.min(o.len, model.q.length);
            expect(got).toBe(n);
            expect([...dst.subarray(0, n)]).toEqual(model.q.splice(0, n));
          } else if (model.writers === 0) expect(got).toBe(0);
          else if (o.nonblock) expect(got).toBe(EAGAIN);
          else { expect(isBlock(got)).toBe(true); expect(blockGen(got)).toBe(gen); }
        } else if (o.kind === 'dupReader' && model.readers > 0) { pipe.readers++; model.readers++; }
        else if (o.kind === 'dupWriter' && model.writers > 0) { pipe.writers++; model.writers++; }
        else if (o.kind === 'closeReader' && model.readers > 0) { r.release(); model.readers--; expect(Atomics.load(k.kw, K_GEN)).not.toBe(gen); }
        else if (o.kind === 'closeWriter' && model.writers > 0) { w.release(); model.writers--; expect(Atomics.load(k.kw, K_GEN)).not.toBe(gen); }
        expect(pipe.len).toBe(model.q.length);
        expect(pipe.readyIn()).toBe(model.q.length > 0 || model.writers === 0);
      }
    }), { numRuns: 100 });
  });

  it('a write of at most PIPE_BUF bytes is all or nothing; a longer one fills what is left', () => {
    const k = new KernelWords();
    const pipe = new Pipe(k), w = pipe.end(true), r = pipe.end(false);
    expect(w.write(new Uint8Array(PIPE_SIZE - 100), false)).toBe(PIPE_SIZE - 100);
    expect(isBlock(w.write(new Uint8Array(200), false))).toBe(true);
    expect(w.write(new Uint8Array(200), true)).toBe(EAGAIN);
    expect(w.write(new Uint8Array(PIPE_BUF + 1), false)).toBe(100);
    expect(isBlock(w.write(new Uint8Array(1), false))).toBe(true);
    expect(r.read(new Uint8Array(10), false)).toBe(10);
    expect(w.write(new Uint8Array(10), false)).toBe(10);
    expect(pipe.readyOut()).toBe(false); // less than PIPE_BUF free: poll does not say writable
  });
});
