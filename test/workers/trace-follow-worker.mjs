// A thread that joins a followed trace without a sink of its own: its lines
// go to the owner's sink. Script 'overlap' makes one read that waits (in its
// handler) until another thread has made its call; 'many' makes n calls.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

const { desc, trace, tid, script, sync, n, names } = workerData;
const t = attach(desc);
const flags = new Int32Array(sync);
const handlers = {};
for (const name of names) handlers[name] = () => 7;
if (script === 'overlap' && names.includes('read')) {
  handlers.read = (fd, buf, count) => {
    Atomics.store(flags, 0, 1); // in the call
    Atomics.notify(flags, 0);
    Atomics.wait(flags, 1, 0, 5000); // until the other thread's call is done
    return count;
  };
}
t.load({ name: `m${tid}`, handlers });
const tr = attachTrace(t, trace, { tid });
if (script === 'overlap') {
  if (names.includes('read')) t.call(t.abi.names.read, 0, 0, 5);
  else {
    Atomics.wait(flags, 0, 0, 5000);
    t.call(t.abi.names.getpid);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
  }
} else {
  for (let i = 0; i < n; i++) t.call(t.abi.names[names[i % names.length]], i);
}
tr.exited(0);
Atomics.store(flags, 1, 1); // 'many': done (the owner may be waiting, not reading)
Atomics.notify(flags, 1);
tr.close();
t.close();
parentPort.postMessage('done');
