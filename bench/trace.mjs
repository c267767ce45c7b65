// bench/trace: what systab/trace costs (issue 13, section 6). Not a suite of
// bench/run.mjs and not a test: `npm run bench:trace` (or `node
// bench/trace.mjs [--ci]` after a build). Each group is one compare() run of
// the harness (interleaved rounds, order rotated, median of per-round ratios
// to the group's baseline); the workload is the suites' mixed sequence of 24
// implemented and 8 missing x86_64 numbers.
//   off      trace state made and every switch (print, inject, summary) flipped
//            on and off once, vs a table never traced: target 1.00x
//   others   one number traced (getrandom; every other number of the sequence
//            untraced), vs a table never traced, over a sequence without
//            getrandom: the others' cost, target 1.00x
//   traced   every number traced: no output at all (the plug alone), a null
//            sink with a simple LineMaker, and the event ring: ns per call;
//            beside them (a diagnosis) the table's own slow path, no-op
//            enter/exit hooks on every number and no trace
//   summary  the summary (strace -c) on for every number vs the count switch
//            on for every number: target <= 1.5x
import { createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { compare, consume, envInfo, fmtNs, printCompare, roundsFor, target } from './harness.mjs';
import { MISSING_NAMED, mixedSequence } from './lib/calls.mjs';
import { loadHandlers, tableLoop } from './lib/contenders.mjs';

const ci = process.argv.includes('--ci');
const rounds = roundsFor(ci);
const time = ci ? 25 : 250;
const warmupTime = ci ? 10 : 100;

function fresh() {
  const t = createTable({ abi });
  loadHandlers(t);
  return t;
}
const wrap = (contenders, calls) => contenders.map((c) => ({ ...c, calls, fn: ((f) => () => consume(f()))(c.fn) }));
const names = Object.fromEntries(Object.entries(abi.names).map(([n, nr]) => [nr, n]));
const simpleLines = {
  enter: (nr, args) => `${names[nr] ?? nr}(${args[0]}, ${args[1]}, ${args[2]}`,
  exit: (p, r) => `${p}) = ${r}\n`,
};

async function group(title, baseline, contenders, seq) {
  console.log(`\n## ${title}\n`);
  const results = await compare({ baseline, rounds, time, warmupTime, contenders: wrap(contenders, seq.length) });
  printCompare(results);
  return results;
}

const seq = mixedSequence(1000);
// A trace that prints prints numbers beyond the table whatever is selected (strace does: syscall_0x...), so they take
// the slow path while it is open; the switches-off and one-number groups call an in-range missing number instead.
const inRange = (sq) => ({ ...sq, nrs: sq.nrs.map((nr) => (nr - abi.base >= abi.count || nr < abi.base ? MISSING_NAMED[0] : nr)) });
const seqIn = inRange(seq);
const ratio = (results, name) => results.find((r) => r.name === name).ratio;
const ns = (results, name) => results.find((r) => r.name === name).nsPerCall;
console.log(`# bench/trace: ${JSON.stringify(envInfo())}`);
console.log('The machine is shared (2 cores, other work running): single rounds swing; read the medians of per-round ratios.');

// off: every switch flipped on and off once.
const never = fresh();
const used = fresh();
const trUsed = traceTable(used, { sink: () => {}, lines: simpleLines, events: { capacity: 16 } });
trUsed.select('*');
trUsed.inject('getpid:error=EPERM');
trUsed.summary(true);
used.call(abi.names.getpid);
trUsed.select([]);
trUsed.clearInjections();
trUsed.summary(false);
const off = await group('switches off vs never traced (numbers in the table)', 'never traced', [
  { name: 'never traced', fn: tableLoop(never, seqIn) },
  { name: 'trace state, switches off', fn: tableLoop(used, seqIn) },
], seqIn);

// others: one number traced, a sequence without it.
const GETRANDOM = abi.names.getrandom;
const seqOthers = { ...seqIn, nrs: seqIn.nrs.map((nr) => (nr === GETRANDOM ? abi.names.read : nr)) };
const never2 = fresh();
const one = fresh();
const lines1 = [];
traceTable(one, { sink: (l) => lines1.push(l), lines: simpleLines }).select(['getrandom']);
const others = await group('one number traced (getrandom), the others called (numbers in the table)', 'never traced', [
  { name: 'never traced', fn: tableLoop(never2, seqOthers) },
  { name: 'getrandom traced', fn: tableLoop(one, seqOthers) },
], seqOthers);
if (lines1.length !== 0) throw new Error('bench: getrandom was called');

// traced: every number.
let sunk = 0;
const nullSink = (l) => (sunk += l.length);
const bare = fresh();
const plugOnly = fresh();
traceTable(plugOnly).select('*');
const withLines = fresh();
traceTable(withLines, { sink: nullSink, lines: simpleLines }).select('*');
const hooked = fresh();
hooked.onEnter(() => {});
hooked.onExit(() => {});
hooked.hooks('*', { enter: true, exit: true });
const withRing = fresh();
traceTable(withRing, { events: { capacity: 4096 } }).select('*');
const traced = await group('every number traced', 'never traced', [
  { name: 'never traced', fn: tableLoop(bare, seq) },
  { name: 'enter/exit hooks on (no-op), no trace: the slow path', fn: tableLoop(hooked, seq) },
  { name: 'traced, no output (the plug alone)', fn: tableLoop(plugOnly, seq) },
  { name: 'traced, simple LineMaker, null sink', fn: tableLoop(withLines, seq) },
  { name: 'traced, event ring (4096)', fn: tableLoop(withRing, seq) },
], seq);

// summary vs counting.
const counting = fresh();
counting.hooks('*', { count: true });
const summed = fresh();
const trSum = traceTable(summed);
trSum.summary(true);
const summary = await group('summary on vs count switch on (every number)', 'count switch on', [
  { name: 'count switch on', fn: tableLoop(counting, seq) },
  { name: 'summary on (strace -c)', fn: tableLoop(summed, seq) },
], seq);

console.log('');
const base = ns(traced, 'never traced');
for (const n of ['enter/exit hooks on (no-op), no trace: the slow path', 'traced, no output (the plug alone)', 'traced, simple LineMaker, null sink', 'traced, event ring (4096)']) {
  console.log(`${n}: ${fmtNs(ns(traced, n))} per call, ${fmtNs(ns(traced, n) - base)} more than untraced`);
}
console.log(`summary on: ${fmtNs(ns(summary, 'summary on (strace -c)'))} per call; count switch on: ${fmtNs(ns(summary, 'count switch on'))}`);
const c0 = performance.now();
for (let i = 0; i < 1e5; i++) performance.now();
console.log(`performance.now() here: ${fmtNs(((performance.now() - c0) * 1e6) / 1e5)} per read (the summary reads it twice per timed call: a slot's first 16 on a thread, then about one in 64)`);
target({ what: 'switches off / never traced', cmp: '<=', limit: 1.05, value: ratio(off, 'trace state, switches off'), unit: 'x', note: 'issue: 1.00x' });
target({ what: 'others, one number traced / never traced', cmp: '<=', limit: 1.05, value: ratio(others, 'getrandom traced'), unit: 'x', note: 'issue: unchanged' });
target({ what: 'summary on / count switch on', cmp: '<=', limit: 1.5, value: ratio(summary, 'summary on (strace -c)'), unit: 'x' });
consume(sunk);
