// setMissing(): what a missing call does, per number: 'enosys' (default),
// 'throw', 'log-once', or a function whose result is the answer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';

afterEach(() => vi.restoreAllMocks());

describe('missing-call policy', () => {
  it("'throw' throws ENOSYS for the numbers named, others still answer ENOSYS", () => {
    const t = x86Table();
    t.setMissing(['write'], 'throw');
    expectSystabError(() => t.call(1), 'ENOSYS', 'linux-x86_64 call write (1) is not implemented');
    expectSystabError(() => t.call64(1), 'ENOSYS', 'linux-x86_64 call write (1) is not implemented');
    t.verify();
    expect(t.call(0)).toBe(-38);
    t.setMissing(['write'], 'enosys');
    expect(t.call(1)).toBe(-38);
    t.verify();
  });

  it('a policy does not touch implemented numbers, and applies again after unload', async () => {
    const t = x86Table();
    t.setMissing(['write'], 'throw');
    const m = t.load({ name: 'io', handlers: { write: () => 1 } });
    expect(t.call(1)).toBe(1);
    await m.unload();
    expectSystabError(() => t.call(1), 'ENOSYS', 'linux-x86_64 call write (1) is not implemented');
  });

  it('a policy applies to reserved stubs', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    t.setMissing(['socket'], 'throw');
    expectSystabError(() => t.call(41), 'ENOSYS', 'linux-x86_64 call socket (41) is not implemented');
    t.verify();
  });

  it("'log-once' warns once per number and answers ENOSYS", () => {
    const t = x86Table();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    t.setMissing(['write', 'read'], 'log-once');
    expect(t.call(1)).toBe(-38);
    expect(t.call(1)).toBe(-38);
    expect(t.call(0)).toBe(-38);
    expect(t.call(0)).toBe(-38);
    expect(warn.mock.calls).toEqual([
      ['systab: linux-x86_64 call write (1) is not implemented; returning ENOSYS (-38)'],
      ['systab: linux-x86_64 call read (0) is not implemented; returning ENOSYS (-38)'],
    ]);
    t.verify();
  });

  it('a function answers with its result and gets the number and arguments', () => {
    const t = x86Table();
    const seen: unknown[] = [];
    t.setMissing(['write'], (nr, args) => (seen.push([nr, [...args]]), -1));
    expect(t.call(1, 7, 8)).toBe(-1);
    expect(seen).toEqual([[1, [7, 8, 0, 0, 0, 0]]]);
    expect(t.call(0)).toBe(-38);
    t.verify();
  });

  it('each number keeps the function it was given', () => {
    const t = x86Table();
    t.setMissing(['read'], () => 100);
    t.setMissing(['write'], () => 200);
    expect(t.call(1)).toBe(200);
    expect(t.call(0)).toBe(100);
  });

  it("'*' covers every number and the out-of-range ones", () => {
    const t = x86Table();
    t.setMissing('*', 'throw');
    expectSystabError(() => t.call(3), 'ENOSYS', 'linux-x86_64 call close (3) is not implemented');
    expectSystabError(() => t.call(1000), 'ENOSYS', 'linux-x86_64 call 1000 is not implemented');
    expectSystabError(() => t.call(-1), 'ENOSYS', 'linux-x86_64 call -1 is not implemented');
    t.verify();
    t.setMissing('*', (nr) => nr * 2);
    expect(t.call(1000)).toBe(2000);
    expect(t.call(3)).toBe(6);
    t.setMissing('*', 'enosys');
    expect(t.call(1000)).toBe(-38);
    expect(t.call(3)).toBe(-38);
    t.verify();
  });

  it("'log-once' on out-of-range numbers warns once", () => {
    const t = x86Table();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    t.setMissing('*', 'log-once');
    expect(t.call(1000)).toBe(-38);
    expect(t.call(2000)).toBe(-38);
    expect(warn.mock.calls).toEqual([['systab: linux-x86_64 call 1000 is out of range; returning ENOSYS (-38)']]);
  });

  it('a bad policy is EBADSPEC and changes nothing', () => {
    const t = x86Table();
    const setMissing = t.setMissing as (targets: unknown, p: unknown) => void;
    expectSystabError(() => setMissing.call(t, ['write'], 'nope'), 'EBADSPEC', `missing-call policy must be 'enosys', 'throw', 'log-once' or a function (got "nope")`);
    expectSystabError(() => setMissing.call(t, ['write'], null), 'EBADSPEC', `missing-call policy must be 'enosys', 'throw', 'log-once' or a function (got null)`);
    expectSystabError(() => setMissing.call(t, 'write', 'throw'), 'EBADSPEC', `setMissing() takes an array of call names or numbers, or '*' (got "write")`);
    expectSystabError(() => setMissing.call(t, ['nope'], 'throw'), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    t.verify();
    expect(t.call(1)).toBe(-38);
  });

  it('missing calls count as ENOSYS hits under every policy while counting is on', () => {
    const t = x86Table();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    t.setMissing('*', (nr) => nr); // first: '*' sets every number too; out-of-range ones keep this trap
    t.setMissing(['read'], 'throw');
    t.setMissing(['write'], 'log-once');
    t.setMissing(['open'], () => 0);
    const calls = (): void => {
      expect(() => t.call(0)).toThrow();
      expect(t.call(1)).toBe(-38);
      expect(t.call(2)).toBe(0);
      expect(t.call(1000)).toBe(1000);
    };
    calls();
    expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 });
    t.hooks(['read', 'write', 'open'], { count: true });
    calls();
    expect(t.stats().missing).toEqual([
      { nr: 0, name: 'read', count: 1 },
      { nr: 1, name: 'write', count: 1 },
      { nr: 2, name: 'open', count: 1 },
    ]);
    expect(t.stats().outOfRange).toBe(0); // a list of numbers leaves out-of-range ones uncounted
    t.hooks('*', { count: true });
    calls();
    expect(t.stats().missing.map((m) => m.count)).toEqual([2, 2, 2]);
    expect(t.stats().outOfRange).toBe(1);
    t.hooks('*', { count: false });
    calls();
    expect(t.stats().missing.map((m) => m.count)).toEqual([2, 2, 2]);
    expect(t.stats().outOfRange).toBe(1);
    t.verify();
  });
});
