import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('exit(3): proc_exit\'s exception passes through systab and stops the program with code 3', () => {
  const { direct, sys } = runBoth(fixture('exit'), { args: ['exit', '3'] });
  expect(sys.stdout).toBe('exit(3)\natexit ran\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(3);
  expect(direct.code).toBe(3);
  expect(statCounts(sys.stats)).toEqual(direct.calls);
  expect(sys.stats.calls.find((c) => c.name === 'proc_exit')).toMatchObject({ calls: 1, errors: 1 });
}, TIMEOUT);

it('return 7 from main: the same exit code through systab as directly', () => {
  const { direct, sys } = runBoth(fixture('exit'), { args: ['exit'] });
  expect(sys.stdout).toBe('return 7\natexit ran\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(7);
  expect(direct.code).toBe(7);
  expect(statCounts(sys.stats)).toEqual(direct.calls);
}, TIMEOUT);
