// The committed src/wasi/direct.ts is exactly what scripts/gen-wasi-direct.mjs generates now.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { generate, OUT, SAMPLE_FIRST } from '../scripts/gen-wasi-direct.mjs';
import * as L from '../assembly/layout.js';

it('src/wasi/direct.ts is up to date (run npm run gen:wasi), one import function per WASI function', () => {
  const text = generate();
  expect(readFileSync(new URL(`../${OUT}`, import.meta.url), 'utf8')).toBe(text);
  expect(text.match(/^ {2}\w+: \(s\) => /gm)).toHaveLength(46);
  expect(SAMPLE_FIRST).toBe(L.SAMPLE_FIRST); // the counted way samples as the table's other paths do
});
