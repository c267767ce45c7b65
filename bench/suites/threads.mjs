// threads: proxied calls vs postMessage, unload latency while other threads
// call flat out, and how soon another thread sees a registration change.
import { MessageChannel, Worker } from 'node:worker_threads';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { fmtNs, median, printCompare, quantile, target, textTable } from '../harness.mjs';
import { CTL, MODE } from '../workers/thread-roles.mjs';

export const title = 'threads: proxied calls, unload under load, change visibility';
const ROLES = new URL('../workers/thread-roles.mjs', import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const N = abi.names;

function spawn(data, transferList = []) {
  const w = new Worker(ROLES, { workerData: data, transferList });
  const messages = [];
  let wake;
  w.on('message', (m) => {
    if (m.error) console.error(`worker ${data.role}: ${m.error}`);
    messages.push(m);
    wake?.();
  });
  w.on('error', (e) => {
    console.error(`worker ${data.role} failed: ${e.stack ?? e}`);
    messages.push({ error: String(e) });
    wake?.();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise((r) => (wake = r));
    return messages.shift();
  };
  return { w, next };
}

async function until(pred, what, ms = 10000) {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(1);
  }
}

function summary(xs) {
  return { median: median(xs), p90: quantile(xs, 0.9), max: Math.max(...xs), n: xs.length };
}

/** Round trips: a caller worker calls a handler whose home is another worker. */
async function roundTrips(ci) {
  const t = createTable({ abi });
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  const { port1, port2 } = new MessageChannel();
  const nrs = { remote: N.getppid, local: N.getpid };
  const home = spawn({ role: 'home', desc: t.describe(), ctl, port: port1, nrs }, [port1]);
  await until(() => Atomics.load(ctl, CTL.READY) === 1, 'the home worker');
  const caller = spawn({ role: 'caller', desc: t.describe(), ctl, port: port2, nrs, ci }, [port2]);
  // Never hang the whole run: give up on the round trips after 3 minutes.
  let timer;
  const msg = await Promise.race([caller.next(), new Promise((r) => (timer = setTimeout(() => r({ error: 'round trips did not finish within 180 s (a lost wake-up?)' }), 180000)))]);
  clearTimeout(timer);
  if (msg.error) {
    await Promise.all([home.w.terminate(), caller.w.terminate()]);
    throw new Error(msg.error);
  }
  await home.next();
  await Promise.all([home.w.terminate(), caller.w.terminate()]);
  t.close();
  if (msg.error) throw new Error(msg.error);
  return msg;
}

/** Unload latency: main loads and unloads a module while 0 or 2 workers call. */
async function unloads(ci) {
  const t = createTable({ abi });
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  const n = ci ? 20 : 300;
  const spec = { name: 'main-module', handlers: { geteuid: (a0) => a0 + 1, getegid: (a0) => a0 + 2 } };
  const measure = async () => {
    const xs = [];
    for (let i = 0; i < n; i++) {
      const m = t.load(spec);
      await sleep(1); // let the workers find the module (and carry calls into it)
      const t0 = performance.now();
      await m.unload();
      xs.push((performance.now() - t0) * 1e6);
    }
    return xs;
  };
  const rows = [];
  rows.push(['no other threads', summary(await measure())]);
  Atomics.store(ctl, CTL.MODE, MODE.BUSY);
  const nrs = (i) => ({ own: i === 0 ? N.getuid : N.getgid, missing: 340, oor: 1024, main: N.geteuid });
  const workers = [spawn({ role: 'busy', desc: t.describe(), ctl, index: 0, nrs: nrs(0) })];
  await until(() => Atomics.load(ctl, CTL.CALLS0) > 0, 'the first busy worker');
  rows.push(['1 worker calling flat out (own handler + missing numbers; threads <= cores)', summary(await measure())]);
  workers.push(spawn({ role: 'busy', desc: t.describe(), ctl, index: 1, nrs: nrs(1) }));
  await until(() => Atomics.load(ctl, CTL.CALLS1) > 0, 'the second busy worker');
  let c0 = Atomics.load(ctl, CTL.CALLS0) + Atomics.load(ctl, CTL.CALLS1);
  let s0 = performance.now();
  rows.push(['2 workers calling flat out (own handler + missing numbers)', summary(await measure())]);
  const rate1 = (Atomics.load(ctl, CTL.CALLS0) + Atomics.load(ctl, CTL.CALLS1) - c0) / ((performance.now() - s0) / 1000);
  Atomics.store(ctl, CTL.MODE, MODE.CARRY);
  c0 = Atomics.load(ctl, CTL.CALLS0) + Atomics.load(ctl, CTL.CALLS1);
  s0 = performance.now();
  rows.push(['2 workers calling flat out, also into the module being unloaded (carried to main)', summary(await measure())]);
  const rate2 = (Atomics.load(ctl, CTL.CALLS0) + Atomics.load(ctl, CTL.CALLS1) - c0) / ((performance.now() - s0) / 1000);
  Atomics.store(ctl, CTL.MODE, MODE.EXIT);
  Atomics.notify(ctl, CTL.MODE);
  for (const w of workers) await w.next();
  await Promise.all(workers.map((w) => w.w.terminate()));
  t.close();
  return { rows, rates: [rate1, rate2] };
}

/** A registration change seen by another thread: main loads, a worker spinning on a call sees it. */
async function visibility(ci) {
  const t = createTable({ abi });
  const ctl = new Int32Array(new SharedArrayBuffer(64 * 4));
  const p = spawn({ role: 'probe', desc: t.describe(), ctl, nrs: { watch: N.sched_yield }, enosys: abi.enosys });
  await until(() => Atomics.load(ctl, CTL.READY) === 1, 'the probe worker');
  await sleep(20);
  const n = ci ? 20 : 300;
  const seen = [];
  const loadCost = [];
  for (let i = 0; i < n; i++) {
    await until(() => Atomics.load(ctl, CTL.SEEN) === 0, 'the probe to see the unload');
    const t0 = performance.now();
    const m = t.load({ name: 'watched', handlers: { sched_yield: () => 0 } });
    const t1 = performance.now();
    // Main polls while it waits, so a probe call that gets carried here (see notes) is served at once.
    let spins = 0;
    while (Atomics.load(ctl, CTL.SEEN) !== 1) {
      t.poll();
      if (++spins > 1e8) throw new Error('bench: the probe never saw the load');
    }
    const t2 = performance.now();
    seen.push((t2 - t0) * 1e6);
    loadCost.push((t1 - t0) * 1e6);
    await m.unload();
  }
  Atomics.store(ctl, CTL.MODE, MODE.EXIT);
  await p.next();
  await p.w.terminate();
  t.close();
  return { seen: summary(seen), load: summary(loadCost) };
}

export async function run({ ci }) {
  const notes = [];
  const targets = [];
  const tables = [];

  console.log('-- round trips (a caller worker, a home worker; main idle)');
  const rt = await roundTrips(ci);
  printCompare(rt.results);
  const get = (name) => rt.results.find((r) => r.name.startsWith(name));
  const post = get('postMessage');
  if (rt.proxied) {
    for (const name of ['systab proxied call (home idle', 'systab proxied call (home busy']) {
      const r = get(name);
      targets.push(target({ what: `${r.name}: median round trip`, cmp: '<=', limit: 5, value: r.nsPerCall / 1000, unit: 'us' }));
      targets.push(target({ what: `${r.name}: speed-up over postMessage`, cmp: '>=', limit: 5, value: 1 / r.ratio, unit: 'x' }));
    }
  } else {
    notes.push('this build of systab has no proxied calls: transport only, systab proxy pending');
    const a = get('Atomics');
    targets.push(target({ what: 'proxied round trip (transport only, systab proxy pending): Atomics round trip', cmp: '<=', limit: 5, value: a.nsPerCall / 1000, unit: 'us', note: 'transport only' }));
  }
  if (rt.proxied) {
    const n = `${rt.lostReplies} postMessage replies lost (1 s timeout); ${rt.wrong} of ${rt.carried} proxied calls did not return the handler's result (call timeout 100 ms: a home that was not woken)`;
    console.log(n);
    notes.push(n);
  }
  notes.push(`round trips: ${rt.results[0].name} is the baseline; "home busy" means the home thread is itself calling table.call in a loop and serves carried calls at its next call; "home idle" means it sits in its event loop and a doorbell (Atomics.waitAsync) wakes it`);

  console.log('\n-- unload() latency');
  const u = await unloads(ci);
  const uRows = u.rows.map(([what, s]) => [what, fmtNs(s.median), fmtNs(s.p90), fmtNs(s.max), String(s.n)]);
  console.log(textTable(['while', 'median', 'p90', 'max', 'unloads'], uRows));
  console.log(`worker call rate: ${(u.rates[0] / 1e6).toFixed(2)} M calls/s (own + missing), ${(u.rates[1] / 1e6).toFixed(2)} M calls/s (with carried calls)`);
  tables.push({ caption: '`await module.unload()` latency, main thread', header: ['while', 'median', 'p90', 'max', 'unloads'], rows: uRows });
  notes.push(`busy workers made ${(u.rates[0] / 1e6).toFixed(2)} M calls/s together (own + missing numbers) and ${(u.rates[1] / 1e6).toFixed(2)} M calls/s when also calling into main's module`);
  for (const [what, s] of u.rows.filter(([w]) => w.startsWith('2 workers'))) targets.push(target({ what: `unload median, ${what}`, cmp: '<=', limit: 1, value: s.median / 1e6, unit: 'ms' }));

  console.log('\n-- a load seen by another thread');
  const v = await visibility(ci);
  const vRows = [
    ['load() start -> a spinning worker sees the handler', fmtNs(v.seen.median), fmtNs(v.seen.p90), fmtNs(v.seen.max), String(v.seen.n)],
    ['load() itself (main thread)', fmtNs(v.load.median), fmtNs(v.load.p90), fmtNs(v.load.max), String(v.load.n)],
  ];
  console.log(textTable(['what', 'median', 'p90', 'max', 'n'], vRows));
  tables.push({ caption: 'Registration change seen by another worker (measured on main\'s clock: the worker raises a shared flag, main spins on it)', header: ['what', 'median', 'p90', 'max', 'n'], rows: vRows });

  return { title, baseline: post.name, results: rt.results, tables, targets, notes, proxied: rt.proxied, unload: u, visibility: v };
}
