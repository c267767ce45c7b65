// Builds examples/web into examples/web/dist: the page and its worker bundled
// by esbuild (systab from the package's own dist/, by its self-reference),
// the guest programs compiled from fixtures/ticker.c (riscv64-linux-gnu-gcc
// and clang --target=wasm32-wasi), and the static files.
//   node examples/web/build.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const distDir = `${here}dist`;

// The rv64 emulator imports a few Node modules; in the worker they are small shims.
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|tty|crypto|os|worker_threads|path|child_process)$/ }, (a) => ({ path: `${here}src/shims/node-${a.path.slice(5)}.ts` }));
  },
};
// One systab for every file, the built package as users get it (the rv64
// example's tsconfig maps systab to its sources, which esbuild would follow).
const builtSystab = {
  name: 'built-systab',
  setup(b) {
    b.onResolve({ filter: /^systab(\/.*)?$/ }, (a) => ({ path: fileURLToPath(import.meta.resolve(a.path)) }));
  },
};

const programs = [
  { out: 'ticker.rv64', cmd: 'riscv64-linux-gnu-gcc', args: ['-static', '-O2', '-Wall'], help: 'apt-get install gcc-riscv64-linux-gnu' },
  { out: 'ticker.wasm', cmd: 'clang', args: ['--target=wasm32-wasi', '-O2', '-Wall'], help: 'apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32' },
];

function compile({ out, cmd, args, help }) {
  const src = `${here}fixtures/ticker.c`;
  const file = `${distDir}/${out}`;
  if (existsSync(file) && statSync(file).mtimeMs >= statSync(src).mtimeMs) return;
  try {
    execFileSync(cmd, [...args, src, '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(e.code === 'ENOENT' ? `${cmd} not found, needed to build ${out}: ${help}` : `${cmd} failed on ticker.c: ${e.stderr?.toString() ?? e}`);
  }
}

export async function buildWeb() {
  if (!existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)))) throw new Error('systab is not built: run npm run build first');
  mkdirSync(distDir, { recursive: true });
  // dist's chunks import each other bare, and the package says it has no side effects: true, so esbuild drops those imports (and says so).
  const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning', logOverride: { 'ignored-bare-import': 'silent' } };
  await build({ ...common, entryPoints: [`${here}src/page.ts`], outfile: `${distDir}/page.js`, plugins: [builtSystab] });
  await build({ ...common, entryPoints: [`${here}src/worker.ts`], outfile: `${distDir}/worker.js`, plugins: [builtSystab, nodeShims], inject: [`${here}src/shims/process.ts`, `${here}src/shims/buffer.ts`] });
  for (const p of programs) compile(p);
  for (const f of ['index.html', 'style.css']) copyFileSync(`${here}${f}`, `${distDir}/${f}`);
  return distDir;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`built ${await buildWeb()}`);
