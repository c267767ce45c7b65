// A thread that traces: it attaches to the table and to its trace state,
// sends every trace line back, and makes the calls it is asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

const { desc, traceDesc } = workerData;
const t = attach(desc);
t.load({ name: 'worker-mod', handlers: { getppid: () => 77 } });
const lines = {
  enter: (nr, args) => `${nr}(${args.slice(0, 2).join(', ')})`,
  exit: (p, r, note) => `${p} = ${r}${note.injected ? ' (INJECTED)' : ''}\n`,
};
const tr = attachTrace(t, traceDesc, { sink: (line) => parentPort.postMessage({ line }), lines });
parentPort.on('message', (m) => {
  if (m.close) {
    tr.close();
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
