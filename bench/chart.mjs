// Draws bench/results/chart.svg from bench/results/node*.json: per suite, per
// contender, its ratio to the suite's baseline, one bar per runtime. Hand-written
// SVG, no dependencies. `node bench/chart.mjs` redraws it from the JSON files.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(runs) {
  // runs: [{ label, data }] ; rows: suite header + contenders
  const suites = [];
  for (const { data } of runs) for (const [name, s] of Object.entries(data.suites)) if (s.results && !suites.includes(name)) suites.push(name);
  const rows = [];
  for (const suite of suites) {
    const names = [];
    for (const { data } of runs) for (const r of data.suites[suite]?.results ?? []) if (!names.includes(r.name)) names.push(r.name);
    const baseline = runs.map(({ data }) => data.suites[suite]?.baseline).find(Boolean);
    rows.push({ header: `${suite} (ratio to ${baseline})` });
    for (const name of names) rows.push({ suite, name, values: runs.map(({ data }) => data.suites[suite]?.results?.find((r) => r.name === name)?.ratio) });
  }
  const max = Math.min(10, Math.max(2, ...rows.flatMap((r) => (r.values ?? []).filter(Number.isFinite))));
  const labelW = 330;
  const plotW = 420;
  const barH = 9;
  const rowH = runs.length * (barH + 2) + 6;
  const top = 56;
  let y = top;
  const parts = [];
  const x = (v) => labelW + (Math.min(v, max) / max) * plotW;
  for (const r of rows) {
    if (r.header) {
      y += 8;
      parts.push(`<text x="4" y="${y + 10}" font-weight="bold">${esc(r.header)}</text>`);
      y += 16;
      continue;
    }
    parts.push(`<text x="${labelW - 6}" y="${y + rowH / 2 + 3}" text-anchor="end">${esc(r.name)}</text>`);
    r.values.forEach((v, i) => {
      const by = y + 3 + i * (barH + 2);
      if (!Number.isFinite(v)) return;
      parts.push(`<rect x="${labelW}" y="${by}" width="${Math.max(1, x(v) - labelW).toFixed(1)}" height="${barH}" fill="${COLORS[i % COLORS.length]}"/>`);
      parts.push(`<text x="${(x(v) + 4).toFixed(1)}" y="${by + barH - 1}" font-size="9">${v.toFixed(2)}x${v > max ? ' (off scale)' : ''}</text>`);
    });
    y += rowH;
  }
  const height = y + 24;
  const width = labelW + plotW + 90;
  const grid = [];
  for (let v = 0; v <= max; v += max > 5 ? 2 : 1) {
    grid.push(`<line x1="${x(v)}" y1="${top}" x2="${x(v)}" y2="${y}" stroke="${v === 1 ? '#333' : '#ddd'}" stroke-width="${v === 1 ? 1 : 0.5}"/>`);
    grid.push(`<text x="${x(v)}" y="${y + 14}" text-anchor="middle" font-size="9">${v}x</text>`);
  }
  const legend = runs.map(({ label }, i) => `<rect x="${4 + i * 150}" y="28" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${4 + i * 150 + 14}" y="37">${esc(label)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="4" y="19" font-weight="bold">systab: time per call, ratio to each suite's baseline (shorter is faster)</text>`,
    ...legend,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

export function drawChart(dir) {
  const files = readdirSync(dir).filter((f) => /^node\d+\.json$/.test(f)).sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
  const runs = files.map((f) => {
    const data = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    return { label: `Node ${data.env.runtime}`, data };
  });
  if (runs.length === 0) return;
  writeFileSync(path.join(dir, 'chart.svg'), chartSvg(runs));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  drawChart(fileURLToPath(new URL('./results/', import.meta.url)));
}
