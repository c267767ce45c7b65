#!/usr/bin/env node
// Runs a wasm32-wasi command through a systab table: @bjorn3/browser_wasi_shim
// loaded as the module "shim", every WASI import a call by number.
//   node examples/wasi/run.mjs [strace's options] [--stats] [--omit NAME,...] [--dir HOSTDIR] [--env K=V] prog.wasm [args...]
import { existsSync, readFileSync, readdirSync, statSync, openSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import { createTable } from 'systab';
import { wasiImports, loadWasi } from 'systab/wasi';
import { exitedLine, splitQualifier, traceTable } from 'systab/trace';
import { abi } from 'systab/abi/wasi-preview1';

const usage = `usage: node examples/wasi/run.mjs [options] prog.wasm [args...]
strace's options, with strace's meaning (lines on stderr unless -o):
  -e trace=SET, --trace=SET; -e inject=SPEC, --inject=SPEC; -e fault=SPEC, --fault=SPEC
  -c (the table only), -C (lines and the table), -S KEY, -o FILE, -s N; --trace alone: every call
Others: --stats, --omit NAME,..., --dir HOSTDIR, --env K=V`;
const opt = { stats: false, omit: [], dir: undefined, env: [], trace: [], inject: [], summary: 'off', sort: undefined, output: undefined, strSize: undefined, tracing: false };
const argv = process.argv.slice(2);
const qualify = (arg) => {
  const { qualifier, value } = splitQualifier(arg);
  if (qualifier === 'trace') opt.trace.push(value);
  else if (qualifier === 'inject' || qualifier === 'fault') opt.inject.push({ kind: qualifier, expr: value });
  else fail(`-e ${qualifier}= is not supported (trace=, inject= and fault= are)`);
  opt.tracing = true;
};
while (argv[0]?.startsWith('-')) {
  const a = argv.shift();
  const [k, v] = a.split(/=(.*)/s, 2);
  const next = () => (v !== undefined ? v : argv.shift());
  if (a === '--') break;
  if (k === '-e') qualify(argv.shift() ?? fail('-e needs an expression'));
  else if (k === '--trace' || k === '--inject' || k === '--fault') qualify(v === undefined && k === '--trace' ? 'trace=all' : `${k.slice(2)}=${v ?? ''}`);
  else if (k === '-c' || k === '--summary-only') (opt.summary = 'only'), (opt.tracing = true);
  else if (k === '-C' || k === '--summary') (opt.summary = 'also'), (opt.tracing = true);
  else if (k === '-S' || k === '--summary-sort-by') opt.sort = next() ?? fail(`${k} needs a key`);
  else if (k === '-o' || k === '--output') (opt.output = next() ?? fail(`${k} needs a file`)), (opt.tracing = true);
  else if (k === '-s' || k === '--string-limit') (opt.strSize = Number(next())), (opt.tracing = true);
  else if (a === '--stats') opt.stats = true;
  else if (a === '--omit') opt.omit.push(...(argv.shift() ?? '').split(',').filter(Boolean));
  else if (a === '--dir') opt.dir = argv.shift();
  else if (a === '--env') opt.env.push(argv.shift());
  else fail(`unknown option ${a}`);
}
if (opt.strSize !== undefined && !(Number.isInteger(opt.strSize) && opt.strSize >= 0)) fail('-s needs a number of bytes');
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
let tr;
if (opt.tracing) {
  // strace's lines for WASI (witx names and types), guest memory read from the bound instance.
  const fd = opt.output === undefined ? 2 : openSync(opt.output, 'w');
  const write = (line) => writeSync(fd, line);
  const read = (addr, len) => {
    const b = new Uint8Array(host.memory().buffer);
    return addr >= 0 && addr + len <= b.length ? b.subarray(addr, addr + len) : null;
  };
  const lines = opt.summary !== 'only';
  tr = traceTable(table, lines ? { sink: write, format: { read, ...(opt.strSize !== undefined ? { strSize: opt.strSize } : {}) } } : {});
  tr.select(lines ? (opt.trace.at(-1) ?? 'all') : 'none');
  for (const i of opt.inject) (i.kind === 'inject' ? tr.inject(i.expr) : tr.fault(i.expr));
  if (opt.summary !== 'off') tr.summary(opt.trace.at(-1) ?? true);
  tr.end = (code) => {
    if (lines) write(`${exitedLine(code)}\n`);
    if (opt.summary !== 'off') write(tr.summaryTable(opt.sort !== undefined ? { sort: opt.sort } : {}));
    tr.close();
  };
}

const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), host.imports);
const code = host.start(instance);
tr?.end(code);
if (opt.stats) printStats(table.stats());
process.exitCode = code;

function printStats(s) {
  const rows = s.calls.filter((c) => c.calls + c.enosys > 0).sort((a, b) => b.calls + b.enosys - (a.calls + a.enosys));
  const out = ['[systab] WASI calls:', '  calls  errors  nosys  name'];
  for (const c of rows) out.push(`  ${pad(c.calls, 5)}  ${pad(c.errors, 6)}  ${pad(c.enosys, 5)}  ${c.name}`);
  out.push(`[systab] missing: ${s.missing.length === 0 ? 'none' : s.missing.map((m) => `${m.name} x${m.count}`).join(', ')}`);
  process.stderr.write(out.join('\n') + '\n');
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
