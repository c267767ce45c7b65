// A thread that joins a table's filters: it attaches to the table and to the
// filters, and makes the calls it is asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachFilter } from 'systab/seccomp';

const t = attach(workerData.desc);
t.load({ name: 'worker-io', handlers: { write: (fd, buf, n) => n, getpid: () => 7 } });
const f = attachFilter(t, workerData.filterDesc);
parentPort.on('message', (m) => {
  if (m.close) {
    f.close();
    t.close();
    parentPort.close();
    return;
  }
  let result;
  try {
    result = t.call(m.nr, ...(m.args ?? []));
  } catch (e) {
    result = e.code;
  }
  parentPort.postMessage({ result });
});
parentPort.postMessage({ ready: true });
