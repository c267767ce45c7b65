// A Node worker for threads-churn.test.ts: the guest loop of churn-guest.js.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { runGuest } from './churn-guest.js';

parentPort.postMessage(runGuest(attach(workerData.desc), workerData, () => parentPort.postMessage({ ready: true })));
