// A Web Worker for isolated.test.ts: attaches to the page's table, calls a
// handler whose home is the page (carried there; this worker blocks in
// Atomics.wait, the page never does), then loads its own module and stays
// idle in its event loop, serving calls the page carries here.
import { attach } from 'systab';

self.onmessage = (e) => {
  const { desc, nr, mine } = e.data;
  try {
    const t = attach(desc);
    const seen = t.call(nr, 1, 2, 3, 0, 0, 0);
    // A second call: the slot's carrier is cached now; it must still carry.
    const again = t.call(nr, 4, 5, 6, 0, 0, 0);
    t.load({ name: 'worker-mod', handlers: { [mine]: (a0, a1) => 7000 + a0 * 10 + a1 } });
    self.postMessage({ seen, again, crossOriginIsolated: self.crossOriginIsolated });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
