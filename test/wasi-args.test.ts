import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('args/env: the guest sees the same argv and environment through systab as directly', () => {
  const g = { args: ['args', 'one', 'two words', 'ünï'], env: ['HOME=/home/guest', 'LANG=C.UTF-8'] };
  const { direct, sys } = runBoth(fixture('args'), g);
  expect(sys.stdout).toBe('argc=4\nargv[0]=args\nargv[1]=one\nargv[2]=two words\nargv[3]=ünï\nenv HOME=/home/guest\nenv LANG=C.UTF-8\nHOME=/home/guest\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(direct.code);
  const counts = statCounts(sys.stats);
  expect(counts).toEqual(direct.calls);
  for (const name of ['args_sizes_get', 'args_get', 'environ_sizes_get', 'environ_get']) expect(counts[name]).toBe(1);
}, TIMEOUT);
