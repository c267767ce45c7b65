// The page's guest worker: attaches to the page's table and runs one guest
// on it, posting what the guest writes and its trace lines in batches.
import { attach } from 'systab';
import { Batcher } from './batch.js';
import { runRv64 } from './guest-rv64.js';
import { runWasi } from './guest-wasi.js';
import type { FromWorker, Start } from './protocol.js';

const post = (m: FromWorker) => self.postMessage(m);

self.onmessage = async (e: MessageEvent<Start>) => {
  const m = e.data;
  const out = new Batcher(post);
  try {
    const t = attach(m.desc);
    // A turn of the event loop: this thread's lease (Web Lock) is granted here,
    // so the table can tell if this worker dies in the guest.
    await new Promise((r) => setTimeout(r, 0));
    post({ type: 'started' });
    const r = m.kind === 'rv64' ? runRv64(t, m, out) : await runWasi(t, m, out);
    out.flush();
    post({ type: 'exit', ...r });
    t.close();
  } catch (err) {
    out.flush();
    post({ type: 'error', message: String((err as Error)?.stack ?? err) });
  }
};
