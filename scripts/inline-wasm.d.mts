// Types for inline-wasm.mjs (the tests bundle src/ with it).
import type { Plugin } from 'esbuild';
export const inlineWasm: Plugin;
