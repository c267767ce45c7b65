// A thread of a filtered table that joins its filters only when told to
// (and leaves when told to): until it joins, it may make only the calls the
// filters allow whatever their arguments.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachFilter } from 'systab/seccomp';

const t = attach(workerData.desc);
t.load({ name: 'worker-io', handlers: { write: (fd, buf, n) => n, getpid: () => 7 } });
let f;
parentPort.on('message', (m) => {
  if (m.close) {
    f?.close();
    t.close();
    parentPort.close();
    return;
  }
  let result;
  try {
    if (m.join) f = attachFilter(t, m.join);
    else if (m.leave) f.close();
    else result = t.call(m.nr, ...(m.args ?? []));
  } catch (e) {
    result = e.code;
  }
  parentPort.postMessage({ result });
});
parentPort.postMessage({ ready: true });
