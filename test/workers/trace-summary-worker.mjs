// A thread that counts into the summary: it attaches to the table and its
// trace state (not the trace with `noTrace`: its calls are still counted),
// runs the module's code here (provide), and on { go } makes `rounds` rounds
// of getpid, close (fails) and getppid, then says done.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

const { desc, traceDesc, rounds, noTrace } = workerData;
const t = attach(desc);
t.provide({ name: 'm', handlers: { getpid: () => 4242, close: () => -9, getppid: () => 1 } });
const tr = noTrace ? undefined : attachTrace(t, traceDesc);
parentPort.on('message', (m) => {
  if (m.go) {
    for (let i = 0; i < rounds; i++) {
      t.call(39);
      t.call(3, -1);
      t.call(110);
    }
    parentPort.postMessage({ done: true, me: tr?.summaryRows().rows.length });
    return;
  }
  tr?.close();
  t.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
