// A function of the implementation that throws: by default a thrown string
// (the shim's sockets) answers nosys (52), which the guest handles; Errors and
// other values pass through; onThrow chooses otherwise.
import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports, type WasiModuleOptions } from 'systab/wasi';
import { fixture, runDirect, shim, TIMEOUT } from '../examples/wasi/harness.js';

function run(options: WasiModuleOptions, counting: boolean) {
  const s = shim({});
  const t = createTable({ abi, shared: false });
  if (counting) t.hooks('*', { count: true });
  loadWasi(t, 'shim', s.wasi.wasiImport, { wasi: s.wasi, ...options });
  const host = wasiImports(t);
  const code = host.start(new WebAssembly.Instance(fixture('enosys'), host.imports as never));
  t.verify();
  return { code, stdout: s.stdout(), stats: t.stats() };
}

it('the shim\'s sock_accept throws "sockets not supported": directly the program dies; through systab it gets 52 and carries on, as with a sock_accept answering 52', () => {
  const mod = fixture('enosys');
  expect(() => runDirect(mod, {})).toThrow('sockets not supported');
  const oracle = runDirect(mod, {}, { sock_accept: () => 52 });
  for (const counting of [false, true]) {
    const sys = run({}, counting);
    expect(sys.stdout).toBe('fd_advise: 0\nsock_accept: 52 (ENOSYS: no sockets here)\nstill running\n');
    expect(sys.stdout).toBe(oracle.stdout);
    expect(sys.code).toBe(0);
    if (counting) expect(sys.stats.calls.find((c) => c.name === 'sock_accept')).toMatchObject({ calls: 1, errors: 1, enosys: 0 });
  }
}, TIMEOUT);

it('onThrow: \'rethrow\' lets the string through; a function answers its errno, and undefined rethrows', () => {
  for (const counting of [false, true]) {
    expect(() => run({ onThrow: 'rethrow' }, counting)).toThrow('sockets not supported');
    const seen: unknown[] = [];
    const sys = run({ onThrow: (e, name) => (seen.push([e, name]), 58) }, counting);
    expect(sys.stdout).toBe('fd_advise: 0\nsock_accept: 58\nstill running\n');
    expect(seen).toEqual([['sockets not supported', 'sock_accept']]);
    expect(() => run({ onThrow: () => undefined }, counting)).toThrow('sockets not supported');
    expect(() => run({ onThrow: () => 'x' as never }, counting)).toThrow('onThrow for sock_accept returned "x"; it returns a WASI errno (an integer 0-65535) or undefined');
  }
}, TIMEOUT);

it('an Error thrown by the implementation passes through by default, the table intact, counted as an error', () => {
  for (const counting of [false, true]) {
    const t = createTable({ abi, shared: false });
    if (counting) t.hooks('*', { count: true });
    loadWasi(t, 'buggy', { fd_sync: () => { throw new TypeError('bug'); }, sched_yield: () => { throw Symbol.for('exit'); } });
    const fns = wasiImports(t).imports.wasi_snapshot_preview1;
    expect(() => fns.fd_sync!(3)).toThrow(TypeError);
    expect(() => fns.sched_yield!()).toThrow();
    if (counting) expect(t.stats().calls.map((c) => [c.name, c.calls, c.errors])).toEqual([['fd_sync', 1, 1], ['sched_yield', 1, 1]]);
    t.verify();
  }
});
