// wasm: a WebAssembly guest loop calling systab's core dispatch (the import
// a guest compiled to WebAssembly uses), beside a raw call_indirect through the
// guest's own table and a br_table switch with direct calls.
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { compare, consume, fmtNs, fmtRatio, median, printCompare, roundsFor, target } from '../harness.mjs';
import { CALLS, ENOSYS, NUMBERS, handlerConstants, makeJsHandlers, mixedSequence } from '../lib/calls.mjs';
import { buildGuest, instantiateGuest } from '../wasm/guest.mjs';
import { makeTrampoline } from '../wasm/trampoline.mjs';

export const title = 'wasm: guest loop -> dispatch, WebAssembly and JS handlers';

export async function run({ ci }) {
  const seq = mixedSequence(1000);
  const { bytes, argsAt } = buildGuest({
    numbers: NUMBERS,
    consts: NUMBERS.map((_, i) => handlerConstants(i)),
    enosys: ENOSYS,
    tableSize: 512,
    calls: seq.length,
  });
  const module = new WebAssembly.Module(bytes);
  console.log(`guest: ${bytes.length} bytes, ${seq.length} calls per loop, ${seq.distinct} distinct numbers`);

  // Table 1: WebAssembly handlers (the guest's own exported functions).
  const tw = createTable({ abi });
  const plain = instantiateGuest(module, () => 0n, seq, argsAt);
  tw.load({ name: 'wasm-handlers', handlers: Object.fromEntries(CALLS.map(([name], i) => [name, { wasm: plain[`h${i}`] }])) });
  const gw = instantiateGuest(module, tw.dispatch, seq, argsAt);
  // Table 2: JS handlers (same arithmetic), reached through the core's js_call import.
  const tj = createTable({ abi });
  const js = makeJsHandlers();
  tj.load({ name: 'js-handlers', handlers: Object.fromEntries(CALLS.map(([name], i) => [name, js[i]])) });
  const gj = instantiateGuest(module, tj.dispatch, seq, argsAt);
  // The floor: the same two hops (guest -> another module -> the guest's handler) with no checks.
  const floor = makeTrampoline({ numbers: NUMBERS, handlers: NUMBERS.map((_, i) => plain[`h${i}`]), enosys: ENOSYS, size: 512 });
  const gt = instantiateGuest(module, floor, seq, argsAt);

  const n = seq.length;
  const loops = {
    'call_indirect (raw table)': () => plain.loopIndirect(n, argsAt),
    'br_table + direct call': () => plain.loopSwitch(n, argsAt),
    'trampoline module -> wasm handler (floor)': () => gt.loopDispatch(n, argsAt),
    'systab dispatch -> wasm handler': () => gw.loopDispatch(n, argsAt),
    'systab dispatch -> JS handler': () => gj.loopDispatch(n, argsAt),
  };
  const sums = Object.entries(loops).map(([k, f]) => [k, f()]);
  for (const [k, s] of sums) if (s !== sums[0][1]) throw new Error(`bench: ${k} checksum ${s} differs from ${sums[0][0]}'s ${sums[0][1]}`);

  const results = await compare({
    baseline: 'call_indirect (raw table)',
    rounds: roundsFor(ci),
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: Object.entries(loops).map(([name, f]) => ({ name, calls: n, fn: () => consume(Number(f() & 0xffffn)) })),
  });
  printCompare(results);
  const get = (k) => results.find((r) => r.name === k).ratio;
  const targets = [target({ what: 'systab dispatch -> wasm handler / raw call_indirect', cmp: '<=', limit: 1.5, value: get('systab dispatch -> wasm handler'), unit: 'x' })];
  const sys = results.find((r) => r.name === 'systab dispatch -> wasm handler');
  const tramp = results.find((r) => r.name === 'trampoline module -> wasm handler (floor)');
  const overFloor = median(sys.rounds.map((ns, i) => ns / tramp.rounds[i]));
  const notes = [`systab dispatch / the trampoline floor: ${overFloor.toFixed(2)}x (median of per-round ratios): the cost of systab's own checks`, `missing numbers in the sequence go to the core's ENOSYS path and are counted there, in WebAssembly, out-of-range ones included: ${tw.stats().outOfRange} out-of-range calls counted`];

  // Diagnosis: implemented numbers only (every call stays in WebAssembly on systab's side too).
  console.log('\n-- diagnosis: implemented numbers only');
  const only = mixedSequence(1000, 0x5eed, { implementedOnly: true });
  const pOnly = instantiateGuest(module, () => 0n, only, argsAt);
  const gOnly = instantiateGuest(module, tw.dispatch, only, argsAt);
  const diag = await compare({
    baseline: 'call_indirect (raw table)',
    rounds: roundsFor(ci),
    time: ci ? 25 : 250,
    warmupTime: ci ? 10 : 100,
    contenders: [
      { name: 'call_indirect (raw table)', fn: () => consume(Number(pOnly.loopIndirect(n, argsAt) & 0xffffn)) },
      { name: 'systab dispatch -> wasm handler', fn: () => consume(Number(gOnly.loopDispatch(n, argsAt) & 0xffffn)) },
    ].map((c) => ({ ...c, calls: n })),
  });
  printCompare(diag);
  const tables = [{ caption: 'Diagnosis: implemented numbers only (no missing calls)', header: ['contender', 'median per call', 'ratio to call_indirect'], rows: diag.map((r) => [r.name, fmtNs(r.nsPerCall), fmtRatio(r.ratio)]) }];
  return { title, baseline: 'call_indirect (raw table)', results, targets, notes, tables, diagnosis: diag };
}
