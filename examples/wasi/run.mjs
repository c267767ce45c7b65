#!/usr/bin/env node
// Runs a wasm32-wasi command through a systab table: @bjorn3/browser_wasi_shim
// loaded as the module "shim", every WASI import a call by number.
//   node examples/wasi/run.mjs [--stats] [--trace] [--omit NAME,...] [--dir HOSTDIR] [--env K=V] prog.wasm [args...]
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import { createTable } from 'systab';
import { wasiImports, loadWasi, wasiArgs } from 'systab/wasi';
import { abi } from 'systab/abi/wasi-preview1';

const usage = 'usage: node examples/wasi/run.mjs [--stats] [--trace] [--omit NAME,...] [--dir HOSTDIR] [--env K=V] prog.wasm [args...]';
const opt = { stats: false, trace: false, omit: [], dir: undefined, env: [] };
const argv = process.argv.slice(2);
while (argv[0]?.startsWith('--')) {
  const a = argv.shift();
  if (a === '--stats') opt.stats = true;
  else if (a === '--trace') opt.trace = true;
  else if (a === '--omit') opt.omit.push(...(argv.shift() ?? '').split(',').filter(Boolean));
  else if (a === '--dir') opt.dir = argv.shift();
  else if (a === '--env') opt.env.push(argv.shift());
  else fail(`unknown option ${a}`);
}
if (argv.length === 0) fail('no program given');
const [wasmPath, ...args] = argv;
if (!existsSync(wasmPath)) fail(`no such file: ${wasmPath}`);
if (opt.dir !== undefined && !statSync(opt.dir, { throwIfNoEntry: false })?.isDirectory()) fail(`not a directory: ${opt.dir}`);

// The shim: stdin empty, stdout/stderr to ours, HOSTDIR copied into memory as /data (changes are not written back).
const fds = [
  new OpenFile(new File([])),
  new ConsoleStdout((b) => process.stdout.write(b)),
  new ConsoleStdout((b) => process.stderr.write(b)),
];
if (opt.dir !== undefined) fds.push(new PreopenDirectory('/data', readTree(opt.dir)));
const wasi = new WASI([basename(wasmPath), ...args], opt.env, fds, { debug: false });

const table = createTable({ abi, shared: false });
loadWasi(table, 'shim', wasi.wasiImport, { omit: opt.omit, wasi });
const host = wasiImports(table);
if (opt.stats) table.hooks('*', { count: true });
if (opt.trace) {
  // strace-like lines on stderr, from systab's hook slots: exact arguments from wasiArgs().
  const line = (nr, r) => `[systab] ${nameOf(nr)}(${(wasiArgs(nr) ?? []).map(String).join(', ')})${r === undefined ? '' : ` = ${r}${errnoName(r)}`}\n`;
  table.hooks('*', { exit: true });
  table.hooks(['proc_exit'], { enter: true, exit: false });
  table.onExit((nr, _args, r) => process.stderr.write(line(nr, r)));
  table.onEnter((nr) => void process.stderr.write(line(nr, undefined)));
}

const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), host.imports);
const code = host.start(instance);
if (opt.stats) printStats(table.stats());
process.exitCode = code;

function printStats(s) {
  const rows = s.calls.filter((c) => c.calls + c.enosys > 0).sort((a, b) => b.calls + b.enosys - (a.calls + a.enosys));
  const out = ['[systab] WASI calls:', '  calls  errors  nosys  name'];
  for (const c of rows) out.push(`  ${pad(c.calls, 5)}  ${pad(c.errors, 6)}  ${pad(c.enosys, 5)}  ${c.name}`);
  out.push(`[systab] missing: ${s.missing.length === 0 ? 'none' : s.missing.map((m) => `${m.name} x${m.count}`).join(', ')}`);
  process.stderr.write(out.join('\n') + '\n');
}

function nameOf(nr) {
  return Object.keys(abi.names).find((k) => abi.names[k] === nr) ?? String(nr);
}

function errnoName(r) {
  if (r === 0) return '';
  const name = Object.keys(abi.errno).find((k) => /^E[A-Z0-9]+$/.test(k) && abi.errno[k] === r);
  return name === undefined ? '' : ` ${name}`;
}

function pad(n, w) {
  return String(n).padStart(w);
}

function readTree(dir) {
  const m = new Map();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    m.set(name, statSync(p).isDirectory() ? new Directory(readTree(p)) : new File(readFileSync(p)));
  }
  return m;
}

function fail(msg) {
  console.error(`run.mjs: ${msg}\n${usage}`);
  process.exit(2);
}
