// A joined thread that calls a filtered number in a tight loop while the
// owner stacks and frees sets under it, until told to stop. Each stack makes
// the errno one higher, so answers never go down unless a set was read after
// it was freed and its memory reused.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachFilter } from 'systab/seccomp';

const t = attach(workerData.desc);
const f = attachFilter(t, workerData.filterDesc);
const stop = new Int32Array(workerData.stop);
const answers = new Map();
let calls = 0;
let last = 0;
let backwards = 0; // an answer from an older set than one seen before: a set read after it was freed and rewritten

Atomics.store(stop, 1, 1); // running
while (Atomics.load(stop, 0) === 0) {
  let r;
  try {
    r = t.call(1, 2, 0, 5);
  } catch (e) {
    r = e.code;
  }
  if (typeof r === 'number') {
    if (-r < last) backwards++;
    last = Math.max(last, -r);
    Atomics.store(stop, 1, 1 + last); // running, and the newest set seen
  } else answers.set(r, (answers.get(r) ?? 0) + 1);
  calls++;
}
f.close();
t.close();
parentPort.postMessage({ calls, last, backwards, errors: [...answers] });
