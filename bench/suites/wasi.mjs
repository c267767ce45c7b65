// wasi: a WASI guest's calls through systab (the implementation loaded with
// loadWasi, the imports from wasiImports) beside the same implementation
// called directly, for @bjorn3/browser_wasi_shim and for node:wasi. Each
// contender is the guest's own loop (bench/wasm/wasi-guest.mjs) over one call,
// so the import boundary is crossed as a real program crosses it.
// SYSTAB_WASI_BEFORE=<dist dir> adds the same through another build of systab
// (e.g. a copy of dist/ from before a change), measured in the same rounds;
// SYSTAB_WASI_ONLY=shim,sched_yield runs only those implementations and calls.
// Each implementation is measured in a process of its own: a program hosts one,
// and V8's feedback at a call site both have passed through (the baseline's
// wrapper, systab's import) would make each call site generic, which on
// Node 20 changes how node:wasi's functions taking an i64 are called.
import { spawnSync } from 'node:child_process';
import { closeSync, readFileSync, openSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WASI as NodeWASI } from 'node:wasi';
import { ConsoleStdout, File, OpenFile, WASI as ShimWASI } from '@bjorn3/browser_wasi_shim';
import * as systab from 'systab';
import * as systabWasi from 'systab/wasi';
import { abi } from 'systab/abi/wasi-preview1';
import { compare, consume, fmtNs, fmtRatio, printCompare, roundsFor, target } from '../harness.mjs';
import { LOOPS, wasiGuestBytes } from '../wasm/wasi-guest.mjs';

export const title = 'wasi: a WASI guest through systab beside the implementation called directly';

const CALLS = Object.keys(LOOPS);
const LIMIT = 1.15;

/** The shim with fd 1 a console that drops what it gets and fd 3 an in-memory file (fd_seek's). */
const makeShim = () => new ShimWASI([], [], [new OpenFile(new File([])), new ConsoleStdout(() => {}), new ConsoleStdout(() => {}), new OpenFile(new File(new Uint8Array(64)))], { debug: false });

/** A plain JS function per import over `impl` (what a user's own wrapper costs). */
function behindFunctions(impl) {
  const o = {};
  for (const name of CALLS) {
    const f = impl[name];
    o[name] = [(a, b, c) => f(a, b, c), (a, b, c, d) => f(a, b, c, d), (a, b, c, d) => f(a, b, c, d), () => f()][CALLS.indexOf(name)];
  }
  return o;
}

/**
 * The direct way's own work done by hand (the floor for systab on a plain
 * slot): a doorbell word read and compared, a slot cache read and compared,
 * a depth count raised and lowered around the call, errors caught.
 */
function checksByHand(impl) {
  const bell = new Int32Array(new WebAssembly.Memory({ initial: 1 }).buffer, 64, 1);
  const seen = 0;
  const state = { depth: 0 };
  const o = {};
  for (const name of CALLS) {
    const f = impl[name];
    const direct = [f];
    const caught = (e) => {
      throw e;
    };
    o[name] = [
      (a, b, c) => { if (bell[0] === seen && direct[0] === f) { state.depth++; try { return f(a, b, c); } catch (e) { return caught(e); } finally { state.depth--; } } return 52; },
      (a, b, c, d) => { if (bell[0] === seen && direct[0] === f) { state.depth++; try { return f(a, b, c, d); } catch (e) { return caught(e); } finally { state.depth--; } } return 52; },
      (a, b, c, d) => { if (bell[0] === seen && direct[0] === f) { state.depth++; try { return f(a, b, c, d); } catch (e) { return caught(e); } finally { state.depth--; } } return 52; },
      () => { if (bell[0] === seen && direct[0] === f) { state.depth++; try { return f(); } catch (e) { return caught(e); } finally { state.depth--; } } return 52; },
    ][CALLS.indexOf(name)];
  }
  return o;
}

export async function run({ ci }) {
  const module = new WebAssembly.Module(wasiGuestBytes());
  const dir = mkdtempSync(join(tmpdir(), 'systab-bench-wasi-'));
  const seekFile = join(dir, 'seek');
  writeFileSync(seekFile, 'x'.repeat(64));
  const nodeFds = { stdin: openSync(seekFile, 'r'), stdout: openSync('/dev/null', 'w') };
  const makeNode = () => new NodeWASI({ version: 'preview1', args: [], env: {}, stdin: nodeFds.stdin, stdout: nodeFds.stdout, returnOnExit: true });

  const builds = [['systab', { systab, wasi: systabWasi, abi }]];
  const before = process.env.SYSTAB_WASI_BEFORE;
  if (before) {
    const at = (p) => pathToFileURL(join(before, p)).href;
    builds.unshift(['systab (before)', { systab: await import(at('index.js')), wasi: await import(at('wasi/index.js')), abi: (await import(at('abi/wasi-preview1.js'))).abi }]);
    console.log(`also measuring the build in ${before} as "systab (before)"`);
  }

  // One guest instance per contender, each bound to its own implementation object.
  const guests = {
    shim: (how) => {
      const w = makeShim();
      return { w, imports: how(w.wasiImport), bind: (inst) => w.initialize(inst), fd: { fd_write: 1, fd_seek: 3 } };
    },
    'node:wasi': (how) => {
      const w = makeNode();
      return { w, imports: how(w.wasiImport), bind: (inst) => w.initialize(inst), fd: { fd_write: 1, fd_seek: 0 } };
    },
  };
  const viaSystab = ({ systab: s, wasi, abi: a }, counting = false) => (impl) => {
    const t = s.createTable({ abi: a, shared: false });
    if (counting) t.hooks('*', { count: true });
    wasi.loadWasi(t, 'impl', impl);
    return wasi.wasiImports(t).imports.wasi_snapshot_preview1;
  };
  const contendersFor = (impl) => [
    [`${impl} direct`, (o) => o],
    [`${impl} behind a JS function`, behindFunctions],
    ['the checks by hand', checksByHand],
    ...builds.map(([name, b]) => [`${name}`, viaSystab(b)]),
  ];
  // A diagnosis measured after every target (its hosts share systab's import code, and calling it
  // beside the target's would shape that code): the count switch on, which takes every call through the table.
  const diagnosisFor = (impl) => [[`${impl} direct`, (o) => o], ...builds.map(([name, b]) => [`${name}, counting on`, viaSystab(b, true)])];

  // One guest instance per contender serving every call, as a program's imports serve all its calls.
  const instances = (impl, list) => list.map(([name, how]) => {
    const g = guests[impl](how);
    const inst = new WebAssembly.Instance(module, { wasi_snapshot_preview1: g.imports });
    g.bind(inst);
    return { name, inst, g };
  });
  const n = 1000;
  const opts = { rounds: roundsFor(ci), time: ci ? 20 : 100, warmupTime: ci ? 10 : 50 };
  const measure = async (impl, call, list, base) => {
    let expected;
    const contenders = list.map(({ name, inst, g }) => {
      const loop = inst.exports[LOOPS[call]];
      const fd = g.fd[call] ?? 0;
      // Every contender must answer as the implementation called directly does (node:wasi's fd_seek to 2^60 is EINVAL).
      const sum = loop(4, fd);
      expected ??= sum;
      if (sum !== expected) throw new Error(`bench: ${name} ${call} answered errnos summing to ${sum}, the direct call ${expected}`);
      return { name, calls: n, fn: () => consume(loop(n, fd)) };
    });
    const r = await compare({ ...opts, baseline: base, contenders });
    printCompare(r);
    return r;
  };
  const results = {};
  const rows = [];
  const targets = [];
  // SYSTAB_WASI_ONLY=shim,sched_yield narrows a run to some implementations and calls (for A/B work; a full run has all).
  const only = process.env.SYSTAB_WASI_ONLY?.split(',');
  const chosen = (x) => only === undefined || only.includes(x) || !only.some((o) => Object.hasOwn(guests, o) === Object.hasOwn(guests, x));
  const impls = Object.keys(guests).filter(chosen);
  const calls = CALLS.filter(chosen);
  if (impls.length > 1) return byProcess(impls, calls, ci);
  const baseOf = (impl) => (impl === 'shim' ? `${impl} direct` : `${impl} behind a JS function`);
  for (const impl of impls) {
    const list = instances(impl, contendersFor(impl));
    for (const call of calls) {
      console.log(`\n-- ${impl}: ${call}`);
      const base = baseOf(impl);
      const r = await measure(impl, call, list, base);
      results[`${impl} ${call}`] = r.map(({ name, nsPerCall, ratio, ratioMin, ratioMax }) => ({ name, nsPerCall, ratio, ratioMin, ratioMax }));
      const by = (name) => r.find((x) => x.name === name);
      const direct = by(`${impl} direct`);
      const sys = by('systab');
      const bef = by('systab (before)');
      rows.push([impl, call, fmtNs(direct.nsPerCall), fmtRatio(by(`${impl} behind a JS function`).ratio), fmtRatio(by('the checks by hand').ratio), ...(bef ? [fmtRatio(bef.ratio)] : []), fmtRatio(sys.ratio), fmtRatio(ratioOf(sys, direct))]);
      targets.push(target({ what: `${impl} ${call}: systab / ${base}`, cmp: '<=', limit: LIMIT, value: sys.ratio, unit: 'x' }));
    }
  }
  const diagRows = [];
  for (const impl of impls) {
    const list = instances(impl, diagnosisFor(impl));
    for (const call of calls) {
      console.log(`\n-- diagnosis, ${impl}: ${call}, counting on`);
      const r = await measure(impl, call, list, `${impl} direct`);
      const cells = r.slice(1).flatMap((x) => [fmtRatio(x.ratio), fmtNs(x.nsPerCall - r[0].nsPerCall)]);
      diagRows.push([impl, call, ...cells]);
    }
  }
  closeSync(nodeFds.stdin);
  closeSync(nodeFds.stdout);
  rmSync(dir, { recursive: true, force: true });
  const hasBefore = builds.length > 1;
  const tables = [{
    caption: 'Per call: the implementation called directly (ns for colour), and ratios (median of per-round ratios) to the baseline: the shim called directly, node:wasi behind a plain JS function. "The checks by hand": a JS function per import doing only what systab\'s direct way adds (doorbell and slot cache compared, depth raised and lowered, errors caught), its floor',
    header: ['implementation', 'call', 'direct', 'behind a JS function', 'the checks by hand', ...(hasBefore ? ['systab (before)'] : []), 'systab', 'systab / direct'],
    rows,
  }, {
    caption: 'Diagnosis, measured after the above: the count switch on for every number (stats()), against the implementation called directly',
    header: ['implementation', 'call', ...builds.flatMap(([name]) => [`${name}, counting on / direct`, 'added per call (ns, for colour)'])],
    rows: diagRows,
  }];
  console.log();
  for (const row of [...rows, ...diagRows]) console.log(row.join('  '));
  return { title, baseline: 'per call, see the table', results: undefined, tables, targets, perCall: results };
}

/** Median over rounds of a / b per round. */
function ratioOf(a, b) {
  const xs = a.rounds.map((ns, i) => ns / b.rounds[i]).sort((x, y) => x - y);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

/** Runs the suite once per implementation, each in a child process, and merges what they report. */
function byProcess(impls, calls, ci) {
  const dir = mkdtempSync(join(tmpdir(), 'systab-bench-wasi-'));
  const runner = fileURLToPath(new URL('../run.mjs', import.meta.url));
  const parts = impls.map((impl) => {
    const out = join(dir, `${impl.replace(':', '-')}.json`);
    const env = { ...process.env, SYSTAB_WASI_ONLY: [impl, ...calls].join(',') };
    const child = spawnSync(process.execPath, [runner, '--child', 'wasi', '--json-out', out, ...(ci ? ['--ci'] : [])], { stdio: 'inherit', env });
    if (child.status !== 0) throw new Error(`bench wasi: the ${impl} process failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(readFileSync(out, 'utf8'));
  });
  rmSync(dir, { recursive: true, force: true });
  const [first] = parts;
  return {
    ...first,
    tables: first.tables.map((t, i) => ({ ...t, rows: parts.flatMap((p) => p.tables[i].rows) })),
    targets: parts.flatMap((p) => p.targets),
    perCall: Object.assign({}, ...parts.map((p) => p.perCall)),
  };
}
