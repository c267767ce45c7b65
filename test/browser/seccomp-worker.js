// A Web Worker for seccomp.test.ts: joins the page's table and its filters
// (at once, or when told), and makes the calls it is asked for (its own
// module's, run here).
import { attach } from 'systab';
import { attachFilter } from 'systab/seccomp';

let t;
self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.desc) {
      t = attach(m.desc);
      t.load({ name: 'worker-io', handlers: { write: (fd, buf, n) => n, getpid: () => 7 } });
      if (m.filterDesc) attachFilter(t, m.filterDesc);
      self.postMessage({ ready: true });
      return;
    }
    if (m.join) {
      attachFilter(t, m.join);
      self.postMessage({ result: 'joined' });
      return;
    }
    self.postMessage({ result: t.call(m.nr, ...(m.args ?? [])) });
  } catch (err) {
    self.postMessage({ error: String(err?.code ?? err) });
  }
};
