// The worker of wt-main.mjs. parentPort.on() keeps the thread alive to serve
// (a pending Atomics.waitAsync does not keep a Node thread alive).
import { parentPort } from 'node:worker_threads';
import { attach } from 'systab';

let t;
parentPort.on('message', ({ desc, nr }) => {
  try {
    t = attach(desc);
    const seen = t.call(nr, 1, 2, 3);
    const again = t.call(nr, 4, 5, 6);
    t.load({ name: 'worker-mod', handlers: { getuid: (a0, a1) => 7000 + a0 * 10 + a1 } });
    parentPort.postMessage({ seen, again, missing: t.call(99999) });
  } catch (err) {
    parentPort.postMessage({ error: String(err?.stack ?? err) });
  }
});
