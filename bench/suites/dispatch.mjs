// dispatch: table.call beside what a user would write instead, on a mixed sequence.
import { compare, consume, fmtNs, fmtRatio, printCompare, roundsFor, target } from '../harness.mjs';
import { mixedSequence } from '../lib/calls.mjs';
import { makeDispatchers } from '../lib/contenders.mjs';

export const title = 'dispatch: mixed sequence, JS handlers';

/** One interleaved comparison of `names` (default: every contender) over `seq`. */
async function measure(seq, ci, names) {
  const { loops } = makeDispatchers(seq);
  const results = await compare({
    baseline: 'array',
    rounds: roundsFor(ci),
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: (names ?? Object.keys(loops)).map((name) => ({ name, calls: seq.length, fn: () => consume(loops[name]()) })),
  });
  printCompare(results);
  return results;
}

export async function run({ ci }) {
  const seq = mixedSequence(1000);
  console.log(`sequence: ${seq.length} calls, ${seq.distinct} distinct numbers (24 implemented + missing ones), numbers and arguments in Int32Arrays`);
  const results = await measure(seq, ci);
  const sys = results.find((r) => r.name === 'systab table.call');
  const targets = [target({ what: 'table.call / array', cmp: '<=', limit: 1.2, value: sys.ratio, unit: 'x' })];

  const three = ['array', 'systab table.call', 'switch'];
  console.log('\n-- diagnosis: implemented numbers only');
  const diag = await measure(mixedSequence(1000, 0x5eed, { implementedOnly: true }), ci, three);
  console.log('\n-- diagnosis: the mixed sequence in plain JS arrays');
  const diagPlain = await measure(mixedSequence(1000, 0x5eed, { plainArrays: true }), ci, three);

  const row = (r) => [r.name, fmtNs(r.nsPerCall), fmtRatio(r.ratio)];
  const header = ['contender', 'median per call', 'ratio to array'];
  const tables = [
    { caption: 'Diagnosis: the same dispatchers on implemented numbers only (24 numbers, no missing calls)', header, rows: diag.map(row) },
    { caption: 'Diagnosis: the mixed sequence read from plain JS arrays instead of Int32Arrays (V8 then cannot rule out undefined in an argument; table.call pays for its default arguments, the array does not)', header, rows: diagPlain.map(row) },
  ];
  return { title, baseline: 'array', results, targets, tables, diagnosis: diag, diagnosisPlain: diagPlain, sequence: { calls: seq.length, distinct: seq.distinct } };
}
