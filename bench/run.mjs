#!/usr/bin/env node
// systab benchmarks. `node bench/run.mjs` runs every suite, `node bench/run.mjs
// dispatch hooks` some, `--ci` a short variant that proves the suites work.
// Each suite runs in its own child process (same Node binary), so one suite's
// JIT feedback never colours another's figures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { envInfo } from './harness.mjs';
import { renderMarkdown } from './report.mjs';
import { drawChart } from './chart.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SUITES = ['dispatch', 'enosys', 'hooks', 'wasm', 'threads', 'churn', 'footprint', 'wasi'];

const argv = process.argv.slice(2);
const ci = argv.includes('--ci');
const childAt = argv.indexOf('--child');

if (childAt >= 0) {
  // Child: run one suite, write its result as JSON.
  const name = argv[childAt + 1];
  const out = argv[argv.indexOf('--json-out') + 1];
  const suite = await import(pathToFileURL(path.join(here, 'suites', `${name}.mjs`)).href);
  const result = await suite.run({ ci });
  writeFileSync(out, JSON.stringify({ ...result, env: envInfo(), ci }, null, 2));
  process.exit(0);
}

if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`usage: node bench/run.mjs [--ci] [suite ...]\nsuites: ${SUITES.join(', ')}\nwrites bench/results/node<major>.{json,md} and chart.svg`);
  process.exit(0);
}
const badOption = argv.find((a) => a.startsWith('-') && a !== '--ci');
if (badOption !== undefined) {
  console.error(`unknown option ${badOption}; usage: node bench/run.mjs [--ci] [suite ...]`);
  process.exit(2);
}
const unknown = argv.filter((a) => a !== '--ci' && !SUITES.includes(a));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${SUITES.join(', ')}`);
  process.exit(2);
}
const chosen = argv.filter((a) => SUITES.includes(a));
const suites = chosen.length > 0 ? chosen : SUITES;
const env = envInfo();
console.log(`systab benchmarks${ci ? ' (--ci: short runs, figures are not meaningful)' : ''}`);
console.log(`runtime: Node ${env.runtime} (V8 ${env.v8}), ${env.platform}`);
console.log(`cpu: ${env.cpu} x ${env.cores}`);
console.log(`date: ${env.date}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'systab-bench-'));
const results = {};
let failed = 0;
const started = performance.now();
for (const name of suites) {
  console.log(`\n== ${name} ==`);
  const out = path.join(tmp, `${name}.json`);
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [path.join(here, 'run.mjs'), '--child', name, '--json-out', out, ...(ci ? ['--ci'] : [])], { stdio: 'inherit' });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (child.status !== 0 || !existsSync(out)) {
    failed++;
    console.log(`!! suite ${name} failed (exit ${child.status ?? child.signal}) after ${secs} s`);
    results[name] = { title: name, error: `exit ${child.status ?? child.signal}`, env: envInfo() };
    continue;
  }
  results[name] = JSON.parse(readFileSync(out, 'utf8'));
  console.log(`(${name}: ${secs} s)`);
}
rmSync(tmp, { recursive: true, force: true });
console.log(`\nall suites: ${((performance.now() - started) / 1000).toFixed(1)} s`);

const summary = Object.entries(results).flatMap(([name, r]) => (r.targets ?? []).map((t) => ({ name, ...t })));
if (summary.length > 0) {
  console.log('\ntargets:');
  for (const t of summary) console.log(`  ${t.name}: ${t.what} ${t.cmp} ${t.limit}${t.unit === 'x' ? 'x' : ' ' + t.unit}: ${t.met === null ? 'NOT MEASURED' : t.met ? 'met' : 'MISSED'}`);
}

if (!ci) {
  // Merge into this runtime's results: suites not run this time keep their last figures.
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `node${env.major}.json`);
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { suites: {} };
  const merged = { env, suites: { ...old.suites, ...results } };
  merged.suites = Object.fromEntries(SUITES.filter((s) => merged.suites[s] !== undefined).map((s) => [s, merged.suites[s]]));
  writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  writeFileSync(path.join(dir, `node${env.major}.md`), renderMarkdown(merged));
  drawChart(dir);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}, node${env.major}.md and chart.svg`);
}
process.exit(failed > 0 ? 1 : 0);
