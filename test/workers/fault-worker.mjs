// A worker for the fault tests: attaches to workerData.desc and plays
// workerData.role. Shared flags in workerData.flags (an Int32Array's buffer)
// let the main thread time its moves against this thread's.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';

const { desc, role, opts = {} } = workerData;
const flags = workerData.flags ? new Int32Array(workerData.flags) : undefined;
const nr = (name) => desc.abi.names[name];
const outcome = (f) => {
  try {
    return { value: f() };
  } catch (e) {
    return { code: e.code ?? e.name, message: e.message };
  }
};
const busy = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

const roles = {
  // Attaches and closes again and again, calling between, until flags[0] is set.
  churnAttach() {
    let cycles = 0;
    while (Atomics.load(flags, 0) === 0) {
      const t = attach(desc, { threadId: 5000 + cycles });
      const until = performance.now() + (opts.stay ?? 20);
      while (performance.now() < until) t.call(nr('getpid'));
      t.close();
      cycles++;
    }
    return { cycles };
  },
  // Calls opts.call until flags[0] is set; returns the distinct answers and error codes.
  callLoop() {
    const t = attach(desc, { callTimeout: opts.callTimeout ?? 5000 });
    const values = new Set();
    const codes = {};
    let calls = 0;
    Atomics.store(flags, 1, 1);
    while (Atomics.load(flags, 0) === 0) {
      const r = outcome(() => t.call(nr(opts.call)));
      if (r.code !== undefined) codes[r.code] = (codes[r.code] ?? 0) + 1;
      else values.add(r.value);
      calls++;
    }
    t.close();
    return { calls, values: [...values], codes };
  },
  // Provides async code for modules p0, p1, ... (every version of each): it
  // checks retired flag flags[2 + k] of module k on entry and when it settles;
  // calls flat out (sync calls and awaited ones) until flags[0].
  async providedCaller() {
    const t = attach(desc, { async: true });
    const mods = opts.mods;
    for (let k = 0; k < mods; k++) {
      t.provide({ name: `p${k}`, handlers: { getuid: async () => {
        if (Atomics.load(flags, 2 + k) !== 0) Atomics.add(flags, 1, 1);
        await new Promise((r) => setTimeout(r, (k % 3)));
        if (Atomics.load(flags, 2 + k) !== 0) Atomics.add(flags, 1, 1);
        return k;
      } } });
    }
    let calls = 0;
    const pending = new Set();
    while (Atomics.load(flags, 0) === 0) {
      const p = t.call(nr('getuid'));
      calls++;
      if (p instanceof Promise) {
        pending.add(p);
        p.finally(() => pending.delete(p));
      }
      if (pending.size > 20 || (calls & 7) === 0) await Promise.race([...pending, new Promise((r) => setTimeout(r, 0))]);
    }
    await Promise.all(pending);
    t.close();
    return { calls };
  },
  // Home of module "slowhome": its getppid takes 60 s.
  slowHome() {
    const t = attach(desc);
    const m = t.load({ name: 'slowhome', handlers: { getppid: () => (busy(60_000), 1), getgid: () => 77 } });
    parentPort.postMessage({ loaded: true, token: m.token });
    return new Promise(() => t.listen(60_000));
  },
  // Gives up on one call (callTimeout 50 ms) while its home runs it, waits for flags[0], then calls main's getpid a few times.
  abandonThenCall() {
    const t = attach(desc, { callTimeout: 50 });
    const first = t.call(nr('getppid'));
    parentPort.postMessage({ abandoned: first });
    while (Atomics.load(flags, 0) === 0) t.poll(); // a guest loop that announces quiescent points
    const after = [];
    for (let i = 0; i < 5; i++) after.push(t.call(nr('getpid')));
    const verified = outcome(() => t.verify());
    t.close();
    return { after, verified };
  },
  // One carried call; flags[0] = 1 just before it is made.
  oneCall() {
    const t = attach(desc);
    Atomics.store(flags, 0, 1);
    const r = outcome(() => t.call(nr(opts.call)));
    t.close();
    return r;
  },
  // One carried call through callAsync (this thread stays quiescent while it waits); flags[0] = 1 just before it is made.
  async oneCallAsync() {
    const t = attach(desc);
    Atomics.store(flags, 0, 1);
    const r = await t.callAsync(nr(opts.call));
    t.close();
    return { value: r };
  },
  // Many carried calls at once, through callAsync.
  async manyAsync() {
    const t = attach(desc, { callTimeout: opts.callTimeout ?? 5000 });
    const all = await Promise.all(Array.from({ length: opts.n }, (_, i) => t.callAsync(nr('getpid'), i)));
    t.close();
    return { all };
  },
  // Its last work is awaiting a carried call: nothing else keeps this thread alive.
  async lastAwait() {
    const t = attach(desc);
    const r = await t.callAsync(nr('getpid'), 21);
    parentPort.postMessage({ answer: r });
  },
  // Attaches and says so, then idles (main terminates it).
  attached() {
    const t = attach(desc);
    t.call(nr('getpid'));
    parentPort.postMessage({ attached: true });
    return new Promise(() => {});
  },
  // Home of module "w"; unloads it while another thread holds the grace
  // period back; main terminates this thread meanwhile.
  unloadStuck() {
    const t = attach(desc);
    const m = t.load({ name: 'w', handlers: { getuid: () => 1 } });
    parentPort.postMessage({ loaded: true });
    return new Promise((res) => parentPort.once('message', () => {
      m.unload({ timeout: 60_000 }).then(() => res({ unloaded: true }));
      parentPort.postMessage({ unloading: true });
    }));
  },
  // Loads module "w", starts its unload (held back by another thread's call), and closes at once.
  closeMidUnload() {
    const t = attach(desc);
    const m = t.load({ name: 'w', handlers: { getuid: () => 1 } });
    const p = m.unload({ timeout: 60_000 }).then(() => 'resolved', (e) => e.code);
    t.close();
    return p.then((unload) => ({ unload }));
  },
  // Home of an async getppid that waits for flags[1] (flags[0] = 1 once it runs); serves until flags[2], then closes and says so.
  async closingHome() {
    const t = attach(desc);
    const m = t.load({
      name: 'closing',
      handlers: {
        getppid: async () => {
          Atomics.store(flags, 0, 1);
          while (Atomics.load(flags, 1) === 0) await new Promise((r) => setTimeout(r, 2));
          return 77;
        },
      },
    });
    parentPort.postMessage({ loaded: true, token: m.token });
    while (Atomics.load(flags, 2) === 0) {
      t.poll();
      await new Promise((r) => setTimeout(r, 1));
    }
    t.close();
    parentPort.postMessage({ closed: true });
  },
  // Unloads module opts.token once flags[0] is set; flags[1] = 1 when the unload has resolved.
  async unloadOnFlag() {
    const t = attach(desc);
    const m = t.module(opts.token);
    while (Atomics.load(flags, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    await m.unload({ timeout: 10_000 });
    Atomics.store(flags, 1, 1);
    t.close();
    return { done: true };
  },
  // Provides a wrap for "heldwrap" whose factory (made at the first call) sets flags[0] and calls the table until flags[1] (main's unload resolved).
  providedWrapFactory() {
    const t = attach(desc);
    let nested = 0;
    let ranAfterUnload = false;
    t.provide({
      name: 'heldwrap',
      wraps: {
        getuid: (below) => {
          Atomics.store(flags, 0, 1);
          const end = performance.now() + 1000;
          while (Atomics.load(flags, 1) === 0 && performance.now() < end) nested += t.call(nr('getpid')) === 5 ? 1 : 0;
          return (...a) => {
            if (Atomics.load(flags, 1) !== 0) ranAfterUnload = true;
            return Number(below(...a)) + 1;
          };
        },
      },
    });
    const answer = t.call(nr('getuid'));
    t.close();
    return { answer, nested, ranAfterUnload };
  },
  // Home of getppid with no reference kept to its table (a local of a function that has returned); collects garbage until flags[0].
  async homeNoRef() {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    (() => {
      const t = attach(desc);
      t.load({ name: 'noref', handlers: { getppid: () => 55 } });
    })();
    parentPort.postMessage({ loaded: true });
    while (Atomics.load(flags, 0) === 0) {
      gc();
      Atomics.add(flags, 1, 1);
      await new Promise((r) => setTimeout(r, 5));
    }
    return { done: true };
  },
  // Loads a module of two calls and blocks (never returns): the test makes its memory look as if this thread died mid-change.
  parkedHome() {
    const t = attach(desc);
    const m = t.load({ name: 'half', handlers: { getuid: () => 1, getgid: () => 2 } });
    parentPort.postMessage({ loaded: true, token: m.token });
    for (;;) Atomics.wait(flags, 1, 0);
  },
  // Loads a wrap whose factory takes opts.ms: it holds the writer lock that long.
  slowFactory() {
    const t = attach(desc);
    t.load({ name: 'slowwrap', wraps: { read: (below) => (Atomics.store(flags, 0, 1), busy(opts.ms), below) } });
    t.close();
    return { done: true };
  },
  // Stays in one call for opts.ms (holds grace periods back).
  inCall() {
    const t = attach(desc);
    t.load({ name: 'slow', handlers: { getppid: () => (busy(opts.ms), 1) } });
    Atomics.store(flags, 0, 1);
    t.call(nr('getppid'));
    t.close();
    return { done: true };
  },
  // Carried calls with arguments a number record cannot hold, then good ones.
  badArgs() {
    const t = attach(desc);
    const bad = [10n, Symbol('s'), Object.create(null), 'x', {}, null, [1]].map((a) => outcome(() => t.call(nr('getpid'), a)));
    const good = [];
    for (let i = 0; i < 40; i++) good.push(t.call(nr('getpid'), i));
    const verified = outcome(() => t.verify());
    t.close();
    return { bad: bad.map((b) => b.code), messages: bad.map((b) => b.message), good, verified };
  },
  // verify() in a loop while another thread changes the table, until flags[0].
  verifier() {
    const t = attach(desc);
    let runs = 0;
    const failures = [];
    while (Atomics.load(flags, 0) === 0) {
      const r = outcome(() => t.verify());
      if (r.code !== undefined) failures.push(r.message);
      runs++;
    }
    t.close();
    return { runs, failures: failures.slice(0, 5), failed: failures.length };
  },
};

const out = await roles[role]();
if (out !== undefined) parentPort.postMessage({ result: out });
