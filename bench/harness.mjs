// The benchmark harness: contenders interleaved in one process, several
// rounds with the order rotated each round, medians and per-round ratios.
// Plain ESM so it runs on every Node without a build step.
import os from 'node:os';
import { Bench } from 'tinybench';

/**
 * Timed rounds per comparison: 15 (3 with --ci). On this 2-core VM single
 * rounds swing by up to +-30%; with 7 rounds the dispatch median moved
 * 1.12x-1.23x between runs, with 15 rounds 1.22x-1.25x.
 */
export function roundsFor(ci) {
  return ci ? 3 : 15;
}

/** Median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A quantile by linear interpolation, q in [0, 1]. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Per-round ratios of one contender to the baseline: rounds[i][name] / rounds[i][baseline].
 * Rounds where either is missing are skipped.
 */
export function perRoundRatios(rounds, name, baseline) {
  const out = [];
  for (const r of rounds) {
    const a = r[name];
    const b = r[baseline];
    if (typeof a === 'number' && typeof b === 'number' && b > 0) out.push(a / b);
  }
  return out;
}

/** The order of contenders in round `round`: rotated by one each round. */
export function rotation(names, round) {
  const k = round % names.length;
  return [...names.slice(k), ...names.slice(0, k)];
}

/** Runtime, machine and date, for every report. */
export function envInfo() {
  const cpus = os.cpus();
  return {
    runtime: process.version,
    major: Number(process.versions.node.split('.')[0]),
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

export let sink = 0;
/** Keeps a result alive so the optimiser cannot drop the work that made it. */
export function consume(x) {
  sink = (sink + (typeof x === 'number' ? x : 1)) | 0;
}

/**
 * Runs contenders interleaved: `rounds` rounds, each running every contender
 * once (a fresh tinybench Bench per round, order rotated), after
 * `warmupRounds` discarded rounds. A contender is
 * { name, fn, calls, beforeAll?, afterAll?, async? }: `fn` does `calls` calls per
 * invocation. Returns per contender the median ns per call over rounds (each
 * round's figure is tinybench's median sample) and the median of the per-round
 * ratios to `baseline`.
 */
export async function compare({ contenders, baseline, rounds = 7, time = 200, warmupTime = 50, warmupRounds = 1, onRound }) {
  const names = contenders.map((c) => c.name);
  if (!names.includes(baseline)) throw new Error(`bench: baseline ${baseline} is not a contender`);
  const byName = new Map(contenders.map((c) => [c.name, c]));
  const perRound = [];
  const anyAsync = contenders.some((c) => c.async);
  // Round -1..: untimed warm-up rounds (tier-up, inline caches settle), discarded.
  for (let round = -warmupRounds; round < rounds; round++) {
    const bench = new Bench({ time, warmupTime, iterations: 8, warmupIterations: 4, throws: true });
    for (const name of rotation(names, Math.max(round, 0))) {
      const c = byName.get(name);
      // async is always explicit: left out, tinybench calls the task once at add() to find out.
      bench.add(name, c.fn, { beforeAll: c.beforeAll, afterAll: c.afterAll, async: c.async === true });
    }
    const tasks = anyAsync ? await bench.run() : bench.runSync();
    const r = {};
    for (const task of tasks) {
      const res = task.result;
      if (res.state !== 'completed') throw new Error(`bench: ${task.name} did not complete (${res.state}): ${res.error ?? ''}`);
      r[task.name] = (res.latency.p50 * 1e6) / byName.get(task.name).calls;
    }
    if (round < 0) continue;
    perRound.push(r);
    onRound?.(round, r);
  }
  return contenders.map((c) => {
    const ns = perRound.map((r) => r[c.name]);
    const ratios = perRoundRatios(perRound, c.name, baseline);
    return {
      name: c.name,
      nsPerCall: median(ns),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      rounds: ns,
      ratios,
      baseline: c.name === baseline,
    };
  });
}

/** A fixed-width text table. */
export function textTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(all[0]), w.map((n) => '-'.repeat(n)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} us`;
  return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a';
}

/** Prints the contenders of a compare() run. */
export function printCompare(results) {
  console.log(
    textTable(
      ['contender', 'median/call', 'ratio (median of rounds)', 'ratio range'],
      results.map((r) => [r.name + (r.baseline ? ' (baseline)' : ''), fmtNs(r.nsPerCall), fmtRatio(r.ratio), `${fmtRatio(r.ratioMin)} - ${fmtRatio(r.ratioMax)}`]),
    ),
  );
}

/**
 * A target: { what, limit, value, unit: 'x' | 'ns' | 'us' | 'ms', cmp: '<=' | '>=' }.
 * Returns it with `met` and prints one line.
 */
export function target(t) {
  const met = t.value === undefined || !Number.isFinite(t.value) ? null : t.cmp === '>=' ? t.value >= t.limit : t.value <= t.limit;
  const shown = (v) => (t.unit === 'x' ? fmtRatio(v) : `${v === undefined ? 'n/a' : Number(v).toFixed(2)} ${t.unit}`);
  const verdict = met === null ? 'NOT MEASURED' : met ? 'MET' : 'MISSED';
  console.log(`target: ${t.what} ${t.cmp} ${shown(t.limit)}: ${shown(t.value)} -> ${verdict}${t.note ? ` (${t.note})` : ''}`);
  return { ...t, met };
}
