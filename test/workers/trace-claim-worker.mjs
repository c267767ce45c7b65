// Makes the table's trace on this thread (traceTable), says so, then on
// { close } closes it (and the table) and says so again.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { traceTable } from 'systab/trace';

const t = attach(workerData.desc);
const tr = traceTable(t);
tr.summary(['getpid']);
parentPort.postMessage({ made: tr.describe() });
parentPort.on('message', (m) => {
  if (!m.close) return;
  tr.close();
  t.close();
  parentPort.postMessage({ closed: true });
});
