// A Web Worker for terminated.test.ts: attaches to the page's table and
// plays a role; the page terminates it, and nothing tells the page.
import { attach } from 'systab';

self.onmessage = (e) => {
  const { desc, role } = e.data;
  try {
    const t = attach(desc);
    if (role === 'home') {
      // Home of getuid; it serves from its event loop until it is terminated.
      t.load({ name: 'worker-home', handlers: { getuid: (a0) => 7000 + a0 } });
      self.postMessage({ ready: true });
    } else {
      // After one turn of its event loop (its lease is granted there), inside
      // a call that never returns (a guest loop): never quiescent.
      setTimeout(() => {
        self.postMessage({ ready: true });
        t.load({ name: 'spinner', handlers: { getgid: () => { for (;;); } } });
        t.call(desc.abi.names.getgid);
      }, 50);
    }
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
