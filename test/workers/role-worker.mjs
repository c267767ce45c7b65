// A worker for the cross-thread tests. It attaches to the table in
// workerData.desc and plays workerData.role; results go back by postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';

const { desc, role, opts = {} } = workerData;
const t = attach(desc, { callTimeout: opts.callTimeout ?? 1000 });
const nr = (name) => desc.abi.names[name];
const safe = (f) => {
  try {
    return { value: f() };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
};
const busy = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

const roles = {
  // Calls handlers whose home is the main thread.
  caller() {
    return {
      getpid: safe(() => t.call(nr('getpid'))),
      write: safe(() => t.call(nr('write'), 1, 2, 3)),
      read: safe(() => t.call(nr('read'))),
      close: safe(() => t.call(nr('close'))),
      missing: safe(() => t.call(nr('socket'))),
    };
  },
  async asyncCaller() {
    return { lseek: await t.call(nr('lseek'), 5) };
  },
  // One call, answered late or never.
  slowCaller() {
    parentPort.postMessage({ wrote: safe(() => t.call(nr('write'), 1, 2, 3)) });
    return new Promise((res) => parentPort.once('message', () => res({ after: safe(() => t.call(nr('getpid'))) })));
  },
  tryCaller() {
    const first = t.tryCall(nr('getpid'), [], 0);
    parentPort.postMessage({ first: first === undefined ? 'undefined' : first });
    return new Promise((res) => parentPort.once('message', () => res({ second: t.tryCall(nr('getpid'), [], 500_000) })));
  },
  // Home of module "w": its getuid handler calls write, whose home is main,
  // whose handler calls getgid here: this thread must serve while it waits.
  mutual() {
    t.load({ name: 'w', handlers: { getuid: () => t.call(nr('write'), 10, 20, 30) + 1, getgid: () => 500 } });
    parentPort.postMessage({ loaded: true });
    return new Promise((res) => parentPort.once('message', () => res({ self: safe(() => t.call(nr('getuid'))) })));
  },
  // Home of a slow handler; main terminates it mid-call.
  home() {
    t.load({ name: 'h', handlers: { getpid: () => (busy(60_000), 1) } });
    parentPort.postMessage({ loaded: true });
    return new Promise(() => t.listen(60_000));
  },
  // Calls the slow home and reports how the call ended.
  waiter() {
    parentPort.postMessage({ calling: true });
    return { getpid: safe(() => t.call(nr('getpid'))) };
  },
  // Home of a module, serving carried calls with listen() until quiet.
  listener() {
    t.load({ name: 'l', handlers: { getppid: (a) => a * 2 } });
    parentPort.postMessage({ loaded: true });
    const t0 = performance.now();
    t.listen(300);
    return { listened: performance.now() - t0 >= 300 };
  },
  // A guest loop with no calls that announces quiescent points with poll().
  polling() {
    t.call(nr('getpid'));
    parentPort.postMessage({ looping: true });
    const end = performance.now() + (opts.ms ?? 1500);
    while (performance.now() < end) t.poll();
    return { done: true };
  },
  // A guest loop that makes no calls for a while.
  stuck() {
    t.call(nr('getpid'));
    parentPort.postMessage({ stuck: true });
    busy(opts.ms ?? 1500);
    return { done: true };
  },
  // Unloads a module loaded in main, from its owner token.
  unloader() {
    return (async () => {
      const bad = safe(() => t.module('1.1.zz.zz'));
      await t.module(opts.token).unload();
      return { bad, after: t.call(nr('getpid')) };
    })();
  },
  // Changes the table on request (one message, one change), answers { done };
  // 'calls' makes calls here instead and answers { done, wrong } (answers not m.want).
  changer() {
    const ops = {
      hooks: (m) => t.hooks(m.calls, m.switches),
      missing: (m) => t.setMissing(m.calls, m.policy),
      unload: (m) => t.module(m.token).unload(),
      load: (m) => void t.load({ name: m.name, handlers: { [m.call]: () => m.value }, replace: m.replace }),
      calls: (m) => {
        let wrong = 0;
        for (let i = 0; i < m.times; i++) for (const n of m.nrs) if (t.call(n) !== m.want) wrong++;
        return wrong;
      },
    };
    return new Promise((res) => {
      parentPort.on('message', async (m) => {
        if (m.op === 'end') return res({ ended: true });
        try {
          const v = await ops[m.op](m);
          parentPort.postMessage(m.op === 'calls' ? { done: m.op, wrong: v } : { done: m.op });
        } catch (e) {
          parentPort.postMessage({ done: m.op, code: e.code });
        }
      });
      parentPort.postMessage({ ready: true });
    });
  },
  // Home of module "gone", which it leaves loaded: it closes its view and stays alive.
  leaver() {
    const m = t.load({ name: 'gone', handlers: { getppid: () => 7 } });
    parentPort.postMessage({ loaded: m.token });
    return new Promise((res) =>
      parentPort.once('message', () => {
        t.close();
        parentPort.postMessage({ left: true });
        parentPort.once('message', () => res({ bye: true }));
      }),
    );
  },
  // Attaches (taking a freed worker index), then runs a guest loop with no calls or polls.
  squatter() {
    parentPort.postMessage({ squatting: true });
    busy(opts.ms ?? 2000);
    return { done: true };
  },
  // Home of getppid, idle in its event loop until terminated (no listen(): the doorbell watch serves).
  server() {
    t.load({ name: 's', handlers: { getppid: (a) => a * 2 } });
    parentPort.postMessage({ loaded: true });
    return new Promise(() => setInterval(() => {}, 1000));
  },
  // Attaches, then waits for a message: an idle thread.
  idle() {
    parentPort.postMessage({ idle: true });
    return new Promise((res) => parentPort.once('message', () => res({ bye: true })));
  },
};

const out = await roles[role]();
parentPort.postMessage({ result: out });
if (!opts.noClose) t.close();
