// enosys: missing numbers only (named but unimplemented, gaps in range, out of range).
import { compare, consume, median, printCompare, roundsFor, target } from '../harness.mjs';
import { MISSING, mixedSequence } from '../lib/calls.mjs';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { loadHandlers, makeDispatchers, tableLoop } from '../lib/contenders.mjs';

export const title = 'enosys: missing numbers only';

export async function run({ ci }) {
  const seq = mixedSequence(1000, 0xe705, { missingOnly: true });
  console.log(`sequence: ${seq.length} calls over ${seq.distinct} missing numbers: ${MISSING.join(', ')}`);
  const { loops, table } = makeDispatchers(seq);
  // The same table with counting on for every number and out of range: what
  // a missing-call report (stats().missing, outOfRange) costs.
  const counted = createTable({ abi });
  loadHandlers(counted);
  counted.hooks('*', { count: true });
  const all = { ...loops, 'systab table.call, counting on (*)': tableLoop(counted, seq) };
  const results = await compare({
    baseline: 'array',
    rounds: roundsFor(ci),
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: Object.entries(all).map(([name, f]) => ({ name, calls: seq.length, fn: () => consume(f()) })),
  });
  printCompare(results);
  const plain = table.stats();
  const st = counted.stats();
  const missed = (s) => s.missing.reduce((a, m) => a + m.count, 0) + s.outOfRange;
  if (missed(plain) !== 0 || st.outOfRange === 0 || st.missing.length === 0) throw new Error('bench: counts do not follow the count switch');
  const ratioTo = (a, b) => median(a.rounds.map((ns, i) => ns / b.rounds[i]));
  const by = (name) => results.find((r) => r.name === name);
  const sys = by('systab table.call');
  const notes = [
    `switches off, nothing counted; counting on, the second table counted ${missed(st)} missing calls (${st.outOfRange} out of range)`,
    `table.call / the array doing the same work by hand (doorbell check): ${ratioTo(sys, by('array + doorbell (by hand)')).toFixed(2)}x (median of per-round ratios)`,
    `table.call / that work as a hand-written dispatch(nr, a0..a5) function: ${ratioTo(sys, by('the same as a dispatch function (by hand)')).toFixed(2)}x`,
  ];
  for (const n of notes) console.log(n);
  const targets = [target({ what: 'table.call / array (missing numbers)', cmp: '<=', limit: 1.2, value: sys.ratio, unit: 'x' })];
  return { title, baseline: 'array', results, targets, notes, sequence: { calls: seq.length, distinct: seq.distinct } };
}
