// The Web Worker of web-main.mjs (and of the vite page): attaches, calls the
// main thread's handler twice (carried there), loads a module of its own and
// serves it from its event loop.
import { attach } from 'systab';

// Held at module scope for as long as the worker serves: the table's
// doorbell watch holds it only weakly (a table local to the handler below is
// collected, and its calls then time out).
let t;
self.onmessage = (e) => {
  const { desc, nr, threadId } = e.data;
  try {
    // The id evict() knows this thread by: in a browser, the page gives one
    // (a Web Worker has none); bun and deno have node:worker_threads, whose
    // threadId is systab's default.
    t = threadId === undefined ? attach(desc) : attach(desc, { threadId });
    const seen = t.call(nr, 1, 2, 3);
    const again = t.call(nr, 4, 5, 6);
    t.load({ name: 'worker-mod', handlers: { getuid: (a0, a1) => 7000 + a0 * 10 + a1 } });
    self.postMessage({ seen, again, missing: t.call(99999), threadId: threadId ?? globalThis.process?.getBuiltinModule?.('node:worker_threads')?.threadId });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
