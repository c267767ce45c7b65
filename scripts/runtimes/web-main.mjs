// The README's Threads example with a Web Worker (`new Worker(url, { type:
// 'module' })`, as bun and deno offer it): the worker attaches to this
// thread's table and calls a handler whose home is here (carried here, served
// from this thread's event loop); this thread calls the worker's handler
// (blocking: Atomics.wait is allowed here), then terminates the worker and
// calls it again (ENOSYS once its end is seen; ETIMEDOUT after callTimeout if
// never), then evicts it (false if its end was seen) and calls again. Prints
// what it saw as one JSON line.
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const t = createTable({ abi });
let here = 0;
t.load({ name: 'main-mod', handlers: { getpid: (a0, a1, a2) => (here++, 4000 + a0 + a1 + a2) } });
const w = new Worker(new URL('./web-worker.mjs', import.meta.url), { type: 'module' });
const reply = new Promise((res, rej) => {
  w.onmessage = (e) => res(e.data);
  w.onerror = (e) => rej(new Error(`worker: ${e.message}`));
});
w.postMessage({ desc: t.describe(), nr: abi.names.getpid });
const seen = { worker: await reply, ranHere: here };
const r = t.call(abi.names.getuid, 3, 4);
seen.toWorker = r instanceof Promise ? `promise ${await r}` : r;
seen.toWorkerAsync = await t.callAsync(abi.names.getuid, 5, 6);
t.verify();
w.terminate();
await new Promise((res) => setTimeout(res, 500));
const t0 = performance.now();
seen.afterTerminate = t.call(abi.names.getuid, 3, 4);
seen.afterTerminateMs = Math.round(performance.now() - t0);
// Where the runtime gives no sign of the worker's end, the README's answer: evict() it, by the threadId it attached with.
seen.evicted = t.evict(seen.worker.threadId);
seen.afterEvict = t.call(abi.names.getuid, 3, 4);
console.log(JSON.stringify(seen));
