// CLI: rv64 [--trace] [--stats] [--dispatch=systab|switch] [--mem=MiB] program [args...]
import { readFileSync, writeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './emulator.js';
import { formatStats, startStats, startTrace } from './trace.js';

const USAGE = `usage: rv64 [--trace[=FILE]] [--trace-strsize=N] [--stats] [--dispatch=systab|switch] [--mem=MiB] [--perf] program [args...]
Runs a static riscv64 Linux program; every ecall goes through a systab table.
  --trace        one line per system call on stderr, as strace prints it
  --trace=FILE   the same, into FILE
  --trace-strsize=N  bytes of each buffer shown before ... (strace -s; default 32)
  --stats        calls per name and missing calls at exit, on stderr
  --dispatch     systab (default) or switch (a plain switch, for the benchmark)
  --mem          guest memory in MiB (default 1024)
  --perf         instructions and instructions/second at exit, on stderr
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
  let trace: string | null = null, strSize: number | undefined, stats = false, perf = false, dispatch: 'systab' | 'switch' = 'systab', mem = 1024;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('--'); i++) {
    const [k, v] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (k === '--trace') trace = v ?? '';
    else if (k === '--stats') stats = true;
    else if (k === '--trace-strsize' && v && Number.isInteger(Number(v)) && Number(v) >= 0) strSize = Number(v);
    else if (k === '--perf') perf = true;
    else if (k === '--dispatch' && (v === 'systab' || v === 'switch')) dispatch = v;
    else if (k === '--mem' && v && Number(v) > 0) mem = Number(v);
    else if (k === '--') { i++; break; }
    else { process.stderr.write(`rv64: bad option ${argv[i]}\n${USAGE}`); return 2; }
  }
  const program = argv[i];
  if (!program) { process.stderr.write(USAGE); return 2; }
  if (dispatch === 'switch' && (trace !== null || stats)) {
    process.stderr.write('rv64: --trace and --stats need systab (--dispatch=systab)\n');
    return 2;
  }
  let image: Uint8Array;
  try { image = readFileSync(program); } catch (e) {
    process.stderr.write(`rv64: cannot read ${program}: ${(e as Error).message}\n`);
    return 127;
  }
  const env = hostEnvironment();
  const traceFd = trace === null ? -1 : trace === '' ? 2 : openSync(trace, 'w');
  let traced: ReturnType<typeof startTrace> | undefined;
  const r = run({
    image, argv: [program, ...argv.slice(i + 1)], env, exe: resolve(program), dispatch,
    memoryBytes: mem * 1024 * 1024,
    onTable: (table, memory) => {
      if (trace !== null) traced = startTrace(table, memory, (line) => writeSync(traceFd, line), { strSize });
      if (stats) startStats(table);
    },
  });
  traced?.ended(r.exitCode, r.fault?.split(':')[0]);
  if (r.fault) process.stderr.write(`rv64: ${r.fault}\n`);
  if (stats && r.table) process.stderr.write(formatStats(r.table));
  if (perf) process.stderr.write(`rv64: ${r.instructions} instructions in ${r.seconds.toFixed(3)} s: ${(r.instructions / r.seconds / 1e6).toFixed(1)} M/s\n`);
  return r.exitCode;
}

process.exitCode = main(process.argv.slice(2));
