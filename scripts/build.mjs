// Builds dist/: the ESM entry (core wasm inlined), one entry per ABI, the
// declarations, and dist/core.wasm. Run after `npm run build:wasm`.
import { build } from 'esbuild';
import { mangleProps } from './mangle.mjs';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, copyFileSync, existsSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/abi', { recursive: true });
if (!existsSync('build/core.wasm')) throw new Error('build/core.wasm is missing: run npm run build:wasm first');
copyFileSync('build/core.wasm', 'dist/core.wasm');

const abis = readdirSync('src/abi').filter((f) => f.endsWith('.ts') && !['types.ts', 'lookup.ts'].includes(f));
await build({
  entryPoints: ['src/index.ts', 'src/wasi/index.ts', ...abis.map((f) => `src/abi/${f}`)],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true, // one copy of the table and its error class across entry points
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  // Folds the layout constants into the code: a module-level binding costs the hot path a load and a check per use.
  minifySyntax: true,
  mangleProps,
  logLevel: 'warning',
});

rmSync('build/types', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('build/types/src', 'dist', { recursive: true });
