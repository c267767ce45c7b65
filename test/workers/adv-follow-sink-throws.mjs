// A follow owner whose sink throws (every line), a worker flooding a small
// ring meanwhile: run as a process of its own, so an exception thrown from
// the owner's 50 ms drain timer shows as what it is (uncaught: the process
// dies) rather than as a test runner's error. Prints a JSON summary.
import { Worker } from 'node:worker_threads';
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

process.on('uncaughtException', (e) => {
  console.log(JSON.stringify({ uncaught: String(e?.message ?? e) }));
  process.exit(3);
});
const t = createTable({ abi });
let lines = 0;
const tr = traceTable(t, { sink: () => { lines++; throw new Error('the sink is broken'); }, follow: { bytes: 256 } });
tr.select('all');
const w = new Worker(new URL('./adv-eval-worker.mjs', import.meta.url), { workerData: { desc: t.describe() } });
await new Promise((r) => w.once('message', r));
w.postMessage({ id: 1, code: 'ctx.trace.attachTrace(ctx.t, arg); for (let i = 0; i < 300; i++) ctx.t.call(39); return 1', arg: tr.describe() });
await new Promise((r) => w.once('message', r));
await new Promise((r) => setTimeout(r, 200)); // a few of the owner's timer drains
let ownCall = 'answered';
try {
  t.call(39); // the owner's own call drains too
} catch (e) {
  ownCall = String(e.message);
}
let closed = 'closed';
try {
  tr.close();
} catch (e) {
  closed = String(e.message);
}
await w.terminate();
t.close();
console.log(JSON.stringify({ lines, ownCall, closed }));
