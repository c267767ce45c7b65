// footprint: memory per table, createTable start time (cold and warm), and
// the sizes of what a user ships (core .wasm, JS entry minified + gzipped).
// Runs in its own process, so the first createTable is truly cold.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { fmtNs, median, quantile, textTable } from '../harness.mjs';

export const title = 'footprint: memory per table, start time, sizes';

export async function run({ ci }) {
  const t0 = performance.now();
  const systab = await import('systab');
  const tImport = performance.now() - t0;
  const abis = {};
  for (const id of ['linux-x86_64', 'linux-riscv64', 'linux-arm', 'linux-mips64', 'wasi-preview1']) abis[id] = (await import(`systab/abi/${id}`)).abi;

  const c0 = performance.now();
  const first = systab.createTable({ abi: abis['linux-x86_64'] });
  const cold = (performance.now() - c0) * 1e6;
  first.close();
  const warm = [];
  for (let i = 0; i < (ci ? 20 : 200); i++) {
    const s = performance.now();
    const t = systab.createTable({ abi: abis['linux-x86_64'] });
    warm.push((performance.now() - s) * 1e6);
    t.close();
  }
  const startRows = [
    ['import systab (module evaluation)', fmtNs(tImport * 1e6)],
    ['first createTable (compiles the core)', fmtNs(cold)],
    [`createTable, warm (median of ${warm.length})`, fmtNs(median(warm))],
    ['createTable, warm p90', fmtNs(quantile(warm, 0.9))],
  ];
  console.log(textTable(['start', 'time'], startRows));

  const sizes = [
    ['defaults (maxHandlers 4096, maxModules 256, maxWorkers 16)', {}],
    ['small (maxHandlers 256, maxModules 16, maxWorkers 2)', { maxHandlers: 256, maxModules: 16, maxWorkers: 2 }],
    ['large (maxHandlers 65536, maxWorkers 64)', { maxHandlers: 65536, maxWorkers: 64 }],
  ];
  const memRows = [];
  for (const [label, opts] of sizes) {
    for (const [id, abi] of Object.entries(abis)) {
      const t = systab.createTable({ abi, ...opts });
      const bytes = t.describe().memory.buffer.byteLength;
      memRows.push([label, id, String(abi.count + (abi.extra ?? []).reduce((a, r) => a + r.count, 0)), `${(bytes / 1024).toFixed(0)} KiB`]);
      t.close();
    }
  }
  console.log('\n' + textTable(['sizes', 'ABI', 'slots', 'memory'], memRows));

  const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
  const wasm = readFileSync(dist + 'core.wasm');
  const entry = readFileSync(dist + 'index.js');
  const { build } = await import('esbuild');
  const min = await build({ entryPoints: [dist + 'index.js'], bundle: true, minify: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent' });
  const minBytes = min.outputFiles[0].contents;
  const abiMin = (await build({ entryPoints: [dist + 'abi/linux-x86_64.js'], bundle: true, minify: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent' })).outputFiles[0].contents;
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const sizeRows = [
    ['dist/core.wasm', kib(wasm.length), kib(gzipSync(wasm).length)],
    ['dist/index.js (core inlined)', kib(entry.length), kib(gzipSync(entry).length)],
    ['dist/index.js, esbuild --minify', kib(minBytes.length), kib(gzipSync(minBytes).length)],
    ['dist/abi/linux-x86_64.js, esbuild --minify', kib(abiMin.length), kib(gzipSync(abiMin).length)],
  ];
  console.log('\n' + textTable(['file', 'bytes', 'gzip'], sizeRows));
  return {
    title,
    tables: [
      { caption: 'Start time (a fresh process)', header: ['start', 'time'], rows: startRows },
      { caption: 'Memory per table (`t.describe().memory.buffer.byteLength`)', header: ['sizes', 'ABI', 'slots', 'memory'], rows: memRows },
      { caption: 'What a user ships', header: ['file', 'bytes', 'gzip'], rows: sizeRows },
    ],
    targets: [],
    notes: ['memory grows with maxWorkers x slots (per-worker counter stripes) and maxHandlers; it is rounded up to whole 64 KiB WebAssembly pages'],
    figures: { importMs: tImport, coldNs: cold, warmNs: median(warm), coreWasmBytes: wasm.length, entryMinGzipBytes: gzipSync(minBytes).length },
  };
}
