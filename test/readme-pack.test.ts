// As a user gets it: `npm pack`, then a fresh project (outside this
// repository) installs the tarball, and there the README's blocks run as
// written and type-check, `require('systab')` works, and the package holds
// what the README links to. Slower than test/readme-blocks.test.ts (a pack
// and an install, offline: systab has no dependencies): `npm run test:pack`,
// which CI runs after `npm test`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { blocks, root, runBlock, typeCheck } from './helpers/readme.js';

const enabled = process.env.SYSTAB_PACK === '1';
const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!enabled)('the packed tarball in a fresh project', () => {
  let work = '';
  let project = '';
  let files: string[] = [];
  let tarball = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'systab-pack-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);
    project = join(work, 'app');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
    // What the blocks import besides systab and Node (the WASI implementations): this repository's copies, linked in.
    const others = new Set<string>();
    for (const b of blocks()) for (const m of b.code.matchAll(/(?:from |resolve\()'([^']+)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('systab') || spec.startsWith('node:') || spec.startsWith('.')) continue;
      others.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
    for (const name of others) {
      const to = join(project, 'node_modules', name);
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), to);
    }
  }, 120000);
  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('installs from the tarball, with the license and changelog, without the sources', () => {
    const installed = join(project, 'node_modules/systab');
    expect(existsSync(join(installed, 'dist/index.js'))).toBe(true);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2026 the systab authors');
    expect(existsSync(join(installed, 'CHANGELOG.md'))).toBe(true);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it.each(blocks().filter((b) => b.run).map((b) => [b.line, b] as const))('the README block at line %i runs as written', (_, b) => {
    expect(runBlock(b, project)).toEqual([]);
  });

  it('the README blocks type-check against the installed declarations', () => {
    expect(typeCheck(blocks(), project)).toEqual([]);
  });

  it("require('systab') in a CommonJS file of the project", () => {
    writeFileSync(join(project, 'use.cjs'), "const { createTable } = require('systab'); const { abi } = require('systab/abi/linux-x86_64'); console.log(createTable({ abi }).call(39));\n");
    const r = spawnSync(process.execPath, ['use.cjs'], { cwd: project, encoding: 'utf8' });
    expect([r.status, r.stderr, r.stdout.trim()]).toEqual([0, '', '-38']);
  });
});
