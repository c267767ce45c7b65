// A thread that sets plug reasons: it attaches to the table and, for each
// batch it is sent, runs its plugSet(slot, reason, on) calls through the
// table's core `repeat` times, each time between two barriers shared with
// the other threads (so all start, and end, each time within microseconds).
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';

const t = attach(workerData.desc);
const bar = new Int32Array(workerData.barrier);
// Spins a little (to start together), then sleeps: the box may have fewer cores than threads.
const barrier = (n, threads) => {
  if (Atomics.add(bar, 0, 1) + 1 === n * threads) Atomics.notify(bar, 0);
  for (let spin = 0; ; spin++) {
    const c = Atomics.load(bar, 0);
    if (c >= n * threads) return;
    if (spin > 2000) Atomics.wait(bar, 0, c, 10);
  }
};
parentPort.on('message', (m) => {
  if (m.close) {
    t.close();
    parentPort.close();
    return;
  }
  let n = 0;
  for (let k = 0; k < m.repeat; k++) {
    barrier(++n, m.threads);
    for (const [slot, reason, on] of m.ops) t.v.core.plugSet(slot, reason, on ? 1 : 0);
    barrier(++n, m.threads);
  }
  t.v.core.publish();
  parentPort.postMessage({ done: true });
});
parentPort.postMessage({ ready: true });
