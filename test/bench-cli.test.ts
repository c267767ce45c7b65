// bench/run.mjs's command line: help and bad arguments answer at once and
// never run a suite (a run overwrites the committed results).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const results = new URL('../bench/results/', import.meta.url);
const run = (...args: string[]) => spawnSync(process.execPath, ['bench/run.mjs', ...args], { encoding: 'utf8', timeout: 20_000 });
const stamp = () => ['node20.json', 'node24.json', 'chart.svg'].map((f) => statSync(new URL(f, results)).mtimeMs);

describe('bench/run.mjs arguments', () => {
  it('prints its usage for --help and runs nothing', () => {
    const before = stamp();
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: node bench/run.mjs [--ci] [suite ...]');
    expect(r.stdout).toContain('suites: dispatch, enosys, hooks, wasm, threads, churn, footprint, wasi');
    expect(r.stdout).not.toContain('==');
    expect(stamp()).toEqual(before);
  });

  it('rejects an unknown option, with or without --ci', () => {
    for (const args of [['--fast'], ['--ci', '--fast', 'dispatch']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('unknown option --fast; usage: node bench/run.mjs [--ci] [suite ...]\n');
    }
  });

  it('rejects an unknown suite beside --ci and known suites', () => {
    const before = stamp();
    const r = run('--ci', 'dispatch', 'nosuch');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('unknown suite nosuch; suites: dispatch, enosys, hooks, wasm, threads, churn, footprint, wasi\n');
    expect(stamp()).toEqual(before);
  });
});
