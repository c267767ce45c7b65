// The README's code blocks, as the tests run them. Every ```js / ```ts block
// runs as written, unless the line right before it is a marker:
//   <!-- fragment -->           an excerpt that does not run on its own
//   <!-- fragment: why -->      the same, with the reason
// A fragment is still parsed (a syntax error in one fails the test).
// Blocks in other languages (sh, text, none) are not run.
//
// Usage: node scripts/readme-blocks.mjs [README.md] [--write DIR]
//   lists the blocks; with --write, writes each runnable one to
//   DIR/block-<line>.mjs (or .mts) so that `node` can run it there.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RUN = new Set(['js', 'mjs', 'javascript', 'ts', 'typescript']);
const MARKER = /^<!--\s*fragment(?::\s*(.*?))?\s*-->$/;

/**
 * Every fenced block of `markdown`: its language, code, the 1-based line of
 * its opening fence, whether it runs, and why not.
 * @param {string} markdown
 * @returns {{ lang: string, code: string, line: number, run: boolean, fragment: boolean, reason?: string }[]}
 */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*\\${fence[0]}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(indent.length > 0 && lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    if (j === lines.length) throw new Error(`README line ${i + 1}: code block never closed`);
    // The marker is the nearest non-blank line above the fence.
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const mark = k >= 0 ? MARKER.exec(lines[k].trim()) : null;
    const runnable = RUN.has(lang.toLowerCase());
    const block = { lang: lang.toLowerCase(), code: body.join('\n') + '\n', line: i + 1, run: runnable && mark === null, fragment: mark !== null };
    if (mark !== null) block.reason = mark[1] ?? 'fragment';
    else if (!runnable) block.reason = lang === '' ? 'text' : `${lang}: not run`;
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** True for a TypeScript block. */
export const isTs = (b) => b.lang === 'ts' || b.lang === 'typescript';

/** The file name a block is written to. */
export const fileOf = (b) => `block-${b.line}.${isTs(b) ? 'mts' : 'mjs'}`;

/** Writes each runnable block of `markdown` to `dir`; returns the blocks, each with its `file`. */
export function writeBlocks(markdown, dir) {
  mkdirSync(dir, { recursive: true });
  const blocks = extractBlocks(markdown);
  for (const b of blocks) {
    if (!b.run) continue;
    b.file = join(dir, fileOf(b));
    writeFileSync(b.file, b.code);
  }
  return blocks;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const w = args.indexOf('--write');
  const dir = w >= 0 ? args.splice(w, 2)[1] : undefined;
  const readme = args[0] ?? 'README.md';
  const md = readFileSync(readme, 'utf8');
  const blocks = dir === undefined ? extractBlocks(md) : writeBlocks(md, dir);
  for (const b of blocks) console.log(`${readme}:${b.line} ${b.lang || 'text'} ${b.run ? 'runs' : `skipped (${b.reason})`}${b.file ? ` -> ${b.file}` : ''}`);
}
