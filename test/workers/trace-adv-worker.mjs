// Roles for test/trace-adversarial-threads.test.ts, each a thread that the
// test terminates at a bad moment:
//   switch: flips selections, injections and summaries as fast as it can;
//   caller: makes traced (printed, summed, ring-recorded) calls in a loop;
//   home:   loads getppid, whose handler blocks (a call carried here is held).
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

const { desc, traceDesc, role, calls = Infinity } = workerData;
const t = attach(desc);
const tr = attachTrace(t, traceDesc, { sink: () => {}, lines: { enter: (nr) => nr, exit: () => '' } });
const GETPID = 39;
const GETPPID = 110;

if (role === 'switch') {
  const sets = ['getpid', 'getpid,getppid', '%process', 'all', 'none', '/get'];
  let n = 0;
  for (;;) {
    const k = n++;
    tr.inject(`${sets[k % sets.length]}:error=${1 + (k % 30)}`);
    if (k % 3 === 0) tr.select(sets[(k >> 1) % sets.length]);
    if (k % 5 === 0) tr.summary(k % 2 === 0 ? true : ['getpid']);
    if (k % 7 === 0) tr.clearInjections(k % 2 === 0 ? '*' : ['getppid']);
    if (k === 100) parentPort.postMessage({ ready: true });
  }
} else if (role === 'caller') {
  for (let n = 0; n < calls; n++) {
    t.call(GETPID);
    if (n === 1000) parentPort.postMessage({ ready: true });
  }
  parentPort.postMessage({ done: true });
} else if (role === 'home') {
  const hold = new Int32Array(new SharedArrayBuffer(4));
  t.load({ name: 'held', handlers: { getppid: () => (Atomics.wait(hold, 0, 0, 20_000), 7) } });
  parentPort.postMessage({ ready: true });
  t.listen(60_000);
}
