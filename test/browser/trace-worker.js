// A Web Worker for trace.test.ts: attaches to the page's table and to its
// trace, posts its trace lines back, and makes the calls it is asked for
// (its own module's, run here; the page's, carried to the page).
import { attach } from 'systab';
import { attachTrace } from 'systab/trace';

let t;
const lines = {
  enter: (nr, args) => `${nr}(${args[0]})`,
  exit: (p, r, note) => `${p} = ${r}${note.injected ? ' (INJECTED)' : ''}\n`,
};
self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.desc) {
      t = attach(m.desc);
      t.load({ name: 'worker-mod', handlers: { getppid: (a) => 7000 + a } });
      // follow: no sink of its own, so its lines go to the page's follow sink.
      attachTrace(t, m.traceDesc, m.follow ? { tid: 2 } : { sink: (line) => self.postMessage({ line }), lines });
      self.postMessage({ ready: true });
      return;
    }
    self.postMessage({ result: t.call(m.nr, ...(m.args ?? [])) });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
