// Worker side of the threads and churn suites. workerData: { role, desc, ctl, ... }.
// ctl is a shared Int32Array of control words (see CTL below), the same in main.
import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'systab';

export const CTL = { MODE: 0, ACK: 1, PING: 2, PONG: 3, SEEN: 4, CALLS0: 8, CALLS1: 9, OPS: 10, READY: 11, ERR: 12 };
export const MODE = { IDLE: 1, BUSY: 2, PING: 3, EXIT: 4, CARRY: 5, STOP: 6 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Bounded waits: Node can deliver a waitAsync wake-up late, or not at all.
async function waitWhile(ctl, index, value) {
  while (Atomics.load(ctl, index) === value) {
    const r = Atomics.waitAsync(ctl, index, value, 20);
    if (r.async) await r.value;
  }
}

// Home of a handler that another thread calls (proxied), with three modes:
// IDLE (event loop: carried calls arrive through the doorbell; answers postMessage),
// BUSY (calls its own handler flat out; serves carried calls at its next call),
// PING (raw Atomics.wait/notify ping-pong, no systab).
async function home({ desc, ctl, port, nrs }) {
  const t = attach(desc);
  t.load({ name: 'home', handlers: { [nrs.remote]: (a0, a1) => (a0 * 3 + a1) | 0, [nrs.local]: (a0) => a0 & 7 } });
  port.on('message', (m) => port.postMessage(m));
  Atomics.store(ctl, CTL.READY, 1);
  let acc = 0;
  for (;;) {
    const mode = Atomics.load(ctl, CTL.MODE);
    Atomics.store(ctl, CTL.ACK, mode);
    if (mode === MODE.EXIT) break;
    if (mode === MODE.BUSY) {
      while (Atomics.load(ctl, CTL.MODE) === MODE.BUSY) for (let k = 0; k < 256; k++) acc = (acc + t.call(nrs.local, k)) | 0;
    } else if (mode === MODE.PING) {
      // Start from the last ping answered, not the last ping sent: a ping sent
      // between our ACK and this line must still be answered.
      let seen = Atomics.load(ctl, CTL.PONG);
      while (Atomics.load(ctl, CTL.MODE) === MODE.PING) {
        Atomics.wait(ctl, CTL.PING, seen, 100);
        const v = Atomics.load(ctl, CTL.PING);
        if (v === seen) continue;
        seen = v;
        Atomics.store(ctl, CTL.PONG, v);
        Atomics.notify(ctl, CTL.PONG);
      }
    } else {
      await waitWhile(ctl, CTL.MODE, mode);
    }
  }
  port.close();
  t.close();
  parentPort.postMessage({ done: true, acc });
}

// Caller: measures round trips to the home thread, interleaved rounds.
async function caller({ desc, ctl, port, nrs, ci }) {
  const { compare } = await import('../harness.mjs');
  // A short call timeout: a carried call whose home never wakes costs 100 ms, and is counted.
  const t = attach(desc, { callTimeout: 100 });
  let wrong = 0;
  let carried = 0;
  let lostReplies = 0;
  const proxied = typeof t.poll === 'function';
  const setMode = (m) => {
    const was = Atomics.load(ctl, CTL.MODE);
    Atomics.store(ctl, CTL.MODE, m);
    Atomics.notify(ctl, CTL.MODE);
    if (was === MODE.PING) {
      Atomics.add(ctl, CTL.PING, 1);
      Atomics.notify(ctl, CTL.PING);
    }
    for (let spins = 0; Atomics.load(ctl, CTL.ACK) !== m; spins++) if ((spins & 0xfffff) === 0) Atomics.notify(ctl, CTL.MODE);
  };
  let resolve;
  port.on('message', () => resolve());
  const B = 20; // round trips per task iteration
  const check = t.call(nrs.remote, 5, 1);
  const contenders = [
    {
      name: 'postMessage round trip (home idle)',
      async: true,
      beforeAll: () => setMode(MODE.IDLE),
      fn: async () => {
        for (let k = 0; k < B; k++) {
          // A reply that never comes (1 s) is counted, not waited for forever.
          const lost = await new Promise((r) => {
            const timer = setTimeout(() => r(true), 1000);
            resolve = () => { clearTimeout(timer); r(false); };
            port.postMessage(k);
          });
          if (lost) lostReplies++;
        }
      },
    },
    {
      name: 'Atomics.wait/notify round trip (transport)',
      beforeAll: () => setMode(MODE.PING),
      fn: () => {
        for (let k = 0; k < B; k++) {
          const v = Atomics.add(ctl, CTL.PING, 1) + 1;
          Atomics.notify(ctl, CTL.PING);
          for (let p = Atomics.load(ctl, CTL.PONG); p !== v; p = Atomics.load(ctl, CTL.PONG)) Atomics.wait(ctl, CTL.PONG, p, 100);
        }
      },
    },
  ];
  if (proxied) {
    contenders.push(
      {
        name: 'systab proxied call (home idle in event loop)',
        beforeAll: () => setMode(MODE.IDLE),
        fn: () => {
          for (let k = 0; k < B; k++) if (t.call(nrs.remote, k, 1) !== k * 3 + 1) wrong++;
          carried += B;
        },
      },
      {
        name: 'systab proxied call (home busy calling)',
        beforeAll: () => setMode(MODE.BUSY),
        fn: () => {
          for (let k = 0; k < B; k++) if (t.call(nrs.remote, k, 1) !== k * 3 + 1) wrong++;
          carried += B;
        },
      },
    );
  }
  const results = await compare({
    baseline: contenders[0].name,
    rounds: ci ? 3 : 7,
    time: ci ? 30 : 300,
    warmupTime: ci ? 10 : 50,
    contenders: contenders.map((c) => ({ ...c, calls: B })),
  });
  setMode(MODE.EXIT);
  port.close();
  t.close();
  parentPort.postMessage({ results, proxied, check, wrong, carried, lostReplies });
}

// Busy caller for the unload measurement: own handler, missing numbers, and
// (mode CARRY) the numbers of the module main loads and unloads.
async function busy({ desc, ctl, index, nrs }) {
  const t = attach(desc);
  t.load({ name: `busy${index}`, handlers: { [nrs.own]: (a0) => (a0 + 1) & 0xff } });
  Atomics.store(ctl, CTL.READY + 0, 1);
  const counter = CTL.CALLS0 + index;
  let acc = 0;
  for (;;) {
    const mode = Atomics.load(ctl, CTL.MODE);
    if (mode === MODE.EXIT) break;
    if (mode === MODE.IDLE) {
      await waitWhile(ctl, CTL.MODE, mode);
      continue;
    }
    for (let k = 0; k < 64; k++) {
      acc = (acc + t.call(nrs.own, k)) | 0;
      acc = (acc + t.call(nrs.missing, k)) | 0;
      acc = (acc + t.call(nrs.oor, k)) | 0;
      if (mode === MODE.CARRY) acc = (acc + t.call(nrs.main, k)) | 0;
    }
    Atomics.add(ctl, counter, mode === MODE.CARRY ? 256 : 192);
  }
  t.close();
  parentPort.postMessage({ done: true, acc });
}

// Probe: spins on a call until main's load shows, then until its unload shows.
async function probe({ desc, ctl, nrs, enosys }) {
  const t = attach(desc);
  const look = typeof t.tryCall === 'function'
    ? () => t.tryCall(nrs.watch, [], 0) // a carried call the home does not take at once is withdrawn: undefined
    : () => { try { return t.call(nrs.watch); } catch { return 'ENOCODE'; } };
  Atomics.store(ctl, CTL.READY, 1);
  let loaded = false;
  while (Atomics.load(ctl, CTL.MODE) !== MODE.EXIT) {
    const r = look();
    if (!loaded && r !== enosys) {
      loaded = true;
      Atomics.store(ctl, CTL.SEEN, 1);
    } else if (loaded && r === enosys) {
      loaded = false;
      Atomics.store(ctl, CTL.SEEN, 0);
    }
  }
  t.close();
  parentPort.postMessage({ done: true });
}

// Churn: loads and unloads its own module as fast as it can while MODE is BUSY.
async function churn({ desc, ctl, nrs }) {
  const t = attach(desc);
  const handlers = Object.fromEntries(nrs.churn.map((nr, i) => [nr, (a0) => (a0 + i) | 0]));
  Atomics.store(ctl, CTL.READY, 1);
  let m = null;
  for (;;) {
    const mode = Atomics.load(ctl, CTL.MODE);
    Atomics.store(ctl, CTL.ACK, mode);
    if (mode === MODE.EXIT) break;
    if (mode !== MODE.BUSY) {
      await waitWhile(ctl, CTL.MODE, mode);
      continue;
    }
    try {
      m ??= t.load({ name: 'churn', handlers });
      await m.unload({ timeout: 2000 });
      m = null;
      Atomics.add(ctl, CTL.OPS, 2);
    } catch {
      Atomics.add(ctl, CTL.ERR, 1); // an unload that timed out leaves the module loaded: try it again
      await sleep(1);
    }
  }
  if (m !== null) await m.unload({ force: true }).catch(() => {});
  t.close();
  parentPort.postMessage({ done: true });
}

const roles = { home, caller, busy, probe, churn };
if (workerData?.role) {
  // A pending Atomics.waitAsync does not keep a worker alive: a timer does, until the role ends.
  const keepAlive = setInterval(() => {}, 1 << 30);
  roles[workerData.role](workerData)
    .catch((e) => parentPort.postMessage({ error: String(e?.stack ?? e) }))
    .finally(() => clearInterval(keepAlive));
}
