// enosys: missing numbers only (named but unimplemented, gaps in range, out of range).
import { compare, consume, median, printCompare, roundsFor, target } from '../harness.mjs';
import { MISSING, mixedSequence } from '../lib/calls.mjs';
import { makeDispatchers } from '../lib/contenders.mjs';

export const title = 'enosys: missing numbers only';

export async function run({ ci }) {
  const seq = mixedSequence(1000, 0xe705, { missingOnly: true });
  console.log(`sequence: ${seq.length} calls over ${seq.distinct} missing numbers: ${MISSING.join(', ')}`);
  const { loops, table } = makeDispatchers(seq);
  const results = await compare({
    baseline: 'array',
    rounds: roundsFor(ci),
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: Object.entries(loops).map(([name, f]) => ({ name, calls: seq.length, fn: () => consume(f()) })),
  });
  printCompare(results);
  const st = table.stats();
  const notes = [`systab counted ${st.missing.reduce((a, m) => a + m.count, 0)} in-range ENOSYS answers and ${st.outOfRange} out-of-range ones during the run (it always counts missing calls; of the others only the by-hand array does)`];
  const sys = results.find((r) => r.name === 'systab table.call');
  const byHand = results.find((r) => r.name === 'array + doorbell + miss counts (by hand)');
  const vsHand = median(sys.rounds.map((ns, i) => ns / byHand.rounds[i]));
  notes.push(`table.call / the array doing the same work by hand (doorbell check, miss counts): ${vsHand.toFixed(2)}x (median of per-round ratios)`);
  for (const n of notes) console.log(n);
  const targets = [target({ what: 'table.call / array (missing numbers)', cmp: '<=', limit: 1.2, value: sys.ratio, unit: 'x' })];
  return { title, baseline: 'array', results, targets, notes, sequence: { calls: seq.length, distinct: seq.distinct } };
}
