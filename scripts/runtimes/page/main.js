// The vite page of scripts/runtimes.mjs. quickstart.js is the README's Quick
// start block, written here by the script (its console.log lines are read by
// the script). Then the README's Threads example with a Web Worker
// (../web-worker.mjs, copied here as worker.js): the page's calls to the
// worker come back as promises (the page's main thread may not block). The
// result goes to window.result, and the title to "done".
import './quickstart.js';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

async function run() {
  const seen = { crossOriginIsolated: globalThis.crossOriginIsolated };
  const t = createTable({ abi });
  seen.shared = t.describe().memory.buffer instanceof SharedArrayBuffer;
  let here = 0;
  t.load({ name: 'main-mod', handlers: { getpid: (a0, a1, a2) => (here++, 4000 + a0 + a1 + a2) } });
  seen.pageCall = t.call(abi.names.getpid, 1, 1, 1);
  seen.openat = t.call(abi.names.openat);
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const reply = new Promise((res, rej) => {
    w.onmessage = (e) => res(e.data);
    w.onerror = (e) => rej(new Error(`worker: ${e.message}`));
  });
  w.postMessage({ desc: t.describe(), nr: abi.names.getpid, threadId: 7 });
  seen.worker = await reply;
  seen.ranHere = here;
  const r = t.call(abi.names.getuid, 3, 4);
  seen.toWorker = r instanceof Promise ? `promise ${await r}` : r;
  seen.toWorkerAsync = await t.callAsync(abi.names.getuid, 5, 6);
  t.verify();
  w.terminate();
  await new Promise((res) => setTimeout(res, 200));
  const t0 = performance.now();
  seen.afterTerminate = await t.callAsync(abi.names.getuid, 3, 4);
  seen.afterTerminateMs = Math.round(performance.now() - t0);
  return seen;
}

run().then(
  (seen) => {
    window.result = seen;
    document.title = 'done';
  },
  (e) => {
    window.result = { error: String(e?.stack ?? e) };
    document.title = 'done';
  },
);
