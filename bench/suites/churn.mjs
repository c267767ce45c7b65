// churn: registration changes per second on one thread, and what churn in
// another worker costs the hot path of this one.
import { Worker } from 'node:worker_threads';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { compare, consume, fmtNs, printCompare, roundsFor, textTable } from '../harness.mjs';
import { mixedSequence } from '../lib/calls.mjs';
import { loadHandlers, tableLoop } from '../lib/contenders.mjs';
import { CTL, MODE } from '../workers/thread-roles.mjs';

export const title = 'churn: load/unload/replace rate; hot path while another worker churns';
const N = abi.names;

async function opsPerSecond(ci) {
  const t = createTable({ abi });
  loadHandlers(t); // a populated table, as in use
  const eight = ['getuid', 'getgid', 'geteuid', 'getegid', 'getppid', 'getpgrp', 'setsid', 'umask'];
  const spec = { name: 'churned', handlers: Object.fromEntries(eight.map((c, i) => [c, (a0) => (a0 + i) | 0])) };
  let replaced = t.load({ name: 'replaced', handlers: { uname: () => 0, sysinfo: () => 0, times: () => 0, getrusage: () => 0, getpriority: () => 0, setpriority: () => 0, sync: () => 0, acct: () => 0 } });
  const replaceSpec = { name: 'replaced', replace: true, handlers: { uname: () => 1, sysinfo: () => 1, times: () => 1, getrusage: () => 1, getpriority: () => 1, setpriority: () => 1, sync: () => 1, acct: () => 1 } };
  const contenders = [
    { name: 'load + unload, 8 handlers (2 ops)', calls: 2, async: true, fn: async () => { await t.load(spec).unload(); } },
    { name: 'replace, 8 handlers, drained awaited (1 op)', calls: 1, async: true, fn: async () => { replaced = t.load(replaceSpec); await replaced.drained; } },
    { name: 'hooks count on + off, 1 number (2 ops)', calls: 2, fn: () => { t.hooks(['read'], { count: true }); t.hooks(['read'], { count: false }); } },
    { name: 'reserve + release, 4 numbers (2 ops)', calls: 2, fn: () => { t.reserve('later', ['ptrace', 'mount', 'umount2', 'swapon']); t.release('later'); } },
  ];
  const results = await compare({ baseline: contenders[0].name, rounds: ci ? 3 : 5, time: ci ? 25 : 250, warmupTime: ci ? 10 : 50, contenders });
  t.verify();
  return results;
}

async function hotPathUnderChurn(ci) {
  const t = createTable({ abi });
  loadHandlers(t);
  const seq = mixedSequence(1000);
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  Atomics.store(ctl, CTL.MODE, MODE.IDLE);
  const w = new Worker(new URL('../workers/thread-roles.mjs', import.meta.url), {
    workerData: { role: 'churn', desc: t.describe(), ctl, nrs: { churn: [N.getuid, N.getgid, N.geteuid, N.getegid] } },
  });
  w.on('error', (e) => console.error(`churn worker: ${e.stack ?? e}`));
  while (Atomics.load(ctl, CTL.READY) !== 1) await new Promise((r) => setTimeout(r, 1));
  // The worker's unloads wait for this thread's quiescent points: poll while waiting for it.
  const setMode = (m) => {
    Atomics.store(ctl, CTL.MODE, m);
    Atomics.notify(ctl, CTL.MODE);
    while (Atomics.load(ctl, CTL.ACK) !== m) t.poll();
  };
  let ops = 0;
  let ms = 0;
  let start = 0;
  let ops0 = 0;
  const contenders = [
    { name: 'no churn', fn: tableLoop(t, seq), beforeAll: () => setMode(MODE.IDLE) },
    {
      name: 'a worker loading + unloading flat out',
      fn: tableLoop(t, seq),
      beforeAll: () => {
        setMode(MODE.BUSY);
        ops0 = Atomics.load(ctl, CTL.OPS);
        start = performance.now();
      },
      afterAll: () => {
        ops += Atomics.load(ctl, CTL.OPS) - ops0;
        ms += performance.now() - start;
        setMode(MODE.IDLE);
      },
    },
  ].map((c) => ({ ...c, calls: seq.length, fn: ((f) => () => consume(f()))(c.fn) }));
  const results = await compare({ baseline: 'no churn', rounds: roundsFor(ci), time: ci ? 25 : 250, warmupTime: ci ? 10 : 100, contenders });
  setMode(MODE.EXIT);
  const errors = Atomics.load(ctl, CTL.ERR);
  await w.terminate();
  t.verify();
  return { results, churnRate: ops / (ms / 1000), errors };
}

export async function run({ ci }) {
  console.log('-- registration changes on one thread (a table with 24 handlers loaded)');
  const ops = await opsPerSecond(ci);
  const rows = ops.map((r) => [r.name, fmtNs(r.nsPerCall), `${Math.round(1e9 / r.nsPerCall).toLocaleString('en-US')}`]);
  console.log(textTable(['operation', 'median per op', 'ops per second'], rows));

  console.log('\n-- table.call hot path (mixed sequence) while another worker churns the same table');
  const hot = await hotPathUnderChurn(ci);
  printCompare(hot.results);
  const note = `the churning worker managed ${Math.round(hot.churnRate).toLocaleString('en-US')} ops/s (load + unload of a 4-handler module; each unload waits for this thread's next quiescent point) with ${hot.errors} timed-out unloads`;
  console.log(note);
  const ratio = hot.results[1].ratio;
  return {
    title,
    baseline: 'no churn',
    results: hot.results,
    tables: [{ caption: 'Registration changes on one thread', header: ['operation', 'median per op', 'ops per second'], rows }],
    targets: [],
    notes: [note, `hot path while another worker churns: ${ratio.toFixed(2)}x the same loop without churn (no stated target)`],
    ops,
    churnRate: hot.churnRate,
  };
}
