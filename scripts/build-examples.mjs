// Bundles each example's CLI with esbuild. `systab` stays external: the
// bundle imports the package itself (package self-reference), i.e. dist/.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildRv64(outfile = `${root}examples/rv64/dist/rv64.mjs`) {
  await build({
    entryPoints: [`${root}examples/rv64/src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['systab', 'systab/*'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildRv64();
