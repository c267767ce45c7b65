// An esbuild plugin that inlines a .wasm import as bytes, decoded by a call
// marked pure: a bundle that never uses the bytes drops them with the call
// (esbuild's own binary loader decodes at import, unmarked, so every bundle
// that imports the entry kept the core). Used by build.mjs and size.mjs.
import { readFileSync } from 'node:fs';

export const inlineWasm = {
  name: 'inline-wasm',
  setup(b) {
    b.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      contents: `const decode = (s) => typeof Uint8Array.fromBase64 === 'function' ? Uint8Array.fromBase64(s) : Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export default /* @__PURE__ */ decode(${JSON.stringify(readFileSync(path).toString('base64'))});`,
    }));
  },
};
