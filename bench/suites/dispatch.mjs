// dispatch: table.call beside what a user would write instead, on a mixed sequence.
import { compare, consume, fmtNs, fmtRatio, printCompare, target } from '../harness.mjs';
import { mixedSequence } from '../lib/calls.mjs';
import { makeDispatchers } from '../lib/contenders.mjs';

export const title = 'dispatch: mixed sequence, JS handlers';

export async function run({ ci }) {
  const seq = mixedSequence(1000);
  console.log(`sequence: ${seq.length} calls, ${seq.distinct} distinct numbers (24 implemented + missing ones)`);
  const { loops } = makeDispatchers(seq);
  const results = await compare({
    baseline: 'array',
    rounds: ci ? 3 : 7,
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: Object.entries(loops).map(([name, f]) => ({ name, calls: seq.length, fn: () => consume(f()) })),
  });
  printCompare(results);
  const sys = results.find((r) => r.name === 'systab table.call');
  const targets = [target({ what: 'table.call / array', cmp: '<=', limit: 1.2, value: sys.ratio, unit: 'x' })];

  // Diagnosis: the same two dispatchers on implemented numbers only (no missing calls).
  console.log('\n-- diagnosis: implemented numbers only');
  const only = mixedSequence(1000, 0x5eed, { implementedOnly: true });
  const d = makeDispatchers(only).loops;
  const diag = await compare({
    baseline: 'array',
    rounds: ci ? 3 : 7,
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: ['array', 'systab table.call', 'switch'].map((name) => ({ name, calls: only.length, fn: () => consume(d[name]()) })),
  });
  printCompare(diag);
  const tables = [{ caption: 'Diagnosis: the same dispatchers on implemented numbers only (24 numbers, no missing calls)', header: ['contender', 'median per call', 'ratio to array'], rows: diag.map((r) => [r.name, fmtNs(r.nsPerCall), fmtRatio(r.ratio)]) }];
  return { title, baseline: 'array', results, targets, tables, diagnosis: diag, sequence: { calls: seq.length, distinct: seq.distinct } };
}
