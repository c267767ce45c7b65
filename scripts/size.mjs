// Size budgets, per entry point, of what a user downloads: each entry
// bundled on its own, minified (identifiers and #private members included;
// other property names stay as written) and gzipped, with the core's wasm
// inlined where the entry makes tables. Each budget is the size measured
// when it was set plus 6-9% (README: Development, the size budget):
//   systab            24,841 bytes -> 26,624; 26,689 -> 28,672 (the summary's sampled timing on the counted paths, the count switch's reasons)
//   systab/wasi       27,683 bytes -> 29,696; 29,786 -> 30,720 (the table's caller(), filter and count paths); 30,839 -> 32,768 (the summary's sampled timing in the counted way, the closed view's refusals) (it bundles the table too: its
//                     host takes the direct way on a systab Table)
//   systab/abi/<id>   the largest ABI module, linux-alpha, 7,681 -> 8,192
//   core.wasm         the core alone, raw: 5,390 -> 5,888; 5,912 -> 6,400 (the count switch's reasons, sampled timing in dispatch)
//   systab/trace      40,015 -> 43,008 (strace's tables: classes, xlat, errno texts); 43,941 -> 47,104 (follow mode's rings and reader)
//   systab/seccomp    11,539 -> 12,288 (seccomp.wasm inlined; filters on tables, for every thread, included);
//                     15,390 -> 16,384 (per-thread chains: the registry, a thread's own engine, TSYNC)
//   systab/seccomp/oci  16,141 -> 17,408 (OCI profiles: the compiler, and systab/seccomp it installs through);
//                     19,293 -> 20,480 (systab/seccomp's per-thread chains)
//   seccomp.wasm      raw: 5,861 -> 6,272
// The entry without the core's bytes is printed too (what the core adds).
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { inlineWasm } from './inline-wasm.mjs';

const gz = async (entry, plugins = []) => {
  const r = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', write: false, platform: 'neutral', plugins: [...plugins, inlineWasm] });
  return gzipSync(r.outputFiles[0].contents).length;
};
const noCore = {
  name: 'no-core',
  setup(b) {
    b.onLoad({ filter: /core\.wasm$/ }, () => ({ contents: 'export default new Uint8Array(0)', loader: 'js' }));
  },
};
const abis = readdirSync('src/abi').filter((f) => /^(linux|wasi)-[\w-]+\.ts$/.test(f));
let largest = { id: '', size: 0 };
for (const f of abis) {
  const size = await gz(`src/abi/${f}`);
  if (size > largest.size) largest = { id: f.replace(/\.ts$/, ''), size };
}
const rows = [
  ['systab (min+gzip, core inlined)', await gz('src/index.ts'), 28_672],
  ['systab/wasi (min+gzip, core inlined)', await gz('src/wasi/index.ts'), 32_768],
  [`systab/abi/* (min+gzip, largest: ${largest.id})`, largest.size, 8_192],
  ['core.wasm', readFileSync('dist/core.wasm').length, 6_400],
  ['systab/trace (min+gzip)', await gz('src/trace/index.ts'), 47_104],
  ['systab/seccomp (min+gzip, seccomp.wasm inlined)', await gz('src/seccomp/index.ts'), 16_384],
  ['systab/seccomp/oci (min+gzip, seccomp.wasm inlined)', await gz('src/seccomp/oci.ts'), 20_480],
  ['seccomp.wasm', readFileSync('dist/seccomp.wasm').length, 6_272],
];
let ok = true;
for (const [what, size, budget] of rows) {
  const pass = size <= budget;
  ok &&= pass;
  console.log(`${pass ? 'ok  ' : 'OVER'} ${what}: ${size} bytes (budget ${budget})`);
}
console.log(`     systab without the core's bytes (min+gzip): ${await gz('src/index.ts', [noCore])} bytes`);
if (!ok) process.exit(1);
