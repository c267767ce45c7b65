// Compiles the C fixtures to wasm32-wasi (for the Node tests through harness.ts,
// and for the browser tests through a vitest command, since a page cannot run clang).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const buildDir = `${here}build`;
export const CLANG_HELP = 'clang with the wasm32-wasi target is needed to build the WASI fixtures: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32';

/** The path of fixtures/<name>.c compiled, built into build/<name>.wasm when the source is newer; throws a clear error without clang. */
export function fixtureFile(name: string): string {
  const src = `${here}fixtures/${name}.c`;
  const out = `${buildDir}/${name}.wasm`;
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(buildDir, { recursive: true });
    // Written aside and renamed: test files compiling the same fixture at once never read half a file.
    const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wall', src, '-o', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as { code?: string; stderr?: Buffer };
      throw new Error(err.code === 'ENOENT' ? `clang not found. ${CLANG_HELP}` : `clang failed on ${name}.c: ${err.stderr?.toString() ?? String(e)}\n${CLANG_HELP}`);
    }
    renameSync(tmp, out);
  }
  return out;
}
