import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

// A few white-box tests import src/ directly (to compare src/table.ts's
// layoutBytes with the core's); src/core.ts imports the built core as bytes,
// which esbuild inlines for dist/. This does the same for vitest.
const wasmBytes: Plugin = {
  name: 'systab-wasm-bytes',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.wasm')) return null;
    const b64 = readFileSync(id).toString('base64');
    return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`;
  },
};

export default defineConfig({
  plugins: [wasmBytes],
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // The torture runs apart (npm run torture, npm run soak): see package.json.
    exclude: ['test/browser/**', 'node_modules/**', ...(process.env.SYSTAB_TORTURE ? [] : ['test/torture-node.test.ts'])],
    testTimeout: 60000,
    // Two cores: one fork per core; wasm and shared memory behave the same in forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
