// OCI profiles: compiling moby's default profile (compileProfile) and
// installing it (the checks and the action cache's proof of every number),
// then evaluate() on a proven number beside the argument-dependent ones
// (clone, personality, socket). Not a test: `node bench/seccomp-profile.mjs`.
// src/seccomp is bundled on the fly.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inlineWasm } from '../scripts/inline-wasm.mjs';
import { compare, consume, envInfo, fmtNs, printCompare, roundsFor } from './harness.mjs';

const ci = process.argv.includes('--ci');
const dir = mkdtempSync(join(tmpdir(), 'systab-bench-profile-'));
await build({ entryPoints: { seccomp: new URL('../src/seccomp/index.ts', import.meta.url).pathname, oci: new URL('../src/seccomp/oci.ts', import.meta.url).pathname, x86_64: new URL('../src/abi/linux-x86_64.ts', import.meta.url).pathname }, outdir: dir, bundle: true, format: 'esm', platform: 'neutral', plugins: [inlineWasm], logLevel: 'warning' });
const { createSeccompEngine } = await import(pathToFileURL(join(dir, 'seccomp.js')).href);
const { compileProfile } = await import(pathToFileURL(join(dir, 'oci.js')).href);
const { abi } = await import(pathToFileURL(join(dir, 'x86_64.js')).href);
const moby = JSON.parse(readFileSync(new URL('../data/seccomp/moby-default.json', import.meta.url), 'utf8'));

const median = (f) => {
  const ms = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return ms.slice(1).sort((a, b) => a - b)[3];
};
const engine = createSeccompEngine();
const spec = { id: abi.id, base: abi.base, count: abi.count };
const compileMs = median(() => compileProfile(moby, { abi }));
const program = compileProfile(moby, { abi });
const installMs = median(() => engine.release(engine.install([program], { abis: [spec] })));
const f = engine.install([program], { abis: [spec] });
const n = abi.count;
const proven = Array.from({ length: n }, (_, nr) => engine.cachedAction(f, nr)).filter((a) => a !== undefined).length;

const N = 1000;
const { read, clone, personality, socket } = abi.names;
const cached = Array.from({ length: N }, (_, i) => ({ nr: read, args: [i] }));
const dependent = Array.from({ length: N }, (_, i) => [{ nr: clone, args: [i % 2 ? 0x10000000 : 0x11] }, { nr: personality, args: [i % 2 ? 0xffffffff : 0x1234] }, { nr: socket, args: [i % 50] }][i % 3]);
const task = (name, data) => ({
  name,
  calls: N,
  fn: () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += engine.evaluate(f, data[i]);
    consume(s);
  },
});
const results = await compare({ contenders: [task('read (proven ALLOW)', cached), task('clone, personality, socket (by argument)', dependent)], baseline: 'read (proven ALLOW)', rounds: roundsFor(ci) });
console.log(`moby's profile on x86_64, ${envInfo().node ?? process.version}: ${program.length} instructions; ${proven} of ${n} numbers proven constant`);
console.log(`compileProfile ${fmtNs(compileMs * 1e6)}, install (check + prove, median of 7) ${fmtNs(installMs * 1e6)}`);
printCompare(results);
