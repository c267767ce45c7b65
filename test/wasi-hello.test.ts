import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('hello: printf through systab gives the direct run\'s output, exit code and WASI calls', () => {
  const { direct, sys } = runBoth(fixture('hello'), {});
  expect(sys.stdout).toBe('hello, world\n2 + 3 = 5, systab, deadbeefcafe\n');
  expect(sys.stderr).toBe('a line on stderr\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.stderr).toBe(direct.stderr);
  expect(sys.code).toBe(0);
  expect(sys.code).toBe(direct.code);
  expect(statCounts(sys.stats)).toEqual(direct.calls);
  expect(sys.stats.calls.find((c) => c.name === 'fd_write')!.calls).toBeGreaterThanOrEqual(2);
  expect(sys.stats.missing).toEqual([]);
}, TIMEOUT);
