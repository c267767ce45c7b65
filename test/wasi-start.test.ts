// host.start(instance) runs a command with the shim and with node:wasi, each
// checked against the same implementation run directly (its own start()).
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI as NodeWASI } from 'node:wasi';
import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports, WasiExit } from 'systab/wasi';
import { fixture, runDirect, shim, TIMEOUT } from '../examples/wasi/harness.js';

it('with the shim given as { wasi }: host.start() binds it and returns proc_exit\'s code, as the shim run directly does', () => {
  const mod = fixture('exit');
  const g = { args: ['exit', '3'] };
  const direct = runDirect(mod, g);
  const s = shim(g);
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim', s.wasi.wasiImport, { wasi: s.wasi });
  const host = wasiImports(t);
  const code = host.start(new WebAssembly.Instance(mod, host.imports as never));
  expect(code).toBe(3);
  expect(code).toBe(direct.code);
  expect(s.stdout()).toBe('exit(3)\natexit ran\n');
  expect(s.stdout()).toBe(direct.stdout);
  // main returning 7: the shim's start returns it as the code
  const s7 = shim({ args: ['exit'] });
  const t7 = createTable({ abi, shared: false });
  loadWasi(t7, 'shim', s7.wasi.wasiImport, { wasi: s7.wasi });
  const h7 = wasiImports(t7);
  expect(h7.start(new WebAssembly.Instance(mod, h7.imports as never))).toBe(runDirect(mod, { args: ['exit'] }).code);
  t.verify();
}, TIMEOUT);

it('with the shim bound by hand: host.start() recognises the shim\'s WASIProcExit and returns its code', () => {
  const mod = fixture('exit');
  const s = shim({ args: ['exit', '5'] });
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim', s.wasi.wasiImport);
  const host = wasiImports(t);
  const inst = new WebAssembly.Instance(mod, host.imports as never);
  s.wasi.initialize(inst as never); // binds the shim's memory without running the command
  expect(host.start(inst)).toBe(5);
  expect(s.stdout()).toBe('exit(5)\natexit ran\n');
}, TIMEOUT);

it('a handler of one\'s own throwing WasiExit, over the shim: host.start() returns its code', () => {
  const mod = fixture('exit');
  const s = shim({ args: ['exit', '9'] });
  const t = createTable({ abi, shared: false });
  loadWasi(t, 'shim', s.wasi.wasiImport, { wasi: s.wasi, omit: ['proc_exit'] });
  t.load({ name: 'exit', handlers: { proc_exit: (code) => { throw new WasiExit(code + 100); } } });
  const host = wasiImports(t);
  expect(host.start(new WebAssembly.Instance(mod, host.imports as never))).toBe(109);
}, TIMEOUT);

/** Runs `mod` with node:wasi, its stdout to a file: through systab (host.start) or directly (wasi.start). */
function nodeRun(mod: WebAssembly.Module, args: string[], through: boolean) {
  const out = join(mkdtempSync(join(tmpdir(), 'systab-node-wasi-')), 'stdout');
  const fd = openSync(out, 'w');
  const w = new NodeWASI({ version: 'preview1', args, env: {}, stdout: fd, returnOnExit: true });
  let code: number;
  let stats;
  if (through) {
    const t = createTable({ abi, shared: false });
    t.hooks('*', { count: true });
    loadWasi(t, 'node', w.wasiImport as never, { wasi: w as never });
    const host = wasiImports(t);
    code = host.start(new WebAssembly.Instance(mod, host.imports as never));
    stats = t.stats();
    t.verify();
  } else {
    code = w.start(new WebAssembly.Instance(mod, { wasi_snapshot_preview1: w.wasiImport } as never)) as number;
  }
  closeSync(fd);
  return { code, stdout: readFileSync(out, 'utf8'), stats };
}

it('with node:wasi given as { wasi }: host.start() runs the guest with node:wasi\'s start and returns its exit code, as node:wasi directly', () => {
  const mod = fixture('exit');
  for (const args of [['exit', '4'], ['exit']]) {
    const direct = nodeRun(mod, args, false);
    const sys = nodeRun(mod, args, true);
    expect(sys.code).toBe(direct.code);
    expect(sys.stdout).toBe(direct.stdout);
  }
  const sys = nodeRun(mod, ['exit', '4'], true);
  expect(sys.code).toBe(4);
  expect(sys.stdout).toBe('exit(4)\natexit ran\n');
  expect(sys.stats!.calls.find((c) => c.name === 'proc_exit')).toMatchObject({ calls: 1 });
  expect(nodeRun(mod, ['exit'], true).code).toBe(7);
}, TIMEOUT);

it('node:wasi: hello through systab writes what node:wasi writes directly', () => {
  const mod = fixture('hello');
  const direct = nodeRun(mod, ['hello'], false);
  const sys = nodeRun(mod, ['hello'], true);
  expect(sys.stdout).toBe('hello, world\n2 + 3 = 5, systab, deadbeefcafe\n');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(direct.code);
}, TIMEOUT);

it('host.start() without _start, or of a non-instance, is a SystabError', () => {
  const t = createTable({ abi, shared: false });
  const host = wasiImports(t);
  expect(() => host.start({} as never)).toThrow('bind() takes a WebAssembly.Instance (got an object)');
  const empty = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
  expect(() => host.start(empty)).toThrow('the instance exports no _start function (is it a WASI command?)');
  t.verify();
});
