// A Web Worker for seccomp-thread.test.ts: joins the page's table and its
// filters (with the chain the descriptor carries), stacks on its own chain
// when told, and makes the calls it is asked for. Nobody implements them:
// unfiltered, a call answers ENOSYS (-38).
import { attach } from 'systab';
import { attachFilter } from 'systab/seccomp';

let t;
let f;
self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.desc) {
      t = attach(m.desc);
      if (m.join) f = attachFilter(t, m.join);
      self.postMessage({ result: 'ready' });
    } else if (m.stack) {
      f.stack(m.stack, { thread: true });
      self.postMessage({ result: 'stacked' });
    } else if (m.describe) {
      self.postMessage({ result: f.describe() });
    } else if (m.leave) {
      f.close();
      self.postMessage({ result: 'left' });
    } else {
      self.postMessage({ result: m.calls.map(([nr, ...args]) => t.call(nr, ...args)) });
    }
  } catch (err) {
    self.postMessage({ error: String(err?.code ?? err) });
  }
};
