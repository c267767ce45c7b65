// seccomp filters: evaluate() with 1 and 8 stacked filters, for a number
// the action cache answers and for one whose action depends on an argument
// (the programs run). Not a test: `npm run build:seccomp && node bench/seccomp.mjs`.
// src/seccomp is bundled on the fly (its entry is not in dist/ yet).
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inlineWasm } from '../scripts/inline-wasm.mjs';
import { compare, consume, envInfo, fmtNs, printCompare, roundsFor } from './harness.mjs';

const ci = process.argv.includes('--ci');
const out = join(mkdtempSync(join(tmpdir(), 'systab-bench-seccomp-')), 'engine.mjs');
await build({ entryPoints: [new URL('../src/seccomp/engine.ts', import.meta.url).pathname], outfile: out, bundle: true, format: 'esm', platform: 'neutral', plugins: [inlineWasm], logLevel: 'warning' });
const { createSeccompEngine } = await import(pathToFileURL(out).href);

const ALLOW = 0x7fff0000;
const ERRNO = 0x00050000;
const KILL_PROCESS = 0x80000000;
const ins = (code, jt, jf, k) => [code, jt, jf, k >>> 0];
function bytesOf(prog) {
  const b = new Uint8Array(prog.length * 8);
  const v = new DataView(b.buffer);
  prog.forEach(([c, jt, jf, k], i) => {
    v.setUint16(i * 8, c, true);
    b[i * 8 + 2] = jt;
    b[i * 8 + 3] = jf;
    v.setUint32(i * 8 + 4, k, true);
  });
  return b;
}

// Shaped like libseccomp's output for an allow-list: check the arch, then
// one comparison per allowed number (60 of them), clone (56) refused with
// EPERM when args[0] has CLONE_NEWUSER (0x10000000), the rest ERRNO(EPERM).
function allowList() {
  const allowed = Array.from({ length: 60 }, (_, i) => (i === 56 ? 200 : i));
  const p = [ins(0x20, 0, 0, 4), ins(0x15, 1, 0, 0xc000003e), ins(0x06, 0, 0, KILL_PROCESS), ins(0x20, 0, 0, 0)];
  p.push(ins(0x15, 0, 4, 56), ins(0x20, 0, 0, 16), ins(0x45, 1, 0, 0x10000000), ins(0x06, 0, 0, ALLOW), ins(0x06, 0, 0, ERRNO | 1), ins(0x20, 0, 0, 0));
  allowed.forEach((nr, i) => p.push(ins(0x15, allowed.length - i, 0, nr)));
  p.push(ins(0x06, 0, 0, ERRNO | 1), ins(0x06, 0, 0, ALLOW));
  return bytesOf(p);
}

const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
const engine = createSeccompEngine();
const prog = allowList();
// Install: the median of 7 after one untimed (the wasm compiles and tiers up).
function timeInstall(progs) {
  const ms = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    const f = engine.install(progs, { abis: [X86_64] });
    ms.push(performance.now() - t);
    engine.release(f);
  }
  return ms.slice(1).sort((a, b) => a - b)[3];
}
const installOne = timeInstall([prog]);
const installEight = timeInstall(Array.from({ length: 8 }, () => prog));
const one = engine.install([prog], { abis: [X86_64] });
const eight = engine.install(Array.from({ length: 8 }, () => prog), { abis: [X86_64] });
if (engine.isConstant(one, 56) || !engine.isConstant(one, 0) || !engine.isConstant(eight, 0)) throw new Error('bench: the cache is not what the bench means to measure');

const N = 1000;
const cached = Array.from({ length: N }, (_, i) => ({ nr: i % 40, args: [i, 0, 0, 0, 0, 0] }));
const dependent = Array.from({ length: N }, (_, i) => ({ nr: 56, args: [i % 3 === 0 ? 0x10000000 : i, 0, 0, 0, 0, 0] }));
const task = (name, f, data) => ({
  name,
  calls: N,
  fn: () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += engine.evaluate(f, data[i]);
    consume(s);
  },
});

const results = await compare({
  contenders: [task('cached, 1 filter', one, cached), task('cached, 8 filters', eight, cached), task('argument-dependent, 1 filter', one, dependent), task('argument-dependent, 8 filters', eight, dependent)],
  baseline: 'cached, 1 filter',
  rounds: roundsFor(ci),
});
console.log(`seccomp evaluate(), ${envInfo().node ?? process.version}, ${prog.length / 8}-instruction allow-list filter`);
printCompare(results);
const proven = Array.from({ length: 472 }, (_, nr) => engine.cachedAction(one, nr));
console.log(`action cache: ${proven.filter((a) => a !== undefined).length} of 472 numbers proven (${proven.filter((a) => a === ALLOW).length} ALLOW, the only action the kernel's cache keeps)`);
console.log(`install (proving 472 numbers, median of 7): 1 filter ${fmtNs(installOne * 1e6)}, 8 filters ${fmtNs(installEight * 1e6)}`);
