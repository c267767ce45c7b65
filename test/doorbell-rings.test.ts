// Every thread re-reads its cache of slot functions after its doorbell rings.
// A hook switch or missing-call policy that flips a bit of a slot word rings
// every doorbell once; a request that flips nothing (a switch already in that
// state, a policy that keeps the slot non-plain) rings none and re-reads nothing.
import { describe, expect, it, vi } from 'vitest';
import * as L from '../assembly/layout.js';
import { regions } from './helpers/regions.js';
import { ENOSYS, x86Table } from './helpers/systab.js';

describe('doorbells ring for slot words that change, only', () => {
  it('rings once per flip, never for a request that flips nothing', () => {
    const t = x86Table();
    t.load({ name: 'm', handlers: { getpid: () => 7 } });
    const r = regions(t);
    const bells = (): number[] => Array.from({ length: r.i32[L.H_MAXW]! }, (_, w) => Atomics.load(r.i32, r.workers + w * L.WR_WORDS + L.WR_WAKE));
    const changes = (): number => Atomics.load(r.i32, L.H_CHANGES);
    const rings = (f: () => void): void => {
      const [b, c] = [bells(), changes()];
      f();
      expect(bells()).toEqual(b.map((v) => v + 1));
      expect(changes()).toBeGreaterThan(c);
    };
    const quiet = (f: () => void): void => {
      const [b, c] = [bells(), changes()];
      f();
      expect(bells()).toEqual(b);
      expect(changes()).toBe(c);
    };
    const counted = (): number => t.stats().calls.find((s) => s.name === 'getpid')?.calls ?? 0;

    rings(() => t.hooks(['getpid'], { count: true }));
    quiet(() => t.hooks(['getpid'], { count: true }));
    quiet(() => t.hooks(['getpid'], {}));
    quiet(() => t.hooks(['getpid'], { enter: false, exit: false }));
    expect(t.call(39)).toBe(7);
    expect(counted()).toBe(1);
    rings(() => t.hooks(['getpid'], { count: false }));
    expect(t.call(39)).toBe(7);
    expect(counted()).toBe(1);

    rings(() => t.setMissing(['ptrace'], 'throw'));
    expect(() => t.call(101)).toThrow('linux-x86_64 call ptrace (101) is not implemented');
    // Still not plain ENOSYS: the slot word keeps its bit; the slow path reads the new policy.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    quiet(() => t.setMissing(['ptrace'], 'log-once'));
    expect(t.call(101)).toBe(ENOSYS);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    rings(() => t.setMissing(['ptrace'], 'enosys'));
    quiet(() => t.setMissing(['ptrace'], 'enosys'));
    expect(t.call(101)).toBe(ENOSYS);
    t.verify();
  });
});
