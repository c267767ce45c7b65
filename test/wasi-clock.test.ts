import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('clocks: realtime, monotonic and a 5 ms sleep behave the same through systab', () => {
  const { direct, sys } = runBoth(fixture('clock'), {});
  expect(sys.stdout).toBe('realtime after 2020: yes\nmonotonic went forward by at least 4 ms: yes\nclock_getres: 0\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(direct.code);
  const counts = statCounts(sys.stats);
  expect(counts).toEqual(direct.calls);
  expect(counts.clock_time_get).toBeGreaterThanOrEqual(3);
  expect(counts.poll_oneoff).toBe(1);
}, TIMEOUT);
