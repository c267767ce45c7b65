// Every code block of the README runs as written, against the built package
// (dist/, imported as 'systab' by the package's own name), prints what its
// `// =>` comments say, and type-checks against the package's declarations.
// A block that is only an excerpt is marked `<!-- fragment: why -->` and is
// only parsed. test/readme-pack.test.ts runs the same blocks from the packed
// tarball in a fresh project.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { blocks, claims, readme, root, runBlock, typeCheck } from './helpers/readme.js';
import { extractBlocks } from '../scripts/readme-blocks.mjs';

// Inside the repository, so that 'systab' resolves to this package.
const dir = mkdtempSync(join(root, '.readme-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const all = blocks();
const runnable = all.filter((b) => b.run);

describe('the extractor', () => {
  it('finds fences, their languages, lines and markers', () => {
    const md = ['# t', '```js', 'a()', '```', '', '<!-- fragment: why -->', '', '```ts', 'b()', '```', '```sh', 'ls', '```', '````md', '```js', 'x', '```', '````'].join('\n');
    const got = extractBlocks(md).map((b: { lang: string; line: number; run: boolean; reason?: string; code: string }) => [b.lang, b.line, b.run, b.reason ?? '', b.code]);
    expect(got).toEqual([
      ['js', 2, true, '', 'a()\n'],
      ['ts', 8, false, 'why', 'b()\n'],
      ['sh', 11, false, 'sh: not run', 'ls\n'],
      ['md', 14, false, 'md: not run', '```js\nx\n```\n'],
    ]);
  });

  it('refuses a block never closed', () => {
    expect(() => extractBlocks('```js\nx\n')).toThrow('README line 1: code block never closed');
  });

  it('reads what a block claims to print', () => {
    expect(claims("console.log(1); // => 1  (one)\nx();\nconsole.log(2);\nconsole.log('a b'); // => a b")).toEqual({ logs: 3, expected: ['1', undefined, 'a b'] });
  });
});

describe('README code blocks', () => {
  it('every JS/TS block runs or is marked a fragment, and the first example runs', () => {
    for (const b of all) if (['js', 'ts', 'mjs', 'javascript', 'typescript'].includes(b.lang)) expect(b.run || b.fragment, `README.md:${b.line}`).toBe(true);
    expect(runnable.length).toBeGreaterThanOrEqual(6);
    expect(runnable[0]!.code).toContain("from 'systab'");
    expect(readme().indexOf('npm install systab')).toBeLessThan(readme().indexOf(runnable[0]!.code));
  });

  it.each(runnable.map((b) => [b.line, b] as const))('the block at README.md:%i runs as written', (_, b) => {
    expect(runBlock(b, dir)).toEqual([]);
  });

  // A fragment of two files' code (the Threads block: main thread, then
  // worker) parses part by part, the parts separated by blank lines.
  it('every fragment at least parses, whole or part by part', () => {
    const parses = (code: string, lang: string): boolean => {
      try {
        transformSync(code, { loader: lang.startsWith('t') ? 'ts' : 'js', format: 'esm' });
        return true;
      } catch {
        return false;
      }
    };
    for (const b of all.filter((x) => x.fragment)) {
      const ok = parses(b.code, b.lang) || b.code.split(/\n\s*\n/).every((part) => parses(part, b.lang));
      expect(ok, `README.md:${b.line}`).toBe(true);
    }
  });

  it('the runnable blocks type-check against the package', () => {
    expect(typeCheck(runnable, dir)).toEqual([]);
  });

  it("the memory figures in the prose are the Tables block's", () => {
    const text = readme();
    const pages = /with the defaults takes (\d+) pages \((\d+) KiB\)/.exec(text);
    const footprint = /table with the defaults is (\d+) KiB of memory/.exec(text);
    const printed = /\/\/ => (\d+)\s+\(KiB of memory\)/.exec(text);
    expect([pages?.[1], pages?.[2], footprint?.[1]]).toEqual([String(Number(printed![1]) / 64), printed![1], printed![1]]);
  });
});
