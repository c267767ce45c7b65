// CLI: rv64 [strace's options] [--stats] [--dispatch=systab|switch] [--mem=MiB] [--perf] program [args...]
import { readFileSync, writeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitQualifier } from 'systab/trace';
import { run } from './emulator.js';
import { isThreadWorker, runThreadWorker } from './thread-worker.js';
import { isProcWorker, runProcWorker } from './proc-worker.js';
import { parseMount } from './linux/mounts.js';
import type { Mount } from './linux/vfs.js';
import { formatStats, startStats, startTrace, type StraceOptions } from './trace.js';

const USAGE = `usage: rv64 [options] program [args...]
Runs a static riscv64 Linux program; every ecall goes through a systab table.
strace's options, with strace's meaning (lines on stderr unless -o):
  -e trace=SET, --trace=SET   trace the calls SET selects (strace's -e trace= grammar)
  -e inject=SPEC, --inject=SPEC, -e fault=SPEC, --fault=SPEC
                              tamper with calls (strace's grammar; counted per thread)
  -c, --summary-only          a table of calls, errors and times at exit, and no lines
  -C, --summary               lines and the table
  -S KEY, --summary-sort-by=KEY   the table's order: time, calls, errors, name, nothing
  -o FILE, --output=FILE      lines (and the table) into FILE
  -s N, --string-limit=N      bytes of each buffer shown before ... (default 32)
  -f, --follow-forks          accepted: every guest thread's calls are traced, [pid TID] before other threads' lines
  --trace                     every call (as -e trace=all)
Others:
  --stats        calls per name and missing calls at exit, on stderr
  --dispatch     systab (default) or switch (a plain switch, for the benchmark)
  --mem          guest memory in MiB (default 1024)
  --mount=HOST:GUEST[:rw]   the host directory HOST at GUEST in the guest (repeatable);
                 read-only (EROFS) unless :rw
  --cwd=DIR      the guest's working directory at start (default /)
  --perf         instructions and instructions/second at exit, on stderr
  --verify       once every guest thread has ended, check the table's shared layout (table.verify())
`;

/** The environment in the host's own order (as a kernel passes it), from /proc where there is one. */
function hostEnvironment(): string[] {
  try {
    return readFileSync('/proc/self/environ', 'utf8').split('\0').filter((e) => e !== '');
  } catch {
    return Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  }
}

function main(argv: string[]): number {
  const o: StraceOptions = { trace: [], inject: [], summary: 'off' };
  const mounts: Mount[] = [];
  let cwd: string | undefined;
  let tracing = false, output: string | undefined, stats = false, perf = false, verify = false, dispatch: 'systab' | 'switch' = 'systab', mem = 1024;
  const bad = (why: string): number => (process.stderr.write(`rv64: ${why}\n${USAGE}`), 2);
  const qualify = (arg: string): string | undefined => {
    const { qualifier, value } = splitQualifier(arg);
    if (qualifier === 'trace') o.trace.push(value);
    else if (qualifier === 'inject' || qualifier === 'fault') o.inject.push({ kind: qualifier, expr: value });
    else return `-e ${qualifier}= is not supported (trace=, inject= and fault= are)`;
    tracing = true;
    return undefined;
  };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const arg = argv[i]!;
    const [k, v] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const next = (): string | undefined => (v !== undefined ? v : argv[++i]);
    if (arg === '--') { i++; break; }
    if (k === '-e') { const e = argv[++i]; if (e === undefined) return bad('-e needs an expression'); const why = qualify(e); if (why) return bad(why); }
    else if (k === '--trace' || k === '--inject' || k === '--fault') { if (v === undefined && k === '--trace') qualify('trace=all'); else { const why = qualify(`${k.slice(2)}=${v ?? ''}`); if (why) return bad(why); } }
    else if (k === '-c' || k === '--summary-only') { o.summary = 'only'; tracing = true; }
    else if (k === '-C' || k === '--summary') { o.summary = 'also'; tracing = true; }
    else if (k === '-S' || k === '--summary-sort-by') { o.sort = next(); if (o.sort === undefined) return bad(`${k} needs a key`); }
    else if (k === '-o' || k === '--output') { output = next(); if (output === undefined) return bad(`${k} needs a file`); }
    else if (k === '-s' || k === '--string-limit' || k === '--trace-strsize') { const n = Number(next()); if (!Number.isInteger(n) || n < 0) return bad(`${k} needs a number of bytes`); o.strSize = n; }
    else if (k === '-f' || k === '--follow-forks') { /* every guest thread is traced already */ }
    else if (k === '--stats') stats = true;
    else if (k === '--perf') perf = true;
    else if (k === '--verify') verify = true;
    else if (k === '--dispatch' && (v === 'systab' || v === 'switch')) dispatch = v;
    else if (k === '--mem' && v && Number(v) > 0) mem = Number(v);
    else if (k === '--cwd') { cwd = next(); if (!cwd) return bad('--cwd needs a guest directory'); }
    else if (k === '--mount') { const m = parseMount(next() ?? ''); if (typeof m === 'string') return bad(m); mounts.push(m); }
    else return bad(`bad option ${arg}`);
  }
  // Options that shape lines or the table alone (-o, -s, -S) trace every call, as strace does.
  if (!tracing && (output !== undefined || o.strSize !== undefined || o.sort !== undefined)) tracing = true;
  if (tracing && o.summary !== 'only' && o.trace.length === 0 && o.inject.length > 0) o.trace.push('all');
  const program = argv[i];
  if (!program) { process.stderr.write(USAGE); return 2; }
  if (dispatch === 'switch' && (tracing || stats)) {
    process.stderr.write('rv64: tracing and --stats need systab (--dispatch=systab)\n');
    return 2;
  }
  let image: Uint8Array;
  try { image = readFileSync(program); } catch (e) {
    process.stderr.write(`rv64: cannot read ${program}: ${(e as Error).message}\n`);
    return 127;
  }
  const env = hostEnvironment();
  const traceFd = !tracing ? -1 : output === undefined ? 2 : openSync(output, 'w');
  let traced: ReturnType<typeof startTrace> | undefined;
  let r: ReturnType<typeof run>;
  try {
    r = run({
      image, argv: [program, ...argv.slice(i + 1)], env, exe: resolve(program), dispatch,
      memoryBytes: mem * 1024 * 1024, mounts, cwd,
      onTable: (table, memory) => {
        if (tracing) traced = startTrace(table, memory, (line) => writeSync(traceFd, line), o);
        if (stats) startStats(table);
        // Every guest thread's calls are traced (as strace -f; without -f too, for now).
        return traced && { desc: traced.describe(), fd: o.summary === 'only' ? -1 : traceFd, strSize: o.strSize };
      },
    });
  } catch (e) {
    // The setup's own complaints (a mount or --cwd that cannot be); anything else is a bug.
    if (e instanceof Error && e.message.startsWith('rv64: ')) { process.stderr.write(`${e.message}\n`); return 2; }
    throw e;
  }
  traced?.ended(r.exitCode, r.fault?.split(':')[0]);
  if (r.fault) process.stderr.write(`rv64: ${r.fault}\n`);
  if (stats && r.table) process.stderr.write(formatStats(r.table));
  if (perf) process.stderr.write(`rv64: ${r.instructions} instructions in ${r.seconds.toFixed(3)} s: ${(r.instructions / r.seconds / 1e6).toFixed(1)} M/s\n`);
  if (perf && r.processes && r.processes.forks > 0) process.stderr.write(`rv64: ${r.processes.forks} processes forked, on ${r.processes.workers} workers\n`);
  if (verify && r.table) {
    const t = r.table;
    // After the workers' exits have been seen (systab frees their records on those events).
    void r.ended.then(() => setImmediate(() => {
      try { t.verify(); process.stderr.write('rv64: table verified\n'); } catch (e) { process.stderr.write(`rv64: table broken: ${(e as Error).message}\n`); process.exitCode = 70; }
    }));
  }
  return r.exitCode;
}

// The same bundle is every guest thread's worker script (thread-worker.ts).
if (isThreadWorker()) runThreadWorker();
else if (isProcWorker()) runProcWorker();
else process.exitCode = main(process.argv.slice(2));
