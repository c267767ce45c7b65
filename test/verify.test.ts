// verify() passes on every legitimate state and names the first broken
// invariant (ELAYOUT) when the shared memory is damaged.
import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.js';
import { expectSystabError, x86Table } from './helpers/systab.js';
import { regions } from './helpers/regions.js';

const MAXH = 64;

/** Damages one word, checks verify's sentence, puts the word back and checks it passes again. */
function corrupt(t: ReturnType<typeof x86Table>, word: number, value: number, message: string): void {
  const { i32 } = regions(t);
  const saved = i32[word]!;
  i32[word] = value;
  expectSystabError(() => t.verify(), 'ELAYOUT', message);
  i32[word] = saved;
  t.verify();
}

describe('verify', () => {
  it('passes on every legitimate state', async () => {
    const t = x86Table({ maxHandlers: MAXH });
    t.verify();
    const a = t.load({ name: 'a', handlers: { read: () => 1, write: () => 2 } });
    t.verify();
    const w = t.load({ name: 'w', wraps: { write: (b) => b } });
    t.verify();
    t.reserve('net', ['socket', 'connect']);
    t.verify();
    const net = t.load({ name: 'net', handlers: { socket: () => 3 } });
    t.verify();
    t.hooks('*', { count: true, enter: true, exit: true });
    t.setMissing(['open'], 'log-once');
    t.setMissing(['close'], () => 0);
    t.setMissing(['stat'], 'throw');
    t.verify();
    const a2 = t.load({ name: 'a', handlers: { write: () => 20 }, replace: true });
    t.verify();
    await a2.drained;
    t.verify();
    await a.unload().catch(() => {});
    await w.unload();
    t.verify();
    await net.unload();
    t.verify();
    t.release('net');
    t.verify();
    await a2.unload();
    t.hooks('*', { count: false, enter: false, exit: false });
    t.verify();
  });

  it('a slot holding a handler id beyond the records', () => {
    const t = x86Table({ maxHandlers: MAXH });
    const { slots } = regions(t);
    corrupt(t, slots + 1, MAXH, 'verify: slot write (1) holds a handler id beyond the handler records');
    corrupt(t, slots + 400, L.ID_MASK, 'verify: slot 400 holds a handler id beyond the handler records');
  });

  it('a slot pointing to a handler that is not live', () => {
    const t = x86Table({ maxHandlers: MAXH });
    const { slots } = regions(t);
    corrupt(t, slots + 1, 5, 'verify: slot write (1) points to a handler that is not live on that slot');
  });

  it('a slot pointing to a live handler of another slot', () => {
    const t = x86Table({ maxHandlers: MAXH });
    t.load({ name: 'a', handlers: { read: () => 1 } });
    const { slots, i32 } = regions(t);
    const id = i32[slots + 0]! & L.ID_MASK;
    corrupt(t, slots + 1, id, 'verify: slot write (1) points to a handler that is not live on that slot');
  });

  it('stray bits in a slot word', () => {
    const t = x86Table({ maxHandlers: MAXH });
    t.load({ name: 'a', handlers: { write: () => 1 } });
    const { slots, i32 } = regions(t);
    corrupt(t, slots + 0, L.SLOW, 'verify: slot read (0) has bits that do not match its handler or policy');
    corrupt(t, slots + 1, i32[slots + 1]! | L.SLOW, 'verify: slot write (1) has bits that do not match its handler or policy');
  });

  it('an unknown missing-call policy', () => {
    const t = x86Table({ maxHandlers: MAXH });
    const { slots } = regions(t);
    // The policy lives in the slot word's policy bits; 5..7 name none.
    corrupt(t, slots + 2, 7 << L.POLICY_SHIFT, 'verify: slot open (2) has an unknown missing-call policy');
    corrupt(t, slots + 2, 5 << L.POLICY_SHIFT, 'verify: slot open (2) has an unknown missing-call policy');
  });

  it('a damaged handler record', () => {
    const t = x86Table({ maxHandlers: MAXH });
    t.load({ name: 'a', handlers: { read: () => 1 } });
    t.load({ name: 'w', wraps: { read: (b) => b } });
    const { slots, handlers, i32 } = regions(t);
    const top = i32[slots]! & L.ID_MASK;
    const under = i32[handlers + top * L.HR_WORDS + L.HR_BELOW]!;
    expect(under).not.toBe(0);
    const rec = (id: number, field: number) => handlers + id * L.HR_WORDS + field;
    corrupt(t, rec(under, L.HR_BELOW), under, `verify: handler ${under} sits over a handler that is not live on its slot`);
    corrupt(t, rec(under, L.HR_BELOW), MAXH + 3, `verify: handler ${under} sits over a handler that is not live on its slot`);
    corrupt(t, rec(under, L.HR_BELOW), 40, `verify: handler ${under} sits over a handler that is not live on its slot`);
    corrupt(t, rec(top, L.HR_KIND), 0, `verify: handler ${top} has a bad state, kind, slot or home`);
    corrupt(t, rec(under, L.HR_STATE), 9, `verify: handler ${top} sits over a handler that is not live on its slot`);
    corrupt(t, rec(under, L.HR_MODULE), 0, `verify: handler ${under} belongs to no module`);
    // The wrap dropped its link: the handler under it is live but referenced by nothing.
    corrupt(t, rec(top, L.HR_BELOW), 0, `verify: handler ${under} is live but not referenced exactly once`);
  });

  it('a damaged module record or header', () => {
    const t = x86Table({ maxHandlers: MAXH });
    t.load({ name: 'a', handlers: { read: () => 1 } });
    const { modules } = regions(t);
    corrupt(t, modules + 3 * L.MR_WORDS + L.MR_STATE, 7, 'verify: module record 3 is damaged');
    corrupt(t, modules + 0 * L.MR_WORDS + L.MR_STATE, L.MS_LIVE, 'verify: module record 0 is damaged');
    corrupt(t, L.H_MAGIC, 0, 'verify: the header is damaged (check 0)');
    corrupt(t, L.H_VERSION, L.LAYOUT_VERSION + 1, 'verify: the header is damaged (check 0)');
    corrupt(t, L.H_MAXH, 1, 'verify: the header is damaged (check 1)');
    corrupt(t, L.H_BYTES, 8, 'verify: the header is damaged (check 2)');
  });
});
