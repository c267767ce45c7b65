// Builds dist/: the ESM entry (core wasm inlined), one entry per ABI, the
// declarations, source maps, and dist/core.wasm. Run after `npm run build:wasm`.
import { build } from 'esbuild';
import { inlineWasm } from './inline-wasm.mjs';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/abi', { recursive: true });
if (!existsSync('build/core.wasm')) throw new Error('build/core.wasm is missing: run npm run build:wasm first');
copyFileSync('build/core.wasm', 'dist/core.wasm');
if (!existsSync('build/seccomp.wasm')) throw new Error('build/seccomp.wasm is missing: run npm run build:seccomp first');
copyFileSync('build/seccomp.wasm', 'dist/seccomp.wasm');

// Entry points `systab/abi/<id>`: the ABI modules and `list` (abiIds). The
// helpers beside them (lookup, read, types) are bundled into what uses them,
// and package.json's exports map refuses their subpaths.
const abis = readdirSync('src/abi').filter((f) => /^(linux|wasi)-[\w-]+\.ts$/.test(f) || f === 'list.ts');
await build({
  entryPoints: ['src/index.ts', 'src/wasi/index.ts', 'src/trace/index.ts', 'src/seccomp/index.ts', 'src/seccomp/oci.ts', ...abis.map((f) => `src/abi/${f}`)],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true, // one copy of the table and its error class across entry points
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  plugins: [inlineWasm], // the core's bytes, dropped by bundles that make no table
  // Folds the layout constants into the code: a module-level binding costs the hot path a load and a check per use.
  minifySyntax: true,
  // Maps carry the sources, so a debugger or --enable-source-maps shows src/.
  sourcemap: true,
  logLevel: 'warning',
});

// The ABI modules are generated literals (no function of theirs is ever in a
// stack trace): their maps would be 580 KB of the package's 830 KB of maps.
for (const f of readdirSync('dist/abi')) {
  if (!f.endsWith('.js')) continue;
  rmSync(`dist/abi/${f}.map`);
  const js = readFileSync(`dist/abi/${f}`, 'utf8');
  writeFileSync(`dist/abi/${f}`, js.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'));
}

rmSync('build/types', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('build/types/src', 'dist', { recursive: true });
