import { expect, it } from 'vitest';
import { fixture, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

it('file I/O on the shim\'s in-memory /data: same output, same files left, same calls', () => {
  const g = { files: { 'in.txt': 'first line\nsecond line\nthe end\n' } };
  const { direct, sys } = runBoth(fixture('fileio'), g);
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.stdout).toContain('read: second line\n');
  expect(sys.stdout).toContain('tail: e end at 30\n');
  expect(sys.stdout).toContain('out.txt: 21 bytes\nsub/moved.txt\nunlink missing: -1\n');
  expect(sys.code).toBe(0);
  expect(sys.code).toBe(direct.code);
  expect(sys.files).toEqual(direct.files);
  expect(sys.files['sub/moved.txt']).toBe('line 0\nline 1\nline 2\n');
  const counts = statCounts(sys.stats);
  expect(counts).toEqual(direct.calls);
  // path_open has nine parameters and fd_seek an i64 offset: both went through the table.
  expect(counts.path_open).toBeGreaterThanOrEqual(3);
  expect(counts.fd_seek).toBeGreaterThanOrEqual(1);
}, TIMEOUT);
