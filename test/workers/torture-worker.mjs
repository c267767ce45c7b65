// A Node worker for the torture (torture-node.test.ts, scripts/soak.mjs): the
// role workerData names (caller, home, lite, watchdog), from ../helpers/torture.js.
// No 'message' listener: nothing but the worker's own work keeps it alive
// (a short-lived caller ends with `await t.callAsync()` to check that it does).
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';
import { workerMain } from '../helpers/torture.js';

const post = (m) => parentPort.postMessage(m);
workerMain({ ...workerData, node: true }, post, attach, () => {}).catch((e) => post({ workerError: String(e?.stack ?? e) }));
