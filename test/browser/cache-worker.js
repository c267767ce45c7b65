// A Web Worker for cache.test.ts: attaches to the page's table, then makes
// one change per message and answers { done: op } (with the error's code if
// it threw). It never calls: the page's cache is what is under test.
import { attach } from 'systab';

let t;
const ops = {
  hooks: (m) => t.hooks(m.calls, m.switches),
  missing: (m) => t.setMissing(m.calls, m.policy),
  // Waits for every thread to pass a quiescent point: the page does, awaiting.
  unload: (m) => t.module(m.token).unload(),
  load: (m) => void t.load({ name: m.name, handlers: { [m.call]: () => m.value } }),
};

self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.desc) {
      t = attach(m.desc);
      self.postMessage({ done: 'attach' });
    } else {
      await ops[m.op](m);
      self.postMessage({ done: m.op });
    }
  } catch (err) {
    self.postMessage({ done: m.op ?? 'attach', code: err.code, message: String(err?.stack ?? err) });
  }
};
