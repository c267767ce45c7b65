// stats() for a WASI program counts what the README's WASI section says:
// `calls` the calls a module answered, `enosys` those nobody had (not
// errors), `calls + enosys` what a wrapper counting every import sees, and
// `errors` every answered call with a nonzero errno or an exception, routine
// ones included (a path probe's noent, fd_prestat_get's badf past the last
// preopened directory, proc_exit, a thrown string answered nosys).
import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('file I/O: routine errnos are errors, and calls + enosys is what a wrapper counts', () => {
  const { direct, sys } = runBoth(fixture('fileio'), { files: { 'in.txt': 'a\nb\n' } });
  expect(statCounts(sys.stats)).toEqual(direct.calls);
  const by = Object.fromEntries(sys.stats.calls.map((c) => [c.name, c]));
  // unlink("/data/nope.txt"): noent.
  expect(by.path_unlink_file).toMatchObject({ calls: 1, errors: 1, enosys: 0 });
  // libc looks for preopened directories until badf: /data is fd 3, fd 4 is the badf.
  expect(by.fd_prestat_get).toMatchObject({ calls: direct.calls.fd_prestat_get, errors: 1 });
  expect(by.fd_read!.errors).toBe(0);
}, TIMEOUT);

it('a missing call is enosys, not an error; a thrown string answered nosys and proc_exit are answered calls with an error', () => {
  const nosys = () => 52;
  const { direct, sys } = runBoth(fixture('enosys'), {}, { omit: ['fd_advise'], patch: { fd_advise: nosys, sock_accept: nosys } });
  expect(statCounts(sys.stats)).toEqual(direct.calls);
  const by = Object.fromEntries(sys.stats.calls.map((c) => [c.name, c]));
  expect(by.fd_advise).toMatchObject({ calls: 0, errors: 0, enosys: 1 });
  // The shim throws a string for sockets: answered nosys by onThrow, counted as an answered call with an error.
  expect(by.sock_accept).toMatchObject({ calls: 1, errors: 1, enosys: 0 });
  const exit = runBoth(fixture('exit'), { args: ['exit', '3'] }).sys;
  expect(exit.stats.calls.find((c) => c.name === 'proc_exit')).toMatchObject({ calls: 1, errors: 1, enosys: 0 });
}, TIMEOUT);
