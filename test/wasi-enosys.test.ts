import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('calls the loaded module lacks answer nosys (52), and the program carries on', () => {
  const nosys = () => 52;
  // Directly: a host whose fd_advise and sock_accept say nosys. Through systab: the shim loaded without them.
  const { direct, sys } = runBoth(fixture('enosys'), {}, { omit: ['fd_advise', 'sock_accept'], patch: { fd_advise: nosys, sock_accept: nosys } });
  expect(sys.stdout).toBe('fd_advise: 52 (ENOSYS: carrying on without advice)\nsock_accept: 52 (ENOSYS: no sockets here)\nstill running\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(0);
  expect(statCounts(sys.stats)).toEqual(direct.calls);
  expect(sys.stats.missing.map((m) => [m.name, m.count])).toEqual([['fd_advise', 1], ['sock_accept', 1]]);
}, TIMEOUT);
