// A thread that keeps changing injections: for `ms`, inject() into getpid and
// getppid (and clears them now and then), each spec of its own family so a
// caller can tell a whole entry from a torn one.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

const { desc, traceDesc, family, ms } = workerData;
const t = attach(desc);
const tr = attachTrace(t, traceDesc, { sink: () => {}, lines: { enter: () => '', exit: () => '' } });
const end = performance.now() + ms;
let n = 0;
while (performance.now() < end) {
  const k = 1 + (n % 50);
  // family 'error': error=k, every call; family 'retval': retval=1000*k, every call
  tr.inject(family === 'error' ? `getpid,getppid:error=${k}` : `getpid,getppid:retval=${1000 * k}`);
  if (n % 7 === 0) tr.clearInjections(['getppid']);
  n++;
}
tr.close();
t.close();
parentPort.postMessage({ n });
