// hooks: the cost of the per-number switches on one table, against a table
// whose hook machinery was never touched.
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { compare, consume, printCompare, roundsFor, target } from '../harness.mjs';
import { mixedSequence } from '../lib/calls.mjs';
import { loadHandlers, tableLoop } from '../lib/contenders.mjs';

export const title = 'hooks: switches off, counting, enter/exit hooks';

export async function run({ ci }) {
  const seq = mixedSequence(1000);
  const fresh = createTable({ abi });
  loadHandlers(fresh);
  const t = createTable({ abi });
  loadHandlers(t);
  const noop = () => {};
  t.onEnter(noop);
  t.onExit(noop);
  // Flip everything on and off once, so "switches off" is a table that has used them.
  t.hooks('*', { count: true, enter: true, exit: true });
  t.hooks('*', { count: false, enter: false, exit: false });
  const set = (sw) => () => t.hooks('*', sw);
  const contenders = [
    { name: 'no hooks ever (fresh table)', fn: tableLoop(fresh, seq) },
    { name: 'switches off', fn: tableLoop(t, seq), beforeAll: set({ count: false, enter: false, exit: false }) },
    { name: 'counting on', fn: tableLoop(t, seq), beforeAll: set({ count: true, enter: false, exit: false }) },
    { name: 'enter/exit hooks on (no-op)', fn: tableLoop(t, seq), beforeAll: set({ count: false, enter: true, exit: true }) },
  ].map((c) => ({ ...c, calls: seq.length, fn: ((f) => () => consume(f()))(c.fn) }));
  const results = await compare({ baseline: contenders[0].name, rounds: roundsFor(ci), time: ci ? 25 : 250, warmupTime: ci ? 10 : 100, contenders });
  t.hooks('*', { count: false, enter: false, exit: false });
  printCompare(results);
  const counted = t.stats().calls.reduce((a, c) => a + c.calls, 0);
  const get = (n) => results.find((r) => r.name === n).ratio;
  const notes = [
    `calls counted while counting was on: ${counted}`,
    `switches off (after having been on) costs ${get('switches off').toFixed(2)}x a table whose hooks were never touched (no stated target; the design says "cost nothing while off")`,
  ];
  for (const n of notes) console.log(n);
  const targets = [target({ what: 'counting on / no hooks', cmp: '<=', limit: 1.5, value: get('counting on'), unit: 'x' })];
  return { title, baseline: contenders[0].name, results, targets, notes };
}
