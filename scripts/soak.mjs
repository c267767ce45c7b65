// Soak: runs the Node torture (test/helpers/torture.js, as in
// test/torture-node.test.ts) again and again with random seeds for a while,
// printing each seed and its report. A failing seed reproduces its change
// sequence (worker timing is the machine's):
//
//   npm run soak                         5 minutes of random seeds
//   npm run soak -- --minutes 30
//   npm run soak -- --seed 123456        one run of that seed
//   npm run soak -- --evict              evict() each terminated worker
//
// Exits 1 if any run failed. Needs a build (npm run soak builds first).
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { describeReport, runTorture } from '../test/helpers/torture.js';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const minutes = Number(opt('minutes') ?? 5);
const fixed = opt('seed');
const evict = args.includes('--evict') || process.env.EVICT === '1';
const quick = args.includes('--quick'); // shorter runs (fewer calls per seed)
const lockIndex = Number(/export const H_LOCK = (\d+)/.exec(readFileSync(new URL('../assembly/layout.ts', import.meta.url), 'utf8'))[1]);

function spawn(data) {
  const w = new Worker(new URL('../test/workers/torture-worker.mjs', import.meta.url), { workerData: data });
  const listeners = [];
  w.on('message', (m) => listeners.forEach((f) => f(m)));
  w.on('error', (e) => listeners.forEach((f) => f({ workerError: String(e?.stack ?? e) })));
  return { threadId: w.threadId, onMessage: (f) => listeners.push(f), onExit: (f) => w.once('exit', f), terminate: () => w.terminate() };
}

async function one(seed) {
  console.log(`soak: seed ${seed}${evict ? ' (evict)' : ''}`);
  const t = createTable({ abi, maxWorkers: 64, callTimeout: 3000 });
  const r = await runTorture({ t, seed, node: true, evict, platform: { spawn }, lockIndex, minChanges: quick ? 300 : 1200, minCalls: quick ? 200_000 : 1_200_000, minMs: quick ? 0 : 10_000, maxMs: 90_000, log: console.log });
  const failed = Object.keys(r.failures).length > 0 || r.changes < (quick ? 300 : 1000);
  console.log(describeReport(r));
  console.log(failed ? `soak: seed ${seed} FAILED (reproduce: npm run soak -- --seed ${seed}${evict ? ' --evict' : ''})` : `soak: seed ${seed} ok`);
  return failed;
}

const bad = [];
if (fixed !== undefined) {
  if (await one(Number(fixed))) bad.push(Number(fixed));
} else {
  const end = Date.now() + minutes * 60_000;
  let runs = 0;
  while (Date.now() < end) {
    const seed = (Math.random() * 2 ** 31) >>> 0;
    runs++;
    if (await one(seed)) bad.push(seed);
  }
  console.log(`soak: ${runs} runs in ${minutes} min, ${bad.length} failed${bad.length > 0 ? `: seeds ${bad.join(' ')}` : ''}`);
}
process.exit(bad.length > 0 ? 1 : 0);
