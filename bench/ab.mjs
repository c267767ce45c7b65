#!/usr/bin/env node
// Two builds of systab side by side in one process: the way to tell whether a
// change to the hot path helps, when whole-suite figures move by 0.05x-0.1x
// between runs on their own. Each build's table.call loop and the bare array
// run interleaved; the figure to read is B/A, the median of per-round ratios.
//
//   npm run build && cp -r dist /tmp/a      # the build before the change
//   (edit, then) npm run build
//   node bench/ab.mjs /tmp/a dist [mixed|missing|implemented|counted|hooked|wasm-js] [rounds]
//
// counted: the mixed sequence with the count switch of every implemented
// number on (the counted lane); hooked: with no-op enter and exit hooks on every number
// (the slow path);
// wasm-js: a WebAssembly guest calling each build's core dispatch, which
// calls the JS handlers (the baseline is then the guest's own call_indirect
// to WebAssembly handlers).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { abi } from 'systab/abi/linux-x86_64';
import { median } from './harness.mjs';
import { ENOSYS, NUMBERS, handlerConstants, makeJsHandlers, mixedSequence } from './lib/calls.mjs';
import { buildGuest, instantiateGuest } from './wasm/guest.mjs';
import { arrayLoop, loadHandlers, tableLoop } from './lib/contenders.mjs';

const [dirA, dirB, kind = 'mixed', roundsArg = '60'] = process.argv.slice(2);
const KINDS = { mixed: {}, missing: { missingOnly: true }, implemented: { implementedOnly: true }, counted: {}, hooked: {}, 'wasm-js': {} };
if (dirA === undefined || dirB === undefined || !(kind in KINDS) || !(Number(roundsArg) >= 8)) {
  console.error(`usage: node bench/ab.mjs <dist A> <dist B> [${Object.keys(KINDS).join('|')}] [rounds >= 8]`);
  process.exit(2);
}
const rounds = Number(roundsArg);
const seq = mixedSequence(1000, kind === 'missing' ? 0xe705 : 0x5eed, KINDS[kind]);
const handlers = makeJsHandlers();
const arr = new Array(abi.count).fill(undefined);
NUMBERS.forEach((nr, i) => (arr[nr] = handlers[i]));
const loops = { array: arrayLoop(arr, seq) };
let guest;
if (kind === 'wasm-js') {
  const { bytes, argsAt } = buildGuest({ numbers: NUMBERS, consts: NUMBERS.map((_, i) => handlerConstants(i)), enosys: ENOSYS, tableSize: 512, calls: seq.length });
  guest = { module: new WebAssembly.Module(bytes), argsAt };
  const plain = instantiateGuest(guest.module, () => 0n, seq, argsAt);
  loops.array = () => Number(plain.loopIndirect(seq.length, argsAt) & 0xffffn);
}
for (const [name, dir] of [['A', dirA], ['B', dirB]]) {
  const { createTable } = await import(pathToFileURL(path.resolve(dir, 'index.js')).href);
  const t = createTable({ abi });
  loadHandlers(t, 'bench', handlers);
  // The implemented numbers only: '*' would flip the out-of-range count too, and that rewrites hotOorMode, whose constancy the two builds' tables share.
  if (kind === 'counted') t.hooks(NUMBERS, { count: true });
  if (kind === 'hooked') {
    t.hooks('*', { enter: true, exit: true });
    t.onEnter(() => {});
    t.onExit(() => {});
  }
  if (kind === 'wasm-js') {
    const g = instantiateGuest(guest.module, t.dispatch, seq, guest.argsAt);
    loops[name] = () => Number(g.loopDispatch(seq.length, guest.argsAt) & 0xffffn);
  } else loops[name] = tableLoop(t, seq);
}
const want = loops.array();
for (const [name, f] of Object.entries(loops)) if (f() !== want) throw new Error(`ab: ${name} checksum differs from the array's`);

const names = Object.keys(loops);
const times = Object.fromEntries(names.map((n) => [n, []]));
const REPS = 300;
for (let round = -6; round < rounds; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + Math.max(round, 0)) % names.length];
    const f = loops[name];
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < REPS; r++) f();
    const ns = Number(process.hrtime.bigint() - t0) / REPS / seq.length;
    if (round >= 0) times[name].push(ns);
  }
}
const ratio = (a, b) => median(times[a].map((x, i) => x / times[b][i]));
console.log(`${kind} sequence, ${rounds} rounds, ${process.version}`);
console.log(`${kind === 'wasm-js' ? 'guest call_indirect' : 'array'} ${median(times.array).toFixed(2)} ns/call`);
console.log(`A / array ${ratio('A', 'array').toFixed(3)}   B / array ${ratio('B', 'array').toFixed(3)}`);
console.log(`B / A ${ratio('B', 'A').toFixed(3)}`);
