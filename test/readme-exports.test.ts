// What the package's types promise exists at run time, and what does not
// exist is refused by both: every `systab/abi/<x>` the exports map lets
// TypeScript see is a module Node loads (the ABI modules, and `list`); the
// helpers beside them (call-index, lookup, read, types) are neither. CommonJS users get the package
// through require(esm) (Node 20.19 and later), as package.json's engines says.
// Runs against dist/ (npm run build), resolved by the package's own name.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; exports: Record<string, unknown> };
const declared = readdirSync(join(root, 'dist/abi')).filter((f) => f.endsWith('.d.ts')).map((f) => f.slice(0, -'.d.ts'.length));
const entries = declared.filter((x) => /^(linux|wasi)-/.test(x));
const helpers = declared.filter((x) => !entries.includes(x) && x !== 'list');

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the exports map', () => {
  it('declares the helpers beside the ABI modules, and there are some', () => {
    expect(helpers.sort()).toEqual(['call-index', 'lookup', 'read', 'types']);
    expect(entries.length).toBeGreaterThan(30);
  });

  it('every ABI subpath loads at run time and gives its ABI', () => {
    const script = `const ids = ${JSON.stringify(entries)};
      for (const id of ids) { const m = await import('systab/abi/' + id); if (m.abi.id !== id) throw new Error(id + ' gave ' + m.abi.id); }
      console.log(ids.length);`;
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(String(entries.length));
  });

  it('systab/abi/list loads and names exactly the ABI subpaths', () => {
    const r = node(['--input-type=module', '-e', `import('systab/abi/list').then((m) => console.log(JSON.stringify(m.abiIds)))`]);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as string[]).sort()).toEqual([...entries].sort());
  });

  it('every helper subpath is refused at run time: ERR_PACKAGE_PATH_NOT_EXPORTED', () => {
    for (const h of helpers) {
      const r = node(['--input-type=module', '-e', `import('systab/abi/${h}').then(() => console.log('loaded'), (e) => console.log(e.code))`]);
      expect(r.stdout.trim(), h).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    }
  });

  it('TypeScript (nodenext) resolves the ABI subpaths and refuses the helper ones', () => {
    const dir = mkdtempSync(join(root, '.readme-exports-'));
    try {
      const file = join(dir, 'use.mts');
      const lines = [`import { abi } from 'systab/abi/linux-x86_64';`, `import { createTable } from 'systab';`, `import { abiIds } from 'systab/abi/list';`, `createTable({ abi }); abiIds.map((id) => id.length);`, ...helpers.map((h) => `import * as ${h.replace('-', '_')} from 'systab/abi/${h}';`)];
      writeFileSync(file, lines.join('\n') + '\n');
      const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, types: [] });
      const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
      const byLine = diags.map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: TS${d.code}`);
      // Lines 5.. are the helpers, each "Cannot find module" (2307); lines 1-4 compile.
      expect(byLine.sort()).toEqual(helpers.map((_, i) => `${i + 5}: TS2307`).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CommonJS', () => {
  it('engines names the first Node whose require() loads ES modules', () => {
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('require("systab") and an ABI subpath work, with no warning, and give the ES module\'s classes', () => {
    const script = `const s = require('systab'); const { abi } = require('systab/abi/linux-x86_64');
      const t = s.createTable({ abi }); t.load({ name: 'p', handlers: { getpid: () => 7 } });
      let code; try { t.call(1.5); } catch (e) { code = e instanceof s.SystabError && e.code; }
      console.log(t.call(39), t.call(0), code);`;
    const r = node(['-e', script]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('7 -38 EBADNR');
  });

  it('require() and import give the one module instance (one SystabError class)', () => {
    const script = `import { createRequire } from 'node:module'; import * as esm from 'systab'; import * as wasi from 'systab/wasi';
      const require = createRequire(import.meta.url);
      console.log(require('systab').SystabError === esm.SystabError, require('systab/wasi').wasiImports === wasi.wasiImports);`;
    const r = node(['--input-type=module', '-e', script]);
    expect([r.stderr, r.stdout.trim()]).toEqual(['', 'true true']);
  });
});
