// dist/ ships source maps that carry the sources and map the bundle back to
// them: a stack trace under --enable-source-maps names src/table.ts and the
// original method.
// Runs against dist/ (npm run build).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceMap } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const jsFiles = (dir: string): string[] =>
  readdirSync(join(dist, dir)).filter((f) => f.endsWith('.js')).map((f) => join(dir, f));

describe('source maps', () => {
  it('every entry and chunk but the ABI literals has a map with its sources inside', () => {
    const files = [...jsFiles('.'), ...jsFiles('chunks'), ...jsFiles('wasi')];
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const js = readFileSync(join(dist, f), 'utf8');
      const url = /\n\/\/# sourceMappingURL=(\S+)\n?$/.exec(js)?.[1];
      expect(url, f).toBe(`${f.split('/').pop()}.map`);
      const map = JSON.parse(readFileSync(join(dist, f + '.map'), 'utf8')) as { sources: string[]; sourcesContent: (string | null)[] };
      expect(map.sourcesContent.length, f).toBe(map.sources.length);
      for (const c of map.sourcesContent) expect(typeof c, f).toBe('string');
    }
  });

  it('the ABI modules, generated literals, ship without maps', () => {
    for (const f of jsFiles('abi')) {
      expect(readFileSync(join(dist, f), 'utf8'), f).not.toContain('sourceMappingURL');
      expect(existsSync(join(dist, f + '.map')), f).toBe(false);
    }
  });

  it("maps the bundle back to src/ (the table's view opening, claiming its worker record)", () => {
    // The table's code is in index.js or in a chunk it shares with systab/wasi.
    const file = ['index.js', ...jsFiles('chunks')].find((f) => /\w+\.workerClaim\(/.test(readFileSync(join(dist, f), 'utf8')))!;
    expect(file).toBeDefined();
    const lines = readFileSync(join(dist, file), 'utf8').split('\n');
    const line = lines.findIndex((l) => /\w+\.workerClaim\(/.test(l));
    const m = /(\w+)\.workerClaim\(/.exec(lines[line]!)!;
    const map = new SourceMap(JSON.parse(readFileSync(join(dist, file + '.map'), 'utf8')));
    const e = map.findEntry(line, m.index) as { originalSource?: string; originalLine?: number };
    expect(e.originalSource).toMatch(/src\/open\.ts$/);
    const src = readFileSync(join(root, 'src/open.ts'), 'utf8').split('\n');
    expect(src[e.originalLine!]).toContain('workerClaim(');
  });

  it('a stack trace through the slow path names it under --enable-source-maps', () => {
    // enter hooks on: the call takes the table's slow path
    const script = `import { createTable } from 'systab'; import { abi } from 'systab/abi/linux-x86_64';
      const t = createTable({ abi }); t.hooks('*', { enter: true }); t.onEnter(() => {});
      t.load({ name: 'x', handlers: { getpid: () => { throw new Error('boom'); } } });
      try { t.call(39); } catch (e) { console.log(e.stack); }`;
    const run = (flags: string[]): string => spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).stdout;
    const plain = run([]);
    const mapped = run(['--enable-source-maps']);
    expect(plain).toMatch(/dist\/(chunks\/)?[\w-]+\.js:\d+:\d+/);
    expect(plain).not.toMatch(/src\/table\.ts/);
    expect(mapped).toMatch(/\bslow \(.*src\/table\.ts:\d+:\d+\)/);
    expect(mapped).not.toMatch(/dist\/(chunks\/)?[\w-]+\.js/);
  });
});
