// The guest side of the churn tests, for a Node worker (churn-worker.mjs) and
// a Web Worker (../browser/churn-worker.js) alike: provide this thread's own
// code for modules A, B and W, then call flat out until told to stop,
// checking every result against what the old handler, the new one or ENOSYS
// could give.
export function runGuest(t, { index, nrs, counters, control }, ready) {
  const cnt = new Int32Array(counters); // [worker][module A, B, W] calls, written by this worker only
  const ctl = new Int32Array(control); // [0] stop flag, [1 + index] calls made
  const at = index * 3;
  const handlers = (base, m) => Object.fromEntries(nrs.map((nr) => [nr, () => (cnt[at + m]++, base + nr)]));
  t.provide({ name: 'A', handlers: handlers(1000, 0) });
  t.provide({ name: 'B', handlers: handlers(2000, 1) });
  t.provide({
    name: 'W',
    wraps: Object.fromEntries(nrs.map((nr) => [nr, (below) => () => (cnt[at + 2]++, below(0, 0, 0, 0, 0, 0) + 100000)])),
  });
  const enosys = t.abi.enosys;
  const valid = (nr, r) => {
    const inner = r >= 50000 ? r - 100000 : r;
    return inner === enosys || inner === 1000 + nr || inner === 2000 + nr;
  };
  ready();
  let calls = 0;
  let bad = 0;
  let firstBad;
  while (Atomics.load(ctl, 0) === 0) {
    for (let k = 0; k < 1000; k++) {
      const nr = nrs[(calls + k) % nrs.length];
      const r = t.call(nr, 1, 2, 3, 0, 0, 0);
      if (!valid(nr, r)) {
        bad++;
        firstBad ??= { nr, r };
      }
    }
    calls += 1000;
    Atomics.store(ctl, 1 + index, calls);
  }
  t.close();
  return { calls, bad, firstBad };
}
