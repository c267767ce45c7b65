#!/usr/bin/env node
// Two builds of systab side by side in one process: the way to tell whether a
// change to the hot path helps, when whole-suite figures move by 0.05x-0.1x
// between runs on their own. Each build's table.call loop and the bare array
// run interleaved; the figure to read is B/A, the median of per-round ratios.
//
//   npm run build && cp -r dist /tmp/a      # the build before the change
//   (edit, then) npm run build
//   node bench/ab.mjs /tmp/a dist [mixed|missing|implemented] [rounds]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { abi } from 'systab/abi/linux-x86_64';
import { median } from './harness.mjs';
import { NUMBERS, makeJsHandlers, mixedSequence } from './lib/calls.mjs';
import { arrayLoop, loadHandlers, tableLoop } from './lib/contenders.mjs';

const [dirA, dirB, kind = 'mixed', roundsArg = '60'] = process.argv.slice(2);
const KINDS = { mixed: {}, missing: { missingOnly: true }, implemented: { implementedOnly: true } };
if (dirA === undefined || dirB === undefined || !(kind in KINDS) || !(Number(roundsArg) >= 8)) {
  console.error('usage: node bench/ab.mjs <dist A> <dist B> [mixed|missing|implemented] [rounds >= 8]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const seq = mixedSequence(1000, kind === 'missing' ? 0xe705 : 0x5eed, KINDS[kind]);
const handlers = makeJsHandlers();
const arr = new Array(abi.count).fill(undefined);
NUMBERS.forEach((nr, i) => (arr[nr] = handlers[i]));
const loops = { array: arrayLoop(arr, seq) };
for (const [name, dir] of [['A', dirA], ['B', dirB]]) {
  const { createTable } = await import(pathToFileURL(path.resolve(dir, 'index.js')).href);
  const t = createTable({ abi });
  loadHandlers(t, 'bench', handlers);
  loops[name] = tableLoop(t, seq);
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
console.log(`array ${median(times.array).toFixed(2)} ns/call`);
console.log(`A / array ${ratio('A', 'array').toFixed(3)}   B / array ${ratio('B', 'array').toFixed(3)}`);
console.log(`B / A ${ratio('B', 'A').toFixed(3)}`);
