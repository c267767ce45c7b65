// Size budget: core .wasm at most 16 KB; the JS entry at most 12 KB
// minified and gzipped (ABI tables are separate entry points, not counted).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const wasm = readFileSync('dist/core.wasm').length;
const min = await build({ entryPoints: ['dist/index.js'], bundle: true, minify: true, format: 'esm', write: false, platform: 'neutral' });
const js = gzipSync(min.outputFiles[0].contents).length;
const rows = [
  ['core.wasm', wasm, 16 * 1024],
  ['index.js (min+gzip)', js, 12 * 1024],
];
let ok = true;
for (const [what, size, budget] of rows) {
  const pass = size <= budget;
  ok &&= pass;
  console.log(`${pass ? 'ok  ' : 'OVER'} ${what}: ${size} bytes (budget ${budget})`);
}
if (!ok) process.exit(1);
