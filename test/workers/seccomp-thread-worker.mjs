// A thread of a filtered table, told what to do by messages: join the
// table's filters (with a chain to inherit, or none), stack on its own
// chain, describe itself, call numbers, start a worker of its own (which
// inherits its chain through its describe(), as a thread the kernel's
// clone() makes), and leave in the ways a thread can: close(), its table
// closed with its filter on, or terminated. Nobody implements the numbers:
// an unfiltered call answers ENOSYS (-38), a filtered one its errno.
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { attach } from 'systab';
import { attachFilter, filterThread } from 'systab/seccomp';

const t = attach(workerData.desc);
let f = workerData.join !== undefined ? attachFilter(t, workerData.join) : undefined;
let child;
let childReply;

function run(m) {
  if (m.join !== undefined) f = attachFilter(t, m.join);
  else if (m.filterThread !== undefined) f = filterThread(t, m.filterThread);
  else if (m.stack !== undefined) f.stack(m.stack, m.options ?? { thread: true });
  else if (m.describe) return f.describe();
  else if (m.leave) f.close();
  else if (m.constant !== undefined) return f.constantAction(m.constant) ?? null;
  else if (m.closeTable) t.close(); // its filter left on: the record is freed, the chain is the filters' to reap
  else if (m.calls !== undefined) return m.calls.map(([nr, ...args]) => one(nr, args));
  else throw new Error(`unknown message ${JSON.stringify(m)}`);
  return null;
}

function one(nr, args) {
  try {
    return t.call(nr, ...args);
  } catch (e) {
    return e.code ?? String(e);
  }
}

parentPort.on('message', (m) => {
  if (m.close) {
    child?.terminate();
    try {
      f?.close();
      t.close();
    } catch {
      /* closed already (closeTable) */
    }
    parentPort.close();
    return;
  }
  if (m.spawn) {
    // A worker this thread starts: the table's descriptor and this thread's filters' (its chain with them).
    child = new Worker(new URL(import.meta.url), { workerData: { desc: t.describe(), join: f.describe() } });
    child.on('message', (r) => childReply?.(r));
    child.once('message', () => parentPort.postMessage({ result: child.threadId }));
    return;
  }
  if (m.child !== undefined) {
    childReply = (r) => parentPort.postMessage(r);
    child.postMessage(m.child);
    return;
  }
  let result;
  let error;
  try {
    result = run(m);
  } catch (e) {
    error = { code: e.code, name: e.name, message: e.message, threadId: e.threadId };
  }
  parentPort.postMessage({ result, error });
});
parentPort.postMessage({ ready: true });
