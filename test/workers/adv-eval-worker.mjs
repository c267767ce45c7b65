// The adversary's worker: attaches to the table it is given, then runs the
// code each message carries (an async function body over `ctx`, which holds
// the public entry points, this thread's table and whatever earlier messages
// kept in ctx.state) and posts back { id, result } or { id, error: code }.
// A message with `loop` runs its code in a tight loop without answering
// (a guest that never yields), for tests that terminate it mid-call.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import * as systab from 'systab';
import * as seccomp from 'systab/seccomp';
import * as trace from 'systab/trace';
import * as wasi from 'systab/wasi';

const AsyncFunction = (async () => {}).constructor;
const t = systab.attach(workerData.desc, workerData.attach ?? {});
const ctx = { systab, seccomp, trace, wasi, t, threadId, state: {}, post: (m) => parentPort.postMessage(m), data: workerData };

parentPort.on('message', async (m) => {
  if (m.sync) {
    // Runs synchronously in a loop until the code returns true (never yields to the event loop).
    const fn = new Function('ctx', 'arg', m.sync);
    for (;;) if (fn(ctx, m.arg) === true) break;
    parentPort.postMessage({ id: m.id, result: 'done' });
    return;
  }
  try {
    const result = await new AsyncFunction('ctx', 'arg', m.code)(ctx, m.arg);
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e?.code ?? String(e), message: String(e?.message ?? e) });
  }
});
parentPort.postMessage({ ready: threadId });
