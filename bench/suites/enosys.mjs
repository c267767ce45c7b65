// enosys: missing numbers only (named but unimplemented, gaps in range, out of range).
import { compare, consume, fmtNs, fmtRatio, median, printCompare, roundsFor, target } from '../harness.mjs';
import { MISSING, mixedSequence } from '../lib/calls.mjs';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { loadHandlers, makeDispatchers, tableLoop } from '../lib/contenders.mjs';

export const title = 'enosys: missing numbers only';

export async function run({ ci }) {
  const seq = mixedSequence(1000, 0xe705, { missingOnly: true });
  console.log(`sequence: ${seq.length} calls over ${seq.distinct} missing numbers: ${MISSING.join(', ')}`);
  const { loops, table } = makeDispatchers(seq);
  const opts = { baseline: 'array', rounds: roundsFor(ci), time: ci ? 25 : 250, warmupTime: ci ? 10 : 100 };
  const results = await compare({ ...opts, contenders: Object.entries(loops).map(([name, f]) => ({ name, calls: seq.length, fn: () => consume(f()) })) });
  printCompare(results);
  const ratioTo = (a, b) => median(a.rounds.map((ns, i) => ns / b.rounds[i]));
  const by = (name) => results.find((r) => r.name === name);
  const sys = by('systab table.call');
  const notes = [
    `table.call / the array doing the same work by hand (doorbell check): ${ratioTo(sys, by('array + doorbell (by hand)')).toFixed(2)}x (median of per-round ratios)`,
    `table.call / that work as a hand-written dispatch(nr, a0..a5) function: ${ratioTo(sys, by('the same as a dispatch function (by hand)')).toFixed(2)}x`,
  ];
  if (missed(table.stats()) !== 0) throw new Error('bench: a table with its switches off counted missing calls');

  // After the target's measurement, so this table's other paths cannot shape
  // the code measured above: what a missing-call report (counting '*') costs.
  console.log("\n-- diagnosis: a table counting '*' (stats().missing, outOfRange)");
  const counted = createTable({ abi });
  loadHandlers(counted);
  counted.hooks('*', { count: true });
  const diag = await compare({ ...opts, contenders: [['array', loops.array], ['systab table.call, counting on', tableLoop(counted, seq)]].map(([name, f]) => ({ name, calls: seq.length, fn: () => consume(f()) })) });
  printCompare(diag);
  const st = counted.stats();
  if (st.outOfRange === 0 || st.missing.length === 0) throw new Error('bench: the counting table counted nothing');
  notes.push(`counting on for '*': ${diag[1].ratio.toFixed(2)}x of the array (median of per-round ratios); it counted ${missed(st)} missing calls, ${st.outOfRange} of them out of range`);
  for (const n of notes) console.log(n);
  const targets = [target({ what: 'table.call / array (missing numbers)', cmp: '<=', limit: 1.2, value: sys.ratio, unit: 'x' })];
  const tables = [{
    caption: "Diagnosis, measured after the above: a table counting '*' (every number and out of range), the missing-call report's cost",
    header: ['contender', 'median per call', 'ratio to array'],
    rows: diag.map((r) => [r.name, fmtNs(r.nsPerCall), fmtRatio(r.ratio)]),
  }];
  return { title, baseline: 'array', results, targets, notes, tables, diagnosis: diag, sequence: { calls: seq.length, distinct: seq.distinct } };
}

const missed = (s) => s.missing.reduce((a, m) => a + m.count, 0) + s.outOfRange;
