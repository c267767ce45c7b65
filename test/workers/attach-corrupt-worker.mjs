// A worker for attach-corrupt.test.ts, in one of three parts:
// - cases (default): for each memory posted to it, attach() to it and run a
//   fixed list of operations; report how each one ended. The test terminates
//   this worker when a case takes too long (a hang).
// - churn: changes a live table every way a writer can, for a while.
// - scene: the thread whose call is carried to the main thread when the
//   snapshot is taken (the call is posted, not yet run).
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { attach, SystabError } from 'systab';

const zero = [0n, 0n, 0n, 0n, 0n, 0n];

/** How a step ended: a SystabError's code and message, or 'raw' with what was thrown instead. */
function outcome(e) {
  if (e instanceof SystabError) return { code: e.code, message: e.message };
  return { raw: `${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}` };
}

function steps(t, abi, gone) {
  const nr = (name) => abi.names[name];
  let probe;
  return [
    // The threads of the snapshot are gone in a copy: their records go, as a parent's evict() would do it.
    // The creator first (its records, and the retired handlers it was draining, which this thread adopts).
    ['evict creator', () => t.evict(gone.creator)],
    ['call write', () => t.call(nr('write'), 1, 2, 3)],
    ['call read', () => t.call(nr('read'), 0, 0, 0)],
    ['call getpid', () => t.call(nr('getpid'))],
    ['call socket', () => t.call(nr('socket'))],
    ['call openat', () => t.call(nr('openat'))],
    ['call open', () => t.call(nr('open'))],
    ['call mmap', () => t.call(nr('mmap'))],
    ['call brk', () => t.call(nr('brk'))],
    ['call getuid', () => t.call(nr('getuid'), 2, 3)],
    ['call 99999', () => t.call(99999)],
    ['call64 getgid', () => t.call64(nr('getgid'), 5n)],
    ['dispatch write', () => t.dispatch(nr('write'), ...zero)],
    ['dispatch getuid', () => t.dispatch(nr('getuid'), ...zero)],
    ['dispatch socket', () => t.dispatch(nr('socket'), ...zero)],
    ['dispatch 99999', () => t.dispatch(99999, ...zero)],
    ['stats', () => t.stats()],
    ['verify', () => t.verify()],
    ['hooks', () => t.hooks(['write', 'getuid'], { count: false, enter: true })],
    ['setMissing', () => t.setMissing('*', 'enosys')],
    ['poll', () => t.poll()],
    // Then the thread whose call was carried when the snapshot was taken: its call records go too.
    ['evict scene', () => t.evict(gone.scene)],
    ['verify after evict', () => t.verify()],
    ['load', () => (probe = t.load({ name: 'probe', handlers: { getppid: () => 7 }, wraps: { read: (below) => (...a) => below(...a) } }))],
    ['call getppid', () => t.call(nr('getppid'))],
    ['call read again', () => t.call(nr('read'))],
    ['replace io', () => t.load({ name: 'io', replace: true, handlers: { write: () => 9 } })],
    ['reserve', () => t.reserve('net2', ['bind'])],
    ['release', () => (t.release('net2'), t.release('net'))],
    ['unload', () => probe?.unload({ timeout: 30 })],
    ['call after', () => t.call(nr('getppid'))],
    ['stats after', () => t.stats()],
    ['verify last', () => t.verify()],
  ];
}

async function run(memory, module, abi, gone) {
  const t0 = performance.now();
  const r = await runSteps(memory, module, abi, gone);
  r.ms = Math.round(performance.now() - t0);
  return r;
}

async function runSteps(memory, module, abi, gone) {
  let t;
  try {
    // Short waits: a carried call, the writer lock (a copy's holder may look alive).
    t = attach({ memory, module, abi }, { callTimeout: 5, lockTimeout: 50 });
  } catch (e) {
    return { attach: outcome(e) };
  }
  const done = [];
  for (const [name, f] of steps(t, abi, gone)) {
    try {
      await f();
      done.push([name, 'ok']);
    } catch (e) {
      done.push([name, outcome(e)]);
    }
  }
  try {
    t.close();
    done.push(['close', 'ok']);
  } catch (e) {
    done.push(['close', outcome(e)]);
  }
  return { attach: 'ok', steps: done };
}

/** Changes a live table for `ms`, every way a writer can: what attach() meanwhile must not take for damage. */
async function churn(desc, ms) {
  const t = attach(desc);
  const end = performance.now() + ms;
  let rounds = 0;
  while (performance.now() < end) {
    t.load({ name: 'churn', replace: true, handlers: { getppid: () => 1, sync: () => 0 }, wraps: { write: (below) => (...a) => below(...a) } });
    t.reserve('later', ['bind', 'listen']);
    t.hooks(['getppid', 'write'], { count: rounds % 2 === 0, enter: rounds % 3 === 0 });
    t.setMissing(['mmap', 'brk'], rounds % 2 === 0 ? 'throw' : 'enosys');
    const m = t.load({ name: 'churn', replace: true, handlers: { getppid: () => 2 } });
    t.release('later');
    await m.unload({ timeout: 50 }).catch(() => {}); // a timeout leaves it loaded: the next round replaces it
    rounds++;
  }
  t.close();
  return rounds;
}

if (workerData.churn !== undefined) {
  parentPort.postMessage({ ready: true });
  parentPort.postMessage({ rounds: await churn(workerData.churn.desc, workerData.churn.ms) });
} else if (workerData.scene !== undefined) {
  const { desc, flag } = workerData.scene;
  const t = attach(desc, { callTimeout: 30_000 });
  parentPort.postMessage({ ready: true, threadId });
  // Blocked until the main thread says: no event loop, so nothing of this thread runs meanwhile.
  Atomics.wait(new Int32Array(flag), 0, 0);
  const wrote = t.call(desc.abi.names.write, 1, 2, 3); // carried to main, which runs it only after the snapshot
  parentPort.postMessage({ wrote });
  parentPort.once('message', () => {
    t.close();
    parentPort.close();
  });
} else {
  const { module, abi, gone } = workerData;
  console.warn = () => {}; // the log-once policy's line
  parentPort.on('message', async ({ id, memory }) => {
    parentPort.postMessage({ id, result: await run(memory, module, abi, gone) });
  });
  parentPort.postMessage({ ready: true });
}
