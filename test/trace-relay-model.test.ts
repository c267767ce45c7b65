// The follow relay is transparent: pieces of several threads written into
// their rings, drained at any moments, print exactly what one interleaver
// fed the same pieces in the same order prints (fast-check against that
// model), as long as no ring is full; with small rings, what is printed is
// still well formed and every loss is said.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterleaver } from '../src/trace/interleave.js';
import { createRelay, relayExited, relayReader, relayWriter } from '../src/trace/relay.js';

const ENTER = 1, EXIT = 2;
type Op = { t: number; kind: 'call' | 'drain' | 'exited'; name: string; arg: number };
const op = fc.record({ t: fc.integer({ min: 0, max: 2 }), kind: fc.constantFrom('call', 'call', 'call', 'drain', 'exited'), name: fc.constantFrom('read', 'write', 'getpid', 'ünïcode_call'), arg: fc.integer({ min: 0, max: 1e6 }) }) as fc.Arbitrary<Op>;

/** Each thread's calls as entry and exit pieces, split so that calls of different threads overlap. */
function run(ops: Op[], bytes: number) {
  const buf = createRelay(3, bytes, true);
  const put = [0, 1, 2].map((me) => relayWriter(buf, me));
  const got: string[] = [];
  const reader = relayReader(buf, (l) => got.push(l), 'pid', 40);
  const want: string[] = [];
  const model = createInterleaver({ write: (l) => want.push(`${l}\n`), prefix: 'pid' });
  const open = new Map<number, string>();
  const pieces: (() => void)[] = [];
  for (const o of ops) {
    const tid = 100 + o.t;
    if (o.kind === 'drain') {
      pieces.push(() => reader.drain(false));
      continue;
    }
    if (o.kind === 'exited') {
      if (open.has(tid)) continue;
      pieces.push(() => {
        relayExited(put[o.t]!, tid, o.arg % 256);
        model.exited(tid, o.arg % 256);
      });
      continue;
    }
    const name = open.get(tid);
    if (name === undefined) {
      open.set(tid, o.name);
      const text = `${o.name}(${o.arg}, `;
      pieces.push(() => {
        put[o.t]!(ENTER, tid, `${o.name}\u0001${text}`);
        model.enter(tid, { nr: -1, name: o.name, text });
      });
    } else {
      open.delete(tid);
      const rest = `"${'x'.repeat(o.arg % 40)}")`, ret = `= ${o.arg % 7}`;
      pieces.push(() => {
        put[o.t]!(EXIT, tid, `${rest}\u0001${ret}`);
        model.exit(tid, { rest, ret });
      });
    }
  }
  for (const p of pieces) p();
  reader.drain(true);
  model.flush();
  return { got, want };
}

describe('the follow relay against one interleaver', () => {
  it('prints what the interleaver prints, drained at any moments (rings large enough)', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const { got, want } = run(ops, 1 << 16);
      expect(got).toEqual(want);
    }), { numRuns: 300 });
  });

  it('small rings: every line is one the interleaver could print or a loss notice, never a throw', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const { got } = run(ops, 256);
      for (const l of got) expect(l).toMatch(/^(1\d\d {3}.*|systab: \d+ trace pieces of worker record \d lost .*)\n$/s);
    }), { numRuns: 200 });
  });
});
