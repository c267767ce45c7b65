// Runs the README's code blocks (scripts/readme-blocks.mjs extracts them) in
// a directory where `import 'systab'` resolves: inside this repository (the
// package's own name resolves to dist/), or a fresh project that installed
// the packed tarball. Used by test/readme-blocks.test.ts and
// test/readme-pack.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { extractBlocks, fileOf, isTs } from '../../scripts/readme-blocks.mjs';

export const root = new URL('../..', import.meta.url).pathname;
export const readme = (): string => readFileSync(join(root, 'README.md'), 'utf8');

export interface Block {
  lang: string;
  code: string;
  line: number;
  run: boolean;
  fragment: boolean;
  reason?: string;
}

export const blocks = (): Block[] => extractBlocks(readme()) as Block[];

/** What a block claims it prints: `console.log(...); // => value  (remark)`, in order. */
export function claims(code: string): { logs: number; expected: (string | undefined)[] } {
  const expected: (string | undefined)[] = [];
  for (const line of code.split('\n')) {
    if (!line.includes('console.log(')) continue;
    const m = /\/\/ => (.*?)(?:\s{2,}.*)?$/.exec(line);
    expected.push(m?.[1]);
  }
  return { logs: expected.length, expected };
}

const squash = (s: string): string => s.replace(/\s+/g, '');

/**
 * Runs block `b` in `dir` with `node` (a TypeScript block is stripped of its
 * types first) and checks that it exits 0, writes nothing to stderr, and
 * prints what its `// =>` comments say. Returns a list of problems.
 */
export function runBlock(b: Block, dir: string, nodeArgs: string[] = []): string[] {
  const file = join(dir, fileOf(b).replace(/\.mts$/, '.mjs'));
  const code = isTs(b) ? transformSync(b.code, { loader: 'ts', format: 'esm' }).code : b.code;
  writeFileSync(file, code);
  // node:wasi's "experimental" notice is Node's, not the block's: every other warning counts.
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', ...nodeArgs, file], { cwd: dir, encoding: 'utf8', timeout: 30000 });
  const where = `README.md:${b.line}`;
  const problems: string[] = [];
  if (r.status !== 0) problems.push(`${where} exits ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(0, 6).join('\n')}`);
  else if (r.stderr !== '') problems.push(`${where} writes to stderr: ${r.stderr.trim()}`);
  const { logs, expected } = claims(b.code);
  if (problems.length === 0 && expected.some((e) => e !== undefined)) {
    const out = r.stdout.replace(/\n$/, '').split('\n');
    if (out.length !== logs) problems.push(`${where} has ${logs} console.log lines but printed ${out.length} lines: ${JSON.stringify(out)}`);
    else expected.forEach((e, i) => {
      if (e !== undefined && squash(e) !== squash(out[i]!)) problems.push(`${where}: console.log #${i + 1} says // => ${e} but printed ${out[i]}`);
    });
  }
  return problems;
}

/**
 * Type-checks the runnable blocks against the package's declarations as a
 * user's editor would: TypeScript blocks strict, JavaScript ones with
 * checkJs (not strict: JS has no annotations to satisfy it). Returns the
 * diagnostics, each with its README line.
 */
export function typeCheck(list: Block[], dir: string): string[] {
  const out: string[] = [];
  for (const strictTs of [true, false]) {
    const mine = list.filter((b) => b.run && isTs(b) === strictTs);
    if (mine.length === 0) continue;
    const files = mine.map((b) => {
      const f = join(dir, `check-${fileOf(b)}`);
      writeFileSync(f, b.code);
      return f;
    });
    const program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      allowJs: true,
      checkJs: true,
      strict: strictTs,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const i = d.file === undefined ? -1 : files.indexOf(d.file.fileName);
      const line = i >= 0 && d.start !== undefined ? mine[i]!.line + 1 + d.file!.getLineAndCharacterOfPosition(d.start).line : '?';
      out.push(`README.md:${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return out;
}
