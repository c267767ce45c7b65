import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fixture, TIMEOUT } from '../examples/wasi/harness.js';

// The CLI imports the WASI host from the built package (dist/), as a user would.
const run = (...args: string[]) => spawnSync(process.execPath, ['examples/wasi/run.mjs', ...args], { encoding: 'utf8' });
const wasm = (name: string) => (fixture(name), `examples/wasi/build/${name}.wasm`);

it('run.mjs --stats: the program\'s output, then WASI calls and missing ones from systab\'s counters', () => {
  const r = run('--stats', '--omit', 'fd_advise,sock_accept', wasm('enosys'));
  expect(r.stderr).not.toContain('does not export');
  expect(r.stdout).toBe('fd_advise: 52 (ENOSYS: carrying on without advice)\nsock_accept: 52 (ENOSYS: no sockets here)\nstill running\n');
  expect(r.stderr).toMatch(/^\s+3\s+0\s+0\s+fd_write$/m);
  expect(r.stderr).toContain('[systab] missing: fd_advise x1, sock_accept x1\n');
  expect(r.status).toBe(0);
}, TIMEOUT);

it('run.mjs --trace: strace\'s lines for every WASI call (witx names and types), and the exit code', () => {
  const r = run('--trace', wasm('exit'), '5');
  expect(r.stdout).toBe('exit(5)\natexit ran\n');
  expect(r.stderr).toMatch(/^args_sizes_get\(\[2\], \[\d+\]\) += 0$/m);
  expect(r.stderr).toMatch(/^fd_write\(1, \[\{"exit\(5", 6\}, \{"\)\\n", 2\}\], 2, 0x[0-9a-f]+\) = 0$/m);
  const end = r.stderr.trimEnd().split('\n').slice(-2);
  expect(end[0]).toMatch(/^proc_exit\(5\) += \?$/);
  expect(end[1]).toBe('+++ exited with 5 +++');
  expect(r.status).toBe(5);
}, TIMEOUT);

it('run.mjs takes strace\'s options: -e trace=, -e inject=, -c', () => {
  const t = run('-e', 'trace=fd_write', wasm('exit'), '5');
  expect(t.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('fd_write(') && !l.startsWith('+++'))).toEqual([]);
  // The first fd_write fails with badf (WASI's errno 8): the program's first line is lost.
  const i = run('-e', 'trace=none', '-e', 'inject=fd_write:error=EBADF:when=1', wasm('exit'), '5');
  expect(i.stdout).toBe('atexit ran\n');
  const c = run('-c', '-S', 'calls', wasm('exit'), '5');
  expect(c.stdout).toBe('exit(5)\natexit ran\n');
  expect(c.stderr).toMatch(/^% time +seconds +usecs\/call +calls +errors syscall$/m);
  expect(c.stderr).toMatch(/^.* 2 +fd_write$/m);
  expect(c.stderr).toMatch(/total$/m);
  expect(c.status).toBe(5);
}, TIMEOUT);

it('run.mjs --dir: a host directory becomes the preopened /data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systab-wasi-'));
  writeFileSync(join(dir, 'in.txt'), 'one\ntwo\n');
  const r = run('--dir', dir, wasm('fileio'));
  expect(r.stdout).toBe('read: one\nread: two\ntail: e\ntwo at 7\nout.txt: 21 bytes\nsub/moved.txt\nunlink missing: -1\n');
  expect(r.status).toBe(0);
}, TIMEOUT);
