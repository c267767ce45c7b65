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

it('run.mjs --trace: one line per WASI call with exact arguments, and the exit code', () => {
  const r = run('--trace', wasm('exit'), '5');
  expect(r.stdout).toBe('exit(5)\natexit ran\n');
  expect(r.stderr).toMatch(/^\[systab\] args_sizes_get\(\d+, \d+\) = 0$/m);
  expect(r.stderr).toMatch(/^\[systab\] fd_write\(1, \d+, 2, \d+\) = 0$/m);
  expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('[systab] proc_exit(5)');
  expect(r.status).toBe(5);
}, TIMEOUT);

it('run.mjs --dir: a host directory becomes the preopened /data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systab-wasi-'));
  writeFileSync(join(dir, 'in.txt'), 'one\ntwo\n');
  const r = run('--dir', dir, wasm('fileio'));
  expect(r.stdout).toBe('read: one\nread: two\ntail: e\ntwo at 7\nout.txt: 21 bytes\nsub/moved.txt\nunlink missing: -1\n');
  expect(r.status).toBe(0);
}, TIMEOUT);
