// The shape of src/: no import cycle (type imports included), no
// hand-written file over 450 lines, and nothing table.ts depends on imports
// table.ts back (cold code sees the Table through src/thread.ts). Read with
// a small parser of this repository's own import syntax, not a bundler.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const MAX_LINES = 450;
// Generated files (each checked against its generator by its own test:
// abi-generated.test.ts, wasi-direct-generated.test.ts) are exempt from the line limit.
const GENERATED = [/^src\/abi\/linux-[\w-]+\.ts$/, /^src\/abi\/wasi-preview1\.ts$/, /^src\/abi\/list\.ts$/, /^src\/abi\/call-index\.ts$/, /^src\/wasi\/direct\.ts$/];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The specifiers a file imports or re-exports, `import type` and `export type` included, with comments and strings' contents aside. */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  // import x from '...', import { a, type B } from '...', import type { T } from '...', export { x } from '...', export * from '...'
  // (One character class, newlines in it: an alternation of two that overlap backtracked exponentially on long code without ; or quotes.)
  for (const m of code.matchAll(/(?:^|[;\n])\s*(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"]+)\1/g)) out.push(m[2]!);
  // import '...' (side effects), import('...') and import type('...')
  for (const m of code.matchAll(/(?:^|[;\n])\s*import\s*(['"])([^'"]+)\1/g)) out.push(m[2]!);
  for (const m of code.matchAll(/\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g)) out.push(m[2]!);
  return out;
}

/** A relative specifier as the src/ file it names, or undefined when it leaves src/. */
function resolve(from: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = join(dirname(from), spec).replace(/\.js$/, '');
  for (const f of [`${base}.ts`, `${base}/index.ts`]) if (files.has(f)) return f;
  return undefined;
}

const files = sources('src').map((f) => relative(root, join(root, f)));
const fileSet = new Set(files);
const graph = new Map<string, string[]>(
  files.map((f) => {
    const deps = specifiers(readFileSync(join(root, f), 'utf8'))
      .map((s) => resolve(f, s, fileSet))
      .filter((d): d is string => d !== undefined);
    return [f, [...new Set(deps)]];
  }),
);

/** Every cycle's path, found by a depth-first search (one per back edge). */
function cycles(g: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...g.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

function reach(g: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(g.get(from) ?? [])];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(g.get(f) ?? []));
  }
  return seen;
}

describe('the import parser', () => {
  it('sees every form of import this repository writes', () => {
    const text = [
      "import * as L from '../assembly/layout.js';",
      "import type { View } from './view.js';",
      "import { a, type B } from './a.js';",
      'import {\n  c,\n  d,\n} from "./c.js";',
      "export { Module } from './module.js';",
      "export type { Stats } from './stats.js';",
      "import './side.js';",
      "const m = await import('./lazy.js');",
      "// import { no } from './comment.js';",
      "/* import { no } from './block.js'; */",
      "const s = 'import x from \"./no.js\"';",
    ].join('\n');
    expect(specifiers(text)).toEqual(['../assembly/layout.js', './view.js', './a.js', './c.js', './module.js', './stats.js', './side.js', './lazy.js']);
  });

  it('finds type-only edges in src/ (thread.ts imports only a type, from view.ts)', () => {
    expect(graph.get('src/thread.ts')).toEqual(['src/view.ts']);
    expect(graph.get('src/index.ts')).toContain('src/stats.ts'); // export type { ... } from
  });
});

describe('src/ structure', () => {
  it('has no import cycle, type imports included', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('has no hand-written file over 450 lines (generated files are exempt)', () => {
    const over = files
      .filter((f) => !GENERATED.some((g) => g.test(f)))
      .map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > MAX_LINES)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(over).toEqual([]);
  });

  it('exempts only files that say they are generated', () => {
    for (const f of files.filter((f) => GENERATED.some((g) => g.test(f)))) {
      const head = readFileSync(join(root, f), 'utf8').split('\n').slice(0, 2).join(' ');
      expect(head, f).toMatch(/^\/\/ generated by scripts\/[\w-]+\.mjs .*do not edit/i);
    }
  });

  it('lets nothing below table.ts import it', () => {
    const below = reach(graph, 'src/table.ts');
    expect(below.has('src/table.ts')).toBe(false);
    const importers = files.filter((f) => graph.get(f)!.includes('src/table.ts')).sort();
    // Only what stands above the table: making one, the public entry, the typed API, the WASI host, a trace, a filter.
    expect(importers).toEqual(['src/create.ts', 'src/index.ts', 'src/seccomp/table.ts', 'src/trace/trace.ts', 'src/typed.ts', 'src/wasi/imports.ts']);
    for (const f of importers) expect(below.has(f), f).toBe(false);
  });
});
