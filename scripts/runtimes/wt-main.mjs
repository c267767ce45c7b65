// web-main.mjs with node:worker_threads instead of a Web Worker, as a Node
// user writes it (bun and deno have node:worker_threads too).
import { Worker } from 'node:worker_threads';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const t = createTable({ abi });
let here = 0;
t.load({ name: 'main-mod', handlers: { getpid: (a0, a1, a2) => (here++, 4000 + a0 + a1 + a2) } });
const w = new Worker(new URL('./wt-worker.mjs', import.meta.url));
const reply = new Promise((res, rej) => {
  w.once('message', res);
  w.once('error', rej);
});
w.postMessage({ desc: t.describe(), nr: abi.names.getpid });
const seen = { worker: await reply, ranHere: here };
const r = t.call(abi.names.getuid, 3, 4);
seen.toWorker = r instanceof Promise ? `promise ${await r}` : r;
seen.toWorkerAsync = await t.callAsync(abi.names.getuid, 5, 6);
t.verify();
const id = w.threadId;
await w.terminate();
await new Promise((res) => setTimeout(res, 500));
const t0 = performance.now();
seen.afterTerminate = t.call(abi.names.getuid, 3, 4);
seen.afterTerminateMs = Math.round(performance.now() - t0);
seen.evicted = t.evict(id); // false: its end was seen, its records are gone already
seen.afterEvict = t.call(abi.names.getuid, 3, 4);
console.log(JSON.stringify(seen));
