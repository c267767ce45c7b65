// The torture (issue 11, "the run-time change promise, proven"): plain JS,
// shared by the Node test (test/torture-node.test.ts, worker_threads), the
// browser test (test/browser/torture.test.ts, Web Workers), their workers
// and scripts/soak.mjs.
//
// Long-lived caller workers call flat out through local (provide()d),
// wrapped, async and carried handlers while the main thread makes seeded
// random changes: load, replace, wrap, unload, reserve/release, hook and
// missing-call policy flips, and starts, stops and terminates short-lived
// workers (homes that load a module of their own, callers that attach, call
// and leave). Every handler returns its identity; every result is checked
// against what was legal during the call.
//
// THE ORACLE (shared memory, written by the main thread; homes write only
// their own retired flag):
//
// - SEQ, the change sequence. Before anything may become reachable (a load,
//   the new version of a replace, a slot becoming empty, a home going away)
//   main takes `from = ++SEQ` and records it first; after something has
//   surely stopped being reachable (a replace returned, an unload resolved,
//   a slot filled) main takes `to = ++SEQ` and records it. So a record's
//   [from, to) covers every moment it could be seen, conservatively.
// - A caller reads SEQ before a call (`b`) and after it returns or its
//   promise settles (`a`). Something that answered the call was legal iff
//   its interval meets [b, a]: `from <= a && b < to` (from == 0: never).
// - Every version of every module has an id (vid); the code main loads for
//   it answers `vid * 8 + n` for call index n (NAMES below). Code a caller
//   provide()s for module L cannot know which version of L's handler record
//   reached it, so it answers `(MAXV + L) * 8 + n`: checked against the union
//   of L's versions that held call n ([min from, max to) per call).
// - A wrap answers `inner * D + own` where inner is what below() answered
//   (itself encoded; 1 for ENOSYS, 2 for ETIMEDOUT). So a result is a chain
//   of digits, top wrap first; every digit but the last must be a legal wrap
//   for this call number, the last a legal plain handler (or the code 1/2).
// - ENOSYS (-38, a thrown SystabError ENOSYS under the 'throw' policy, or
//   code 1 under a wrap) is legal iff the call number's base could have
//   been empty (no handler, or a reservation stub) at some moment of [b, a],
//   or a home of a handler on it could have been gone. ETIMEDOUT (-110, or
//   code 2) is legal only in the latter case (a home terminated or leaving),
//   or while any home could have been gone: main, home of every wrap and of
//   main's modules, may be blocked in a carried call to that home until its
//   exit is seen (a Node thread sees a worker's exit only from its event
//   loop), and calls carried to main wait behind it (README, Fault model).
//   Per call number main keeps rings of these intervals.
// - RETIRED flags (one per version, one per module for provided code): set
//   when unload() resolves (and for a replaced version when `drained`
//   resolves). Every handler checks its flag on entry and on exit (async
//   ones on entry and when their promise settles) and counts violations.
// Anything else a call gives (another number, a thrown error of another
// kind, ENOCODE, EREMOTE, EAGAIN (-11), a TypeError) is a failure, counted by kind.

export const NAMES = ['write', 'read', 'getpid', 'close', 'lseek', 'openat'];
/** Call indices whose plain handlers only main loads (its own modules). */
export const MAIN_NRS = [0, 1, 2, 3];
/** Call indices whose plain handlers only home workers load (one home per call at a time). */
export const HOME_NRS = [4, 5];
const ENOSYS = -38;
const ETIMEDOUT = -110;
const EAGAIN = -11;
const D = 32768; // digit base: ids below 4096, times 8 call indices
const MAXV = 2048; // versions 1..2047; provided-code ids MAXV + lineage
const MAXL = 2048;
const INF = 0x7fffffff;
const K_WRAP = 1;
const K_ASYNC = 2;
const K_PROVIDED = 4;
const K_HOME = 8;

// Header words
const H_SEQ = 0;
const H_VCOUNT = 1;
const H_STOP = 2;
const H_VIOL_IN = 3;
const H_VIOL_OUT = 4;
const H_LCOUNT = 5;
const H_FIRST_IN = 6;
const H_FIRST_OUT = 7;
const H_PROG = 8; // 8 words: progress (calls) of the long-lived callers
const H_PHASE = 16; // what main is doing (for failure samples)
const HEADER = 24;
// Versions
const V_AT = HEADER;
const V_W = 8;
const V_FROM = 0;
const V_TO = 1;
const V_RET = 2;
const V_KIND = 3;
const V_MASK = 4;
// Lineages (modules; each name is loaded at most once, then replaced, then unloaded)
const L_AT = V_AT + MAXV * V_W;
const L_W = 16;
const L_RET = 0;
const L_KIND = 1;
const L_FROM = 2; // 6 words
const L_TO = 8; // 6 words
// Rings of intervals per call index and kind (EMPTY: ENOSYS legal; GONE: ENOSYS and ETIMEDOUT legal)
const RING = 256;
const R_AT = L_AT + MAXL * L_W;
const R_W = 1 + 2 * RING;
const EMPTY = 0;
const GONE = 1;
const WORDS = R_AT + NAMES.length * 2 * R_W;

const vAt = (v) => V_AT + v * V_W;
const lAt = (l) => L_AT + l * L_W;
const rAt = (i, kind) => R_AT + (i * 2 + kind) * R_W;
export const lineageName = (l) => `t${l}`;

/** A seeded PRNG (mulberry32). */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A turn of the event loop without the browsers' 4 ms clamp on nested timers.
const tick =
  typeof setImmediate === 'function'
    ? () => new Promise((r) => setImmediate(r))
    : (() => {
        const ch = new MessageChannel();
        const waiting = [];
        ch.port1.onmessage = () => waiting.shift()?.();
        return () =>
          new Promise((r) => {
            waiting.push(r);
            ch.port2.postMessage(0);
          });
      })();
const isThenable = (r) => r !== null && typeof r === 'object' && typeof r.then === 'function';

/** `p`, or a rejection naming `what` after `ms` (a hang becomes a failure). */
export function within(p, ms, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`watchdog: ${what} did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---- handlers ----

function violation(o, at, first, digit) {
  Atomics.add(o, at, 1);
  Atomics.compareExchange(o, first, 0, digit);
}

/** A plain handler answering `digit`, checking retired flag `ret` on entry and exit. */
function plain(o, digit, ret, async, delayMs) {
  if (!async) {
    return () => {
      if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_IN, H_FIRST_IN, digit);
      const r = digit;
      if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_OUT, H_FIRST_OUT, digit);
      return r;
    };
  }
  let n = 0;
  return async () => {
    if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_IN, H_FIRST_IN, digit);
    // Now and then a long one (a timer), so that changes happen while it runs.
    if (delayMs > 0 || (++n & 31) === 0) await sleep(delayMs > 0 ? delayMs : 2);
    else await 0;
    await 0;
    if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_OUT, H_FIRST_OUT, digit);
    return digit;
  };
}

/** What a wrap answers for `below`'s answer `v`: the chain, or v itself if it is not one (the checker flags it). */
function chain(v, digit) {
  const code = v === ENOSYS ? 1 : v === ETIMEDOUT ? 2 : Number.isSafeInteger(v) && v >= 8 ? v : -1;
  return code < 0 ? v : code * D + digit;
}

/** A wrap factory: sync (passes a promise from below through, adding its digit when it settles) or async (awaits first). */
function wrap(o, digit, ret, async) {
  if (!async) {
    return (below) => (a0, a1, a2, a3, a4, a5) => {
      if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_IN, H_FIRST_IN, digit);
      const r = below(a0, a1, a2, a3, a4, a5);
      if (isThenable(r)) {
        return r.then((v) => {
          if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_OUT, H_FIRST_OUT, digit);
          return chain(v, digit);
        });
      }
      if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_OUT, H_FIRST_OUT, digit);
      return chain(r, digit);
    };
  }
  return (below) => async (a0, a1, a2, a3, a4, a5) => {
    if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_IN, H_FIRST_IN, digit);
    await 0;
    const v = await below(a0, a1, a2, a3, a4, a5);
    if (Atomics.load(o, ret) !== 0) violation(o, H_VIOL_OUT, H_FIRST_OUT, digit);
    return chain(v, digit);
  };
}

/** A module spec for identity `id` (a vid, or MAXV + lineage) over call indices `mask`. */
function specFor(o, name, id, ret, kind, mask, delayMs = 0) {
  const spec = { name };
  const field = (kind & K_WRAP) !== 0 ? 'wraps' : 'handlers';
  spec[field] = {};
  for (let i = 0; i < NAMES.length; i++) {
    if (((mask >> i) & 1) === 0) continue;
    const digit = id * 8 + i;
    spec[field][NAMES[i]] = (kind & K_WRAP) !== 0 ? wrap(o, digit, ret, (kind & K_ASYNC) !== 0) : plain(o, digit, ret, (kind & K_ASYNC) !== 0, delayMs);
  }
  return spec;
}

/** Code a caller provides for lineage `l` (all six calls: any version of it may hold any). */
function providedSpec(o, l) {
  const kind = o[lAt(l) + L_KIND];
  return specFor(o, lineageName(l), MAXV + l, lAt(l) + L_RET, kind, 0b111111);
}

// ---- the checker (caller side) ----

function newStats() {
  return { calls: 0, syncCalls: 0, asyncResults: 0, bursts: 0, local: 0, exact: 0, wrapped: 0, enosys: 0, enosysThrown: 0, etimedout: 0, etimedoutStalled: 0, etimedoutBehind: 0, bad: {}, samples: [] };
}

/**
 * Main, the home of main's modules, stalled: inside one synchronous change
 * for over a second now, or one ended in the last `callTimeout` + 1 s (wd words, see runTorture).
 */
function stallCheck(data) {
  if (data.wd === undefined) return () => false;
  const wd = new Int32Array(data.wd);
  return () => {
    const now = Date.now() - data.base;
    if (Atomics.load(wd, 0) !== 0 && now - Atomics.load(wd, 1) > 1000) return true;
    return Atomics.load(wd, 5) !== 0 && now - Atomics.load(wd, 6) < data.callTimeout + 1000;
  };
}

function makeChecker(o, st, mainStalled = () => false) {
  const bad = (label, detail) => {
    st.bad[label] = (st.bad[label] ?? 0) + 1;
    if (st.samples.length < 12) st.samples.push({ label, ...detail, phase: Atomics.load(o, H_PHASE), t: Math.round(performance.now() - (globalThis.__tortureT0 ??= performance.now())) });
  };
  /** Did interval kind `kind` (or EMPTY and GONE if kind < 0) of call index i meet [b, a]? */
  const gap = (i, kind, b, a) => {
    for (const k of kind < 0 ? [EMPTY, GONE] : [kind]) {
      const at = rAt(i, k);
      const n = Atomics.load(o, at);
      for (let j = n - 1; j >= 0 && j >= n - RING + 4; j--) {
        const e = at + 1 + (j % RING) * 2;
        const from = Atomics.load(o, e);
        const to = Atomics.load(o, e + 1);
        if (from <= a && b < to) return true;
        if (to <= b) break; // older intervals of this kind ended earlier still
      }
      if (n >= RING - 4 && Atomics.load(o, at) - n >= RING - 4) return true; // overrun while looking: cannot tell
    }
    return false;
  };
  /** Could a home (of any call) have been gone during [b, a]? Main may be blocked on it meanwhile. */
  const anyGone = (b, a) => HOME_NRS.some((i) => gap(i, GONE, b, a));
  /** Why identity `id` could not have answered call index i as a wrap (or plain) during [b, a], or undefined if it could. */
  const why = (id, i, asWrap, b, a) => {
    let kind, from, to;
    if (id >= 1 && id < MAXV) {
      const at = vAt(id);
      kind = o[at + V_KIND];
      if (((o[at + V_MASK] >> i) & 1) === 0) return 'a version answered a call it does not implement';
      from = Atomics.load(o, at + V_FROM);
      to = Atomics.load(o, at + V_TO);
    } else if (id >= MAXV && id < MAXV + MAXL) {
      const at = lAt(id - MAXV);
      kind = o[at + L_KIND];
      from = Atomics.load(o, at + L_FROM + i);
      to = Atomics.load(o, at + L_TO + i);
    } else return 'no such handler';
    if (((kind & K_WRAP) !== 0) !== asWrap) return asWrap ? 'a plain handler answered as a wrap' : 'a wrap answered as a plain handler';
    if (from === 0 || from > a) return 'answered by a handler not yet loaded';
    if (b >= to) return 'answered by a handler already removed';
    return undefined;
  };
  const check = (i, r, b, a) => {
    st.calls++;
    if (r === ENOSYS) {
      if (gap(i, -1, b, a)) st.enosys++;
      else bad('ENOSYS (-38) while the call was implemented throughout', { call: NAMES[i], r, b, a });
      return;
    }
    if (r === ETIMEDOUT) {
      if (gap(i, GONE, b, a)) st.etimedout++;
      else if (mainStalled()) st.etimedoutStalled++;
      else if (anyGone(b, a)) st.etimedoutBehind++;
      else bad('ETIMEDOUT (-110) while no home was gone or stalled', { call: NAMES[i], r, b, a });
      return;
    }
    if (r === EAGAIN) return bad('EAGAIN (-11)', { call: NAMES[i], r });
    if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 8) return bad('unexpected result', { call: NAMES[i], r: String(r) });
    let x = r;
    let depth = 0;
    for (;;) {
      const d = x % D;
      x = (x - d) / D;
      if (d < 8) {
        if (depth === 0 || x !== 0 || (d !== 1 && d !== 2)) return bad('unexpected result', { call: NAMES[i], r });
        if (d === 1 && !gap(i, -1, b, a)) return bad('ENOSYS below a wrap while the call was implemented throughout', { call: NAMES[i], r, b, a });
        if (d === 2 && !gap(i, GONE, b, a) && !mainStalled() && !anyGone(b, a)) return bad('ETIMEDOUT below a wrap while no home was gone or stalled', { call: NAMES[i], r, b, a });
        if (d === 1) st.enosys++;
        else st.etimedout++;
        break;
      }
      if ((d & 7) !== i) return bad('answered by the handler of another call', { call: NAMES[i], r });
      const id = d >> 3;
      const w = why(id, i, x !== 0, b, a);
      if (w !== undefined) return bad(w, { call: NAMES[i], r, id, b, a });
      if (x === 0) {
        if (id >= MAXV) st.local++;
        else st.exact++;
        break;
      }
      depth++;
    }
    if (depth > 0) st.wrapped++;
  };
  const thrown = (i, e, b, a) => {
    st.calls++;
    if (e !== null && typeof e === 'object' && e.name === 'SystabError') {
      if (e.code === 'ENOSYS' && gap(i, -1, b, a)) {
        st.enosysThrown++;
        return;
      }
      return bad(`SystabError ${e.code}`, { call: NAMES[i], message: String(e.message) });
    }
    bad(`thrown ${e?.name ?? typeof e}`, { call: NAMES[i], message: String(e?.message ?? e) });
  };
  return { check, thrown, bad };
}

function provideNew(t, o, done) {
  const n = Atomics.load(o, H_LCOUNT);
  for (; done < n; done++) if ((o[lAt(done) + L_KIND] & K_PROVIDED) !== 0) t.provide(providedSpec(o, done));
  return done;
}

/**
 * A caller's loop: batches of calls over every call index (sync calls, with
 * bursts of concurrent callAsync), each result checked, until stop().
 */
async function callLoop(t, data, stop) {
  const o = new Int32Array(data.oracle);
  const nrs = data.nrs;
  const rand = prng(data.seed);
  const st = newStats();
  const { check, thrown, bad } = makeChecker(o, st, stallCheck(data));
  t.onEnter(() => undefined);
  t.onExit(() => undefined);
  let provided = 0;
  let batch = 0;
  let lastPost = performance.now();
  let lcg = data.seed >>> 0;
  const seq = () => Atomics.load(o, H_SEQ);
  const settle = (p, what) =>
    within(p, 10_000, what).catch((e) => {
      bad('a call never settled', { message: e.message });
    });
  while (!stop()) {
    if (!data.noProvide) provided = provideNew(t, o, provided);
    if (rand() < 0.02) {
      // A burst of concurrent callAsync: more than the 4 call records a thread has for carried calls.
      st.bursts++;
      const ps = [];
      for (let k = 0; k < 6; k++) {
        const i = MAIN_NRS[Math.floor(rand() * MAIN_NRS.length)];
        const b = seq();
        let p;
        try {
          p = t.callAsync(nrs[i], 1, 2, 3);
        } catch (e) {
          thrown(i, e, b, seq());
          continue;
        }
        st.asyncResults++;
        ps.push(Promise.resolve(p).then((v) => check(i, v, b, seq()), (e) => thrown(i, e, b, seq())));
      }
      await settle(Promise.all(ps), 'a burst of callAsync');
    } else {
      const pending = [];
      for (let k = 0; k < 256; k++) {
        if ((k & 3) === 0) {
          if (data.progress !== undefined) Atomics.store(o, data.progress, st.calls);
          if (k > 0 && stop()) break;
        }
        lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
        const i = lcg % 6;
        const b = seq();
        let r;
        try {
          r = t.call(nrs[i], 1, 2, 3);
        } catch (e) {
          thrown(i, e, b, seq());
          continue;
        }
        if (typeof r === 'number') check(i, r, b, seq());
        else if (isThenable(r)) {
          st.asyncResults++;
          pending.push(r.then((v) => check(i, v, b, seq()), (e) => thrown(i, e, b, seq())));
        } else {
          st.calls++;
          bad('unexpected result', { call: NAMES[i], r: String(r) });
        }
      }
      st.syncCalls += 256;
      if (pending.length > 0) await settle(Promise.all(pending), 'an async call');
    }
    batch++;
    if (data.interim !== undefined && performance.now() - lastPost > 500) {
      lastPost = performance.now();
      data.interim(st);
    }
    if (data.progress !== undefined) Atomics.store(o, data.progress, st.calls);
    if ((batch & 31) === 0) await tick(); // the event loop: idle serving
  }
  return st;
}

/** A home: loads its own module (version data.vid on one call), serves calls carried to it, unloads and leaves when told. */
async function homeLoop(t, data, post) {
  const o = new Int32Array(data.oracle);
  const cmd = new Int32Array(data.cmd);
  const vid = data.vid;
  let m;
  try {
    m = t.load(specFor(o, lineageName(data.lineage), vid, vAt(vid) + V_RET, data.kind, 1 << data.index, data.delayMs));
  } catch (e) {
    post({ loadError: { code: e?.code, message: String(e?.message ?? e) } });
    return;
  }
  post({ loaded: true, token: m.token });
  let unloading = false;
  for (;;) {
    for (let k = 0; k < 100; k++) {
      t.poll();
      const c = Atomics.load(cmd, 0);
      if (c === 1 && !unloading) {
        unloading = true;
        m.unload({ timeout: data.unloadMs }).then(
          () => {
            Atomics.store(o, vAt(vid) + V_RET, 1);
            post({ unloaded: true });
          },
          (e) => post({ unloadError: { code: e?.code, message: String(e?.message ?? e) } }),
        );
      }
      if (c === 2 || c === 3) {
        if (c === 2 || !data.node) t.close();
        post({ bye: c === 2 ? 'close' : 'normal' });
        return; // Node: a normal exit (close at exit); browser: the worker closes itself
      }
      Atomics.wait(cmd, 1, 0, 0.05);
    }
    await (data.delayMs > 0 ? sleep(0) : tick()); // async handlers settle, unload() proceeds
  }
}

/** Resolves once this thread's lease word says its lease is held (at most 2 s). */
async function leaseGranted(t, data) {
  const { words, state, id, lease, maxw } = data.lease;
  const i32 = new Int32Array(t.describe().memory.buffer);
  const mine = () => {
    for (let w = 0; w < i32[maxw]; w++) {
      const r = t.v.at.workers + w * words;
      if (Atomics.load(i32, r + state) !== 0 && i32[r + id] === data.threadId) return r;
    }
    return -1;
  };
  for (let k = 0; k < 200; k++) {
    const r = mine();
    if (r >= 0 && Atomics.load(i32, r + lease) === 1) return;
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** What a worker does (Node worker_threads and Web Workers alike). */
export async function workerMain(data, post, attach, exit) {
  if (data.role === 'watchdog') return watchdog(data, post);
  const o = new Int32Array(data.oracle);
  if (data.role === 'lite') {
    // Parked until main lets it go: its attach() then lands where main wants it (during a grace period, say).
    const go = new Int32Array(data.go);
    if (Atomics.wait(go, 0, 0, 60_000) === 'timed-out') {
      post({ result: newStats(), parkedTooLong: true });
      return exit();
    }
  }
  let t;
  try {
    t = attach(data.desc, { async: true, callTimeout: data.callTimeout, ...(data.threadId !== undefined ? { threadId: data.threadId } : {}) });
  } catch (e) {
    post({ attachError: { code: e?.code, message: String(e?.message ?? e) } });
    return exit();
  }
  // A browser sees a terminated worker by its Web Lock lease, granted in its
  // event loop after attach() (README, Threads): report in only once it is held.
  if (data.lease !== undefined) await leaseGranted(t, data);
  if (data.role === 'caller') {
    post({ ready: true });
    const st = await callLoop(t, { ...data, interim: (s) => post({ interim: s }) }, () => Atomics.load(o, H_STOP) !== 0);
    t.close();
    post({ result: st });
    return exit();
  }
  if (data.role === 'home') {
    await homeLoop(t, data, post);
    return exit();
  }
  // lite: call for a while, then leave as told.
  post({ attached: true });
  const until = performance.now() + data.lifeMs;
  const st = await callLoop(t, data, () => performance.now() >= until || Atomics.load(o, H_STOP) !== 0);
  if (data.mode === 'asyncExit') {
    // The last thing this worker does: await a call that is carried (its
    // home is main). Nothing else keeps the worker alive meanwhile.
    post({ result: st });
    const i = data.asyncIndex;
    const b = Atomics.load(o, H_SEQ);
    const st2 = newStats();
    const { check, thrown } = makeChecker(o, st2, stallCheck(data));
    try {
      check(i, await t.callAsync(data.nrs[i], 1, 2, 3), b, Atomics.load(o, H_SEQ));
    } catch (e) {
      thrown(i, e, b, Atomics.load(o, H_SEQ));
    }
    post({ asyncDone: st2 });
    return exit();
  }
  if (data.mode === 'close' || !data.node) t.close();
  post({ result: st });
  return exit();
}

/**
 * The watchdog thread: when main has been inside one synchronous table
 * change for `limitMs` (a writer lock that is never given back blocks it for
 * good, and no timer of main's can fire then), it records what held the
 * lock, frees it so main can go on and fail the test, and says so.
 */
async function watchdog(data, post) {
  const wd = new Int32Array(data.wd); // [0] busy, [1] since (ms after base), [2] fired, [3] stop, [4] lock holder seen
  const mem = new Int32Array(data.memory.buffer);
  for (;;) {
    Atomics.wait(wd, 3, 0, 200);
    if (Atomics.load(wd, 3) !== 0) return post({ stopped: true });
    const busy = Atomics.load(wd, 0);
    if (busy !== 0 && Date.now() - data.base - Atomics.load(wd, 1) > data.limitMs) {
      const holder = Atomics.load(mem, data.lockIndex);
      Atomics.store(wd, 4, holder);
      Atomics.add(wd, 2, 1);
      post({ fired: { busy, holder } });
      if (holder !== 0) {
        Atomics.compareExchange(mem, data.lockIndex, holder, 0);
        Atomics.notify(mem, data.lockIndex);
      }
      Atomics.store(wd, 1, Date.now() - data.base); // once per limit
    }
  }
}

// ---- the main thread: the changes ----

/**
 * Runs one torture. `platform.spawn(data)` starts a worker running
 * workerMain(data) and returns { threadId, post, onMessage(fn), onExit(fn), terminate() }.
 * Returns a report; the caller asserts on it (report.failures must be empty).
 */
export async function runTorture(opts) {
  const { t, seed, platform, lockIndex } = opts;
  const log = opts.log ?? (() => {});
  const node = opts.node === true;
  const evict = opts.evict === true;
  const minChanges = opts.minChanges ?? 1000;
  const minCalls = opts.minCalls ?? 1_000_000;
  const minMs = opts.minMs ?? 0;
  const maxMs = opts.maxMs ?? 70_000;
  const nCallers = opts.callers ?? 2;
  const callTimeout = opts.callTimeout ?? 3000;
  const unloadMs = opts.unloadMs ?? 6000;
  const abi = t.abi;
  const nrs = NAMES.map((n) => abi.names[n]);
  const sab = new SharedArrayBuffer(WORDS * 4);
  const o = new Int32Array(sab);
  const rand = prng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;

  // Failures: label -> count, with a few samples.
  const failures = {};
  const samples = [];
  const fail = (label, detail = {}) => {
    failures[label] = (failures[label] ?? 0) + 1;
    // Violations of the promise are always shown, whatever came before.
    if (samples.length < 30 || label.includes('resolved')) samples.push({ label, at: Math.round(elapsed()), ...detail });
  };
  const ops = {};
  const count = (k) => (ops[k] = (ops[k] ?? 0) + 1);
  const callStats = newStats();
  const merge = (st) => {
    for (const k of Object.keys(st)) {
      if (typeof st[k] === 'number') callStats[k] += st[k];
    }
    for (const [k, v] of Object.entries(st.bad)) {
      callStats.bad[k] = (callStats.bad[k] ?? 0) + v;
      failures[`call: ${k}`] = (failures[`call: ${k}`] ?? 0) + v;
    }
    for (const s of st.samples) if (samples.length < 30) samples.push({ label: `call: ${s.label}`, ...s });
  };

  // ---- oracle writes ----
  const next = () => Atomics.add(o, H_SEQ, 1) + 1;
  const openIdx = [0, 1, 2, 3, 4, 5].map(() => [-1, -1]);
  const open = (i, kind) => {
    if (openIdx[i][kind] >= 0) return;
    const at = rAt(i, kind);
    const n = o[at];
    const e = at + 1 + (n % RING) * 2;
    Atomics.store(o, e + 1, INF);
    Atomics.store(o, e, next());
    Atomics.store(o, at, n + 1);
    openIdx[i][kind] = n;
  };
  const close = (i, kind) => {
    const n = openIdx[i][kind];
    if (n < 0) return;
    Atomics.store(o, rAt(i, kind) + 1 + (n % RING) * 2 + 1, next());
    openIdx[i][kind] = -1;
  };
  for (let i = 0; i < NAMES.length; i++) open(i, EMPTY); // every call starts missing

  let vids = 0;
  const newVersion = (kind, mask) => {
    if (vids >= MAXV - 1) throw new Error('out of version ids');
    const v = ++vids;
    Atomics.store(o, H_VCOUNT, v);
    const at = vAt(v);
    o[at + V_KIND] = kind;
    o[at + V_MASK] = mask;
    Atomics.store(o, at + V_TO, INF);
    Atomics.store(o, at + V_FROM, next());
    return v;
  };
  let lineages = 0;
  const newLineage = (kind) => {
    const l = lineages++;
    o[lAt(l) + L_KIND] = kind;
    Atomics.store(o, H_LCOUNT, lineages);
    return l;
  };
  const retire = (v) => Atomics.store(o, vAt(v) + V_RET, 1);
  const mainSpec = (m, v, mask) => specFor(o, lineageName(m.l), v, vAt(v) + V_RET, m.kind, mask);

  // ---- the watchdog thread ----
  const wdBuf = new SharedArrayBuffer(32);
  const wd = new Int32Array(wdBuf);
  const base = Date.now();
  const dog = platform.spawn({ role: 'watchdog', wd: wdBuf, memory: t.describe().memory, lockIndex, base, limitMs: opts.lockLimitMs ?? 15_000, oracle: sab });
  dog.onMessage((m) => {
    if (m.fired) fail('watchdog: main was blocked in one synchronous change (the writer lock never came back)', { holder: m.fired.holder });
  });
  // wd: [0] main is in a synchronous change, [1] since when (ms after base), [2] watchdog fired,
  // [3] stop, [4] lock holder seen, [5] long changes (> 1 s), [6] when the last one ended.
  let longest = 0;
  const sync = (what, f) => {
    const t1 = Date.now() - base;
    Atomics.store(wd, 1, t1);
    Atomics.store(wd, 0, 1);
    try {
      return f();
    } finally {
      Atomics.store(wd, 0, 0);
      const t2 = Date.now() - base;
      longest = Math.max(longest, t2 - t1);
      if (t2 - t1 > 1000) {
        Atomics.store(wd, 6, t2);
        Atomics.add(wd, 5, 1);
        count('main stalled > 1 s in a synchronous change');
        if (t2 - t1 > 5000) fail(`main was blocked over 5 s inside ${what}`, { ms: t2 - t1 });
      }
    }
  };
  /** Main had a long synchronous change since `since` (ms after base): later timers and replies are late because of it. */
  const stalledSince = (since) => Atomics.load(wd, 0) !== 0 || (Atomics.load(wd, 5) !== 0 && Atomics.load(wd, 6) >= since);

  // ---- workers ----
  let threadIds = 1000;
  const workers = new Set();
  const spawned = { callers: 0, homes: 0, lites: 0, terminated: 0, closed: 0, normal: 0, asyncExit: 0, evicted: 0 };
  const base_ = (role) => ({ role, desc: t.describe(), oracle: sab, wd: wdBuf, base, nrs, callTimeout, node, threadId: node ? undefined : ++threadIds, seed: Math.floor(rand() * 2 ** 31) });
  const start = (data) => {
    const w = platform.spawn(data);
    const rec = { w, data, role: data.role, gone: false, terminated: false, reported: false, bye: false, exited: undefined };
    w.onMessage((m) => {
      if (m.workerError !== undefined) fail(`a ${data.role} worker threw`, { message: m.workerError.slice(0, 500) });
    });
    rec.exited = new Promise((res) => w.onExit((code) => { rec.gone = true; workers.delete(rec); res(code); }));
    workers.add(rec);
    return rec;
  };
  const kill = (rec) => {
    rec.terminated = true;
    spawned.terminated++;
    const p = Promise.resolve(rec.w.terminate()).then(() => {
      rec.gone = true;
      workers.delete(rec);
      if (evict) {
        if (t.evict(rec.w.threadId)) spawned.evicted++;
      }
    });
    const since = Date.now() - base;
    return within(p, 10_000, 'worker.terminate()').catch((e) => {
      if (!stalledSince(since)) fail('watchdog: worker.terminate() hung', { message: e.message, role: rec.role, mode: rec.data.mode, reported: rec.reported, lock: Atomics.load(new Int32Array(t.describe().memory.buffer), lockIndex) });
    });
  };

  // Long-lived callers.
  const callers = [];
  for (let k = 0; k < nCallers; k++) {
    const rec = start({ ...base_('caller'), progress: H_PROG + k });
    spawned.callers++;
    rec.ready = new Promise((res) => rec.w.onMessage((m) => { if (m.ready) res(); }));
    rec.result = new Promise((res) => rec.w.onMessage((m) => { if (m.result) res(m.result); }));
    rec.w.onMessage((m) => { if (m.interim) rec.interim = m.interim; });
    rec.w.onMessage((m) => { if (m.attachError) fail(`caller attach: ${m.attachError.code}`, m.attachError); });
    callers.push(rec);
  }
  await within(Promise.all(callers.map((c) => c.ready)), 20_000, 'callers starting');
  const callsSoFar = () => callers.reduce((s, _, k) => s + Atomics.load(o, H_PROG + k), 0);

  // Homes: one per home call index at a time.
  const homes = new Map(); // call index -> home record
  const cleanups = [];
  const spawnHome = () => {
    const free = HOME_NRS.filter((i) => !homes.has(i));
    if (free.length === 0) return false;
    const i = pick(free);
    const async = rand() < 0.5;
    const kind = K_HOME | (async ? K_ASYNC : 0);
    const l = newLineage(kind);
    const vid = newVersion(kind, 1 << i);
    const cmd = new SharedArrayBuffer(8);
    const rec = start({ ...base_('home'), vid, lineage: l, index: i, kind, delayMs: async ? Math.floor(rand() * 3) : 0, cmd, unloadMs });
    rec.i = i;
    rec.vid = vid;
    rec.cmd = new Int32Array(cmd);
    rec.state = 'starting';
    homes.set(i, rec);
    spawned.homes++;
    rec.w.onMessage((m) => {
      if (m.loaded) {
        rec.token = m.token;
        rec.state = 'loaded';
        close(i, EMPTY);
      } else if (m.loadError) {
        // A call still held by another module's unload (its grace period under way) is EBUSY, as documented.
        if (m.loadError.code === 'EBUSY' && /is being unloaded/.test(m.loadError.message)) count('home load refused (EBUSY: being unloaded)');
        else fail(`home load: ${m.loadError.code}`, m.loadError);
        rec.state = 'unloaded';
        rec.bye = true; // a home with nothing loaded leaves by itself
      } else if (m.unloaded) {
        rec.state = 'unloaded';
        Atomics.store(o, vAt(vid) + V_TO, next());
      } else if (m.unloadError) {
        // A home told to close while its unload waits: the unload rejects EBUSY (closed) and the next writer finishes it (README).
        const closing = rec.byeMode !== undefined && m.unloadError.code === 'EBUSY' && /closed/.test(m.unloadError.message);
        if (closing) count('home unload left to the next writer (closed)');
        else if (!rec.terminated) fail(`home unload: ${m.unloadError.code}`, m.unloadError);
        rec.state = 'loaded';
        close(i, EMPTY);
      } else if (m.attachError) fail(`home attach: ${m.attachError.code}`, m.attachError);
      else if (m.bye) rec.bye = true;
    });
    rec.exited.then(async (code) => {
      if (!rec.terminated && !rec.bye) fail('a home worker exited unasked', { code });
      if (!rec.terminated && rec.bye) spawned[rec.data.node && rec.byeMode === 'normal' ? 'normal' : 'closed']++;
      // A Web Worker runs on for a moment after terminate(): it is gone once systab has freed its record.
      if (platform.gone !== undefined) await platform.gone(rec.data.threadId);
      cleanups.push(rec);
    });
    return true;
  };
  const commandHome = (rec, c) => {
    Atomics.store(rec.cmd, 0, c);
    Atomics.notify(rec.cmd, 1);
  };
  const leaveHome = (rec, how) => {
    // The home may go away with its handler loaded: calls carried there may answer ENOSYS or, until that is noticed, ETIMEDOUT.
    open(rec.i, EMPTY);
    open(rec.i, GONE);
    rec.byeMode = how;
    if (how === 'terminate') return kill(rec);
    commandHome(rec, how === 'close' ? 2 : 3);
    return Promise.resolve();
  };
  const cleanHome = async (rec) => {
    // After a home has gone: unload its module if it is still there (by its owner token), then the call is free again.
    open(rec.i, EMPTY);
    let stuck = false;
    if (rec.token !== undefined && rec.state !== 'unloaded') {
      let m;
      try {
        m = sync('module()', () => t.module(rec.token));
      } catch (e) {
        if (e?.code !== 'ENOTLOADED') fail(`module(token): ${e?.code ?? e?.name}`, { message: String(e?.message) });
      }
      if (m !== undefined) {
        try {
          await within(sync('unload()', () => m.unload({ timeout: unloadMs })), unloadMs + 5000, 'unload of a gone home\'s module');
        } catch (e) {
          if (e?.code !== 'ENOTLOADED') stuck = true;
          if (e?.code !== 'ENOTLOADED') fail(`unload of a gone home's module: ${e?.code === 'ETIMEDOUT' ? `ETIMEDOUT (${why(e)})` : e?.code ?? e?.message}`, { message: String(e?.message) });
        }
      }
    }
    count('home cleanup');
    // Still loaded with its home gone: its call stays unusable for homes (and ENOSYS/ETIMEDOUT stay legal there).
    if (stuck) return;
    retire(rec.vid);
    Atomics.store(o, vAt(rec.vid) + V_TO, next());
    close(rec.i, GONE);
    homes.delete(rec.i);
  };

  // Short-lived callers, parked until let go.
  const lites = new Set();
  const spawnLite = () => {
    if (lites.size >= 3) return false;
    const modes = node ? ['close', 'normal', 'asyncExit', 'terminate'] : ['close', 'normal', 'terminate'];
    const mode = pick(modes);
    const go = new SharedArrayBuffer(4);
    const held = MAIN_NRS.filter((i) => plainOwner(i) !== undefined);
    const rec = start({ ...base_('lite'), go, mode, lifeMs: 10 + Math.floor(rand() * 150), asyncIndex: held.length > 0 ? pick(held) : pick(MAIN_NRS), noProvide: mode === 'asyncExit' });
    rec.go = new Int32Array(go);
    rec.mode = mode;
    lites.add(rec);
    spawned.lites++;
    rec.w.onMessage((m) => {
      if (m.result) {
        rec.reported = true;
        if (!m.parkedTooLong) merge(m.result);
      }
      if (m.asyncDone) {
        rec.asyncDone = true;
        merge(m.asyncDone);
      }
      if (m.attachError) fail(`worker attach: ${m.attachError.code}`, m.attachError);
      if (m.attached) rec.attached = true;
    });
    rec.exited.then((code) => {
      lites.delete(rec);
      if (rec.terminated) return;
      if (mode === 'asyncExit' && !rec.asyncDone) fail('a Node worker exited while its `await t.callAsync()` was pending (not kept alive)', { code });
      else if (!rec.reported) fail('a worker exited without reporting', { mode, code });
      else spawned[mode === 'asyncExit' ? 'asyncExit' : mode === 'close' ? 'closed' : 'normal']++;
    });
    return true;
  };
  const letGo = (rec) => {
    rec.released = true;
    Atomics.store(rec.go, 0, 1);
    Atomics.notify(rec.go, 0);
    if (rec.mode === 'terminate') {
      // Terminated while it calls (its calls may be carried, or hold a grace period).
      rec.killAt = performance.now() + 5 + rand() * 100;
    }
  };
  /** A worker event during a change: let a parked worker attach, terminate one, or send a home away. */
  const lifecycle = async () => {
    const r = rand();
    const parked = [...lites].filter((l) => !l.released);
    if (r < 0.4 && parked.length > 0) {
      letGo(pick(parked));
      count('worker attaches');
    } else if (r < 0.6) {
      // Browsers: only a worker whose lease is held can be seen gone (README); Node sees every exit.
      const running = [...lites].filter((l) => l.released && !l.terminated && !l.gone && (node || l.attached));
      if (running.length > 0) {
        void kill(pick(running));
        count('worker terminated');
      }
    } else if (r < 0.85) {
      const hs = [...homes.values()].filter((h) => h.state === 'loaded' && !h.terminated && h.byeMode === undefined);
      if (hs.length > 0) {
        const h = pick(hs);
        const how = pick(['terminate', 'terminate', 'close', 'normal']);
        // A home may be inside the synchronous part of a change: its exit is awaited before main changes the table (README).
        if (how === 'terminate') await leaveHome(h, how);
        else void leaveHome(h, how);
        count(`home leaves (${how})`);
      }
    } else if (spawnLite()) count('worker spawned');
  };

  // ---- main's modules ----
  const mods = []; // { l, name, kind, v, mask, h (Module), state: 'reserved'|'loaded'|'done', reserved: mask }
  const loaded = () => mods.filter((m) => m.state === 'loaded');
  const plainOwner = (i) => mods.find((m) => m.state === 'loaded' && (m.kind & K_WRAP) === 0 && ((m.mask >> i) & 1) !== 0);
  const reservedBy = (i) => mods.find((m) => (m.reserved >> i) & 1);
  const randomMask = (from, p) => {
    let mask = 0;
    for (const i of from) if (rand() < p) mask |= 1 << i;
    return mask === 0 ? 1 << pick(from) : mask;
  };
  const free = (i, m) => { const a = plainOwner(i); const r = reservedBy(i); return (a === undefined || a === m) && (r === undefined || r === m); };
  const setLineage = (m, v, mask) => {
    const at = lAt(m.l);
    for (let i = 0; i < NAMES.length; i++) {
      if (((mask >> i) & 1) === 0) continue;
      if (o[at + L_FROM + i] === 0) Atomics.store(o, at + L_FROM + i, o[vAt(v) + V_FROM]);
      Atomics.store(o, at + L_TO + i, INF);
    }
  };
  const expected = new Set(['EEXIST', 'ERESERVED', 'ENOTOWNER', 'EBUSY']);
  /** What held an unload back, from its ETIMEDOUT message. */
  const why = (e) => {
    const m = String(e?.message);
    return /in flight/.test(m) ? 'a call still in flight' : /quiescent/.test(m) ? 'a worker never quiescent' : /lock/.test(m) ? 'the writer lock' : 'other';
  };
  const drains = [];
  let changes = 0;

  const opLoad = () => {
    const wraps = loaded().filter((m) => (m.kind & K_WRAP) !== 0).length;
    const asWrap = wraps < 2 && rand() < 0.3;
    const reservedOnes = mods.filter((m) => m.state === 'reserved');
    let m;
    if (!asWrap && reservedOnes.length > 0 && rand() < 0.5) m = pick(reservedOnes);
    else {
      const kind = (asWrap ? K_WRAP : 0) | (rand() < 0.35 ? K_ASYNC : 0) | (rand() < 0.65 ? K_PROVIDED : 0);
      m = { l: newLineage(kind), kind, state: 'new', reserved: 0, mask: 0 };
      m.name = lineageName(m.l);
      mods.push(m);
    }
    let mask;
    if (asWrap) mask = randomMask([0, 1, 2, 3, 4, 5], 0.5);
    else {
      // Mostly free calls (and its own reservations); now and then a taken one (EEXIST, ERESERVED expected).
      const mine = MAIN_NRS.filter((i) => free(i, m));
      mask = rand() < 0.85 && mine.length > 0 ? randomMask(mine, 0.8) : randomMask(MAIN_NRS, 0.5);
      if (m.reserved !== 0 && rand() < 0.7) mask |= m.reserved;
    }
    const v = newVersion(m.kind, mask);
    const saved = NAMES.map((_, i) => [o[lAt(m.l) + L_FROM + i], o[lAt(m.l) + L_TO + i]]);
    setLineage(m, v, mask);
    try {
      m.h = sync('load()', () => t.load(mainSpec(m, v, mask)));
    } catch (e) {
      Atomics.store(o, vAt(v) + V_FROM, 0); // never reachable
      saved.forEach(([f, to], i) => { Atomics.store(o, lAt(m.l) + L_FROM + i, f); Atomics.store(o, lAt(m.l) + L_TO + i, to); });
      if (!expected.has(e?.code)) fail(`load: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      count(`load refused (${e?.code})`);
      if (m.state === 'new') m.state = 'done';
      return;
    }
    m.v = v;
    m.mask = mask;
    m.state = 'loaded';
    if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((mask >> i) & 1) close(i, EMPTY);
    count(asWrap ? 'load wrap' : 'load');
  };

  const opReplace = () => {
    const c = loaded();
    if (c.length === 0) return opLoad();
    const m = pick(c);
    const asWrap = (m.kind & K_WRAP) !== 0;
    let mask;
    if (asWrap) mask = randomMask([0, 1, 2, 3, 4, 5], 0.5);
    else {
      mask = 0;
      for (const i of MAIN_NRS) if ((((m.mask >> i) & 1) !== 0 && rand() < 0.7) || (free(i, m) && rand() < 0.25) || rand() < 0.03) mask |= 1 << i;
      if (mask === 0) mask = m.mask;
    }
    const old = m.v;
    const dropped = m.mask & ~mask;
    const added = mask & ~m.mask;
    if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((dropped >> i) & 1) open(i, EMPTY);
    const v = newVersion(m.kind, mask);
    const saved = NAMES.map((_, i) => [o[lAt(m.l) + L_FROM + i], o[lAt(m.l) + L_TO + i]]);
    setLineage(m, v, mask);
    let h;
    try {
      h = sync('load({ replace: true })', () => t.load({ ...mainSpec(m, v, mask), replace: true }));
    } catch (e) {
      Atomics.store(o, vAt(v) + V_FROM, 0);
      saved.forEach(([f, to], i) => { Atomics.store(o, lAt(m.l) + L_FROM + i, f); Atomics.store(o, lAt(m.l) + L_TO + i, to); });
      if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((dropped >> i) & 1) close(i, EMPTY);
      if (!expected.has(e?.code)) fail(`replace: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      count(`replace refused (${e?.code})`);
      return;
    }
    const end = next();
    Atomics.store(o, vAt(old) + V_TO, end);
    for (let i = 0; i < NAMES.length; i++) if ((dropped >> i) & 1) Atomics.store(o, lAt(m.l) + L_TO + i, end);
    if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((added >> i) & 1) close(i, EMPTY);
    if (m.h.loaded) fail('a replaced handle still says loaded');
    m.h = h;
    m.v = v;
    m.mask = mask;
    const t1 = performance.now();
    // Code provided for the module serves every version: it is retired only
    // once the last version is unloaded and every earlier one has drained.
    const drained = within(h.drained, 15_000, `drained of ${m.name} v${old}`);
    (m.drains ??= []).push(drained.then(() => true, () => false));
    drains.push(
      drained.then(
        () => {
          retire(old);
          return performance.now() - t1;
        },
        (e) => fail(e.message.startsWith('watchdog') ? 'drained did not resolve in 15 s' : `drained rejected: ${e?.code}`, { message: String(e?.message) }),
      ),
    );
    count(dropped !== 0 ? 'replace dropping calls' : 'replace');
  };

  /** The lineage's provided code is retired when its last unload has resolved and every replaced version has drained. */
  const lineageDrains = [];
  const retireLineage = (m) => {
    // A version that never drained (already a failure) may still run: its code is not retired.
    lineageDrains.push(Promise.all(m.drains ?? []).then((ok) => ok.every(Boolean) && Atomics.store(o, lAt(m.l) + L_RET, 1)));
  };

  const unloadTimes = [];
  const opUnload = async () => {
    const c = loaded();
    if (c.length === 0) return opLoad();
    const m = pick(c);
    const asWrap = (m.kind & K_WRAP) !== 0;
    if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((m.mask >> i) & 1) open(i, EMPTY);
    const t1 = performance.now();
    let p;
    try {
      p = sync('unload()', () => m.h.unload({ timeout: unloadMs }));
    } catch (e) {
      fail(`unload threw: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      return;
    }
    // Workers come, go and die while the grace period runs.
    if (rand() < 0.5) await lifecycle();
    try {
      await within(p, unloadMs + 5000, `unload of ${m.name}`);
    } catch (e) {
      fail(e?.code === 'ETIMEDOUT' ? `unload ETIMEDOUT (${why(e)})` : `unload: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      if (!asWrap) for (let i = 0; i < NAMES.length; i++) if ((m.mask >> i) & 1) close(i, EMPTY); // put back (or unknown: the run fails anyway)
      return;
    }
    unloadTimes.push(performance.now() - t1);
    const end = next();
    Atomics.store(o, vAt(m.v) + V_TO, end);
    for (let i = 0; i < NAMES.length; i++) if ((m.mask >> i) & 1) Atomics.store(o, lAt(m.l) + L_TO + i, end);
    retire(m.v);
    retireLineage(m);
    if (m.h.loaded) fail('an unloaded handle still says loaded');
    m.state = 'done';
    count(asWrap ? 'unload wrap' : 'unload');
  };

  const opReserve = () => {
    const kind = (rand() < 0.35 ? K_ASYNC : 0) | (rand() < 0.5 ? K_PROVIDED : 0);
    const m = { l: newLineage(kind), kind, state: 'reserved', reserved: 0, mask: 0 };
    m.name = lineageName(m.l);
    const mask = randomMask(MAIN_NRS, 0.4);
    const names = NAMES.filter((_, i) => (mask >> i) & 1);
    try {
      sync('reserve()', () => t.reserve(m.name, names));
    } catch (e) {
      if (e?.code !== 'EEXIST') fail(`reserve: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      count('reserve refused');
      return;
    }
    m.reserved = mask;
    mods.push(m);
    count('reserve');
  };

  const opRelease = () => {
    const c = mods.filter((m) => m.reserved !== 0);
    if (c.length === 0) return opReserve();
    const m = pick(c);
    const some = rand() < 0.5 ? NAMES.filter((_, i) => (m.reserved >> i) & 1 && rand() < 0.5) : [];
    try {
      sync('release()', () => (some.length > 0 ? t.release(m.name, some) : t.release(m.name)));
    } catch (e) {
      fail(`release: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      return;
    }
    if (some.length > 0) for (const n of some) m.reserved &= ~(1 << NAMES.indexOf(n));
    else m.reserved = 0;
    if (m.reserved === 0 && m.state === 'reserved') m.state = 'done';
    count('release');
  };

  const opHooks = () => {
    const targets = rand() < 0.2 ? '*' : NAMES.filter(() => rand() < 0.4);
    if (targets.length === 0) targets.push(pick(NAMES));
    const sw = {};
    for (const k of ['count', 'enter', 'exit']) if (rand() < 0.5) sw[k] = rand() < 0.5;
    if (Object.keys(sw).length === 0) sw.count = rand() < 0.5;
    sync('hooks()', () => t.hooks(targets, sw));
    count('hooks');
  };

  const trap = () => ENOSYS;
  const opMissing = () => {
    const targets = rand() < 0.3 ? '*' : NAMES.filter(() => rand() < 0.4);
    if (targets.length === 0) targets.push(pick(NAMES));
    const r = rand();
    const policy = r < 0.55 ? 'enosys' : r < 0.8 ? 'throw' : r < 0.95 ? trap : 'log-once';
    sync('setMissing()', () => t.setMissing(targets, policy));
    count('setMissing');
  };

  // ---- the run ----
  const progress = callers.map(() => ({ v: -1, at: performance.now() }));
  const stalled = () => {
    const now = performance.now();
    callers.forEach((c, k) => {
      const v = Atomics.load(o, H_PROG + k);
      if (v !== progress[k].v) progress[k] = { v, at: now };
      else if (now - progress[k].at > 20_000 && !c.stalled) {
        c.stalled = true;
        fail('watchdog: a caller made no progress for 20 s', { caller: k });
      }
    });
  };
  const origWarn = console.warn;
  let warned = 0;
  console.warn = (...a) => (String(a[0]).startsWith('systab:') ? warned++ : origWarn(...a));
  let verifies = 0;
  let stop = '';
  try {
    for (;;) {
      if (elapsed() > maxMs) { stop = 'time'; break; }
      if (changes >= minChanges && callsSoFar() >= minCalls && elapsed() >= minMs) { stop = 'done'; break; }
      if (vids >= MAXV - 8) { stop = 'versions'; break; }
      if (callers.every((c) => c.stalled)) { stop = 'stalled'; break; }
      if (Object.keys(failures).filter((k) => k.startsWith('unload ETIMEDOUT')).reduce((n, k) => n + failures[k], 0) >= 3 || Object.keys(failures).some((k) => k.startsWith('watchdog') && failures[k] >= 2)) { stop = 'failing'; break; }
      while (cleanups.length > 0) await cleanHome(cleanups.shift());
      for (const l of lites) if (l.killAt !== undefined && !l.terminated && (node || l.attached) && performance.now() >= l.killAt) void kill(l);
      stalled();
      const r = rand();
      Atomics.store(o, H_PHASE, Math.floor(r * 100));
      try {
        if (r < 0.25) opLoad();
        else if (r < 0.40) opReplace();
        else if (r < 0.54) await opUnload();
        else if (r < 0.58) opReserve();
        else if (r < 0.61) opRelease();
        else if (r < 0.71) opHooks();
        else if (r < 0.77) opMissing();
        else if (r < 0.82) { if (spawnHome()) count('home spawned'); continue; }
        else if (r < 0.86) { const hs = [...homes.values()].filter((h) => h.state === 'loaded' && h.byeMode === undefined && !h.unloadAsked);
          if (hs.length > 0) { const h = pick(hs); h.unloadAsked = true; open(h.i, EMPTY); commandHome(h, 1); count('home unloads');
            // A home may be killed inside the synchronous part of its unload (holding the writer lock): as the
            // README says, the thread that terminated it awaits terminate() before changing the table itself.
            if (rand() < 0.5) { await sleep(Math.floor(rand() * 3)); await leaveHome(h, 'terminate'); count('home terminated during its unload'); } }
          continue; }
        else if (r < 0.91) { if (spawnLite()) count('worker spawned'); continue; }
        else { await lifecycle(); continue; }
      } catch (e) {
        fail(`main: ${e?.code ?? e?.name}: ${e?.message}`, { stack: String(e?.stack).slice(0, 400) });
      }
      changes++;
      if (Atomics.load(wd, 2) !== 0) { stop = 'watchdog'; break; }
      if (changes % 25 === 0 && [...homes.values()].every((h) => h.state === 'loaded' || h.state === 'unloaded') && cleanups.length === 0) {
        try {
          sync('verify()', () => t.verify());
          verifies++;
        } catch (e) {
          fail(`verify: ${e?.message}`);
        }
      }
      // Paced so the version ids last until the calls are made: ahead of the calls, wait a little.
      if (vids / (MAXV - 8) > callsSoFar() / minCalls) await sleep(2);
      else if (rand() < 0.7) await tick();
      else await sleep(1);
    }
    log(`torture seed ${seed}: stopping (${stop}) after ${changes} changes, ${Math.round(elapsed())} ms`);

    // ---- the end: workers leave, every promise settles, the table is intact ----
    for (const l of lites) if (!l.released) letGo(l);
    for (const h of homes.values()) if (!h.terminated && h.byeMode === undefined) void leaveHome(h, 'close');
    Atomics.store(o, H_STOP, 1);
    const endBy = performance.now() + (opts.endMs ?? 40_000);
    const left = (ms) => Math.max(1, Math.min(ms, endBy - performance.now()));
    const results = await Promise.all(
      callers.map((c, k) =>
        within(c.result, left(20_000), `caller ${k} stopping`).catch((e) => {
          fail(e.message);
          return c.interim ?? newStats(); // what it had reported by then
        }),
      ),
    );
    for (const st of results) merge(st);
    await within(Promise.all([...workers].map((w) => w.exited)), left(15_000), 'workers leaving').catch((e) => fail(e.message));
    while (cleanups.length > 0 && endBy > performance.now()) await cleanHome(cleanups.shift());
    const drainMs = (await within(Promise.all(drains), left(15_000), 'drained promises').catch((e) => (fail(e.message), []))).filter((x) => typeof x === 'number');
    // Unload what is left, then the layout must hold every invariant.
    for (const m of loaded()) {
      if (endBy - performance.now() < unloadMs + 2000) {
        fail('watchdog: the end of the run took longer than its budget');
        break;
      }
      try {
        await within(sync('unload()', () => m.h.unload({ timeout: unloadMs })), unloadMs + 2000, 'final unload');
        retire(m.v);
        retireLineage(m);
        m.state = 'done';
      } catch (e) {
        fail(`final unload: ${e?.code ?? e?.message}`, { message: String(e?.message) });
      }
    }
    try {
      sync('verify()', () => t.verify());
      verifies++;
    } catch (e) {
      fail(`verify: ${e?.message}`);
    }
    Atomics.store(wd, 3, 1);
    Atomics.notify(wd, 3);
    await within(dog.terminate(), 5000, 'watchdog').catch(() => {});
    for (const w of [...workers]) await within(Promise.resolve(w.w.terminate()), 5000, 'terminate').catch(() => {});
    const inViol = Atomics.load(o, H_VIOL_IN);
    const outViol = Atomics.load(o, H_VIOL_OUT);
    if (inViol > 0) fail('a call started in a handler after its unload/drained resolved', { count: inViol, firstDigit: Atomics.load(o, H_FIRST_IN) });
    const kindOf = (digit) => {
      const id = Math.floor(digit / 8);
      const k = id >= MAXV ? o[lAt(id - MAXV) + L_KIND] : o[vAt(id) + V_KIND];
      return { id, call: NAMES[digit % 8], provided: id >= MAXV, wrap: (k & K_WRAP) !== 0, async: (k & K_ASYNC) !== 0, home: (k & K_HOME) !== 0 };
    };
    if (outViol > 0) fail('unload/drained resolved while a call was still running in the handler', { count: outViol, firstDigit: Atomics.load(o, H_FIRST_OUT), what: kindOf(Atomics.load(o, H_FIRST_OUT)) });
    unloadTimes.sort((a, b) => a - b);
    drainMs.sort((a, b) => a - b);
    return {
      seed,
      stop,
      ms: Math.round(elapsed()),
      changes,
      versions: vids,
      modules: lineages,
      ops,
      spawned,
      verifies,
      warned,
      calls: callStats.calls,
      callStats: { ...callStats, bad: undefined, samples: undefined },
      unloadMedianMs: unloadTimes.length > 0 ? +unloadTimes[unloadTimes.length >> 1].toFixed(2) : undefined,
      longestSyncChangeMs: longest,
      unloadMaxMs: unloadTimes.length > 0 ? +unloadTimes[unloadTimes.length - 1].toFixed(1) : undefined,
      drainedMaxMs: drainMs.length > 0 ? +drainMs[drainMs.length - 1].toFixed(1) : undefined,
      violations: { entry: inViol, exit: outViol },
      failures,
      samples,
    };
  } finally {
    console.warn = origWarn;
    Atomics.store(o, H_STOP, 1);
    Atomics.store(wd, 3, 1);
  }
}

/** One line per failure kind, for logs. */
export function describeReport(r) {
  const lines = [`seed ${r.seed}: ${r.changes} changes, ${r.calls} calls in ${r.ms} ms (stop: ${r.stop}); ops ${JSON.stringify(r.ops)}; workers ${JSON.stringify(r.spawned)}; calls ${JSON.stringify(r.callStats)}; unload median ${r.unloadMedianMs} ms, max ${r.unloadMaxMs} ms; drained max ${r.drainedMaxMs} ms; verify x${r.verifies}`];
  for (const [k, v] of Object.entries(r.failures)) lines.push(`  FAIL x${v}: ${k}`);
  for (const s of r.samples.slice(0, 12)) lines.push(`  sample: ${JSON.stringify(s)}`);
  return lines.join('\n');
}
