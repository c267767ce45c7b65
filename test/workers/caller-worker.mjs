// Calls the home's getpid (carried there) and reports what it answered and this thread's id.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { attach } from 'systab';

const t = attach(workerData.desc);
const answers = [];
for (let i = 0; i < workerData.n; i++) answers.push(t.call(t.abi.names.getpid));
t.close();
parentPort.postMessage({ threadId, answers });
