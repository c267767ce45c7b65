// Benchmark (reports, never asserts): guest instructions per second, and
// system calls per second on the million-call program, systab against the
// built-in switch dispatcher. Each run is a fresh process (so neither
// dispatcher's JIT state leaks into the other's); the two are interleaved,
// order alternating, and the table shows medians and the median of the
// per-round ratios. Times are the guest's run only (from --perf), not startup.
//
//   node examples/rv64/bench.mjs [--rounds=N]     (needs `npm run build` first)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildRv64 } from '../../scripts/build-examples.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);
const bundle = `${here}dist/rv64.mjs`;
await buildRv64(bundle);

function fixture(name) {
  const src = `${here}fixtures/${name}.c`, out = `${here}build/fixtures/${name}`;
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(`${here}build/fixtures`, { recursive: true });
    execFileSync('riscv64-linux-gnu-gcc', ['-static', '-O2', '-o', out, src, '-lm']);
  }
  return out;
}

function runOnce(dispatch, bin, args) {
  const r = spawnSync(process.execPath, [bundle, '--perf', `--dispatch=${dispatch}`, bin, ...args], { encoding: 'utf8' });
  const m = /rv64: (\d+) instructions in ([\d.]+) s/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${dispatch} ${bin} failed (${r.status}): ${r.stderr}`);
  return { instructions: Number(m[1]), seconds: Number(m[2]) };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

const workloads = [
  { name: 'compute (CPU-bound)', bin: fixture('compute'), args: ['1'], calls: 0 },
  { name: 'getpid-loop (1M syscalls)', bin: fixture('getpid-loop'), args: [], calls: 1_000_000 },
];

const rows = [];
for (const w of workloads) {
  const t = { systab: [], switch: [] }, ratios = [];
  runOnce('systab', w.bin, w.args); // warm the file cache
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['systab', 'switch'] : ['switch', 'systab'];
    const r = {};
    for (const d of order) r[d] = runOnce(d, w.bin, w.args);
    t.systab.push(r.systab); t.switch.push(r.switch);
    ratios.push(r.systab.seconds / r.switch.seconds);
  }
  const mips = (d) => median(t[d].map((x) => x.instructions / x.seconds / 1e6));
  const cps = (d) => median(t[d].map((x) => w.calls / x.seconds / 1e6));
  rows.push(`| ${w.name} | ${mips('systab').toFixed(1)} | ${mips('switch').toFixed(1)} | ${w.calls ? cps('systab').toFixed(2) : '-'} | ${w.calls ? cps('switch').toFixed(2) : '-'} | ${median(ratios).toFixed(3)}x |`);
  process.stderr.write(`${w.name}: done\n`);
}

// Threads: systab only (the switch has no table for a worker to attach to, so clone answers ENOSYS there).
{
  const bin = fixture('threads-calls'), calls = 200_000;
  runOnce('systab', bin, []);
  const t = [];
  for (let i = 0; i < rounds; i++) t.push(runOnce('systab', bin, []));
  const mips = median(t.map((x) => x.instructions / x.seconds / 1e6)), cps = median(t.map((x) => calls / x.seconds / 1e6));
  rows.push(`| 4 threads, 200k calls (half carried to the leader) | ${mips.toFixed(1)} | - | ${cps.toFixed(3)} | - | - |`);
  process.stderr.write('threads: done\n');
}

console.log(`rv64 benchmark: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${rounds} rounds, medians\n`);
console.log('| workload | M instr/s systab | M instr/s switch | M syscalls/s systab | M syscalls/s switch | time systab / switch (median of per-round ratios) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
