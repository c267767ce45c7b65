// The layout of an installed filter set, as assembly/seccomp/layout.ts
// writes it down: read back word by word, and evaluated by a second
// instance of seccomp.wasm over the same shared memory (a set is all a
// reader needs, plus its own seccomp_data and M[]).
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { inlineWasm } from '../scripts/inline-wasm.mjs';
import * as L from '../assembly/seccomp/layout.js';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { instantiate } from '../src/seccomp/wasm.js';
import { ALLOW, ERRNO, bytesOf, ins } from './helpers/seccomp-programs.js';

const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };
const S390X = { id: 'linux-s390x', base: 0, count: 472 };

describe('a filter set in memory', () => {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
  const e = createSeccompEngine({ memory });
  const older = bytesOf([ins(0x20, 0, 0, 20), ins(0x15, 0, 1, 7), ins(0x06, 0, 0, ERRNO | 7), ins(0x06, 0, 0, ALLOW)]);
  const newer = bytesOf([ins(0x20, 0, 0, 0), ins(0x15, 0, 1, 3), ins(0x06, 0, 0, ERRNO | 3), ins(0x06, 0, 0, ALLOW)]);
  const f = e.install([older, newer], { abis: [X86_64, S390X] });
  const w = new Uint32Array(memory.buffer);
  const at = f.at / 4;

  it('has the header, the directory newest first, the sections and the programs where the layout says', () => {
    expect(Atomics.load(w, at + L.S_MAGIC)).toBe(L.SET_MAGIC);
    expect([w[at + L.S_VERSION], w[at + L.S_BYTES], w[at + L.S_FILTERS], w[at + L.S_INSNS], w[at + L.S_ABIS]]).toEqual([L.SET_VERSION, f.bytes, 2, 8, 2]);
    expect(f.at % 8).toBe(0);
    const dir = at + w[at + L.S_DIR]! / 4;
    const prog = (i: number): Uint8Array => new Uint8Array(memory.buffer, f.at + w[dir + i * L.D_WORDS + L.D_INSNS]!, w[dir + i * L.D_WORDS + L.D_LEN]! * L.INSN_BYTES);
    expect([...prog(0)]).toEqual([...newer]);
    expect([...prog(1)]).toEqual([...older]);
    const sec = at + w[at + L.S_SECTIONS]! / 4;
    expect([w[sec + L.A_ARCH], w[sec + L.A_FLAGS], w[sec + L.A_BASE], w[sec + L.A_COUNT]]).toEqual([0xc000003e, 0, 0, 472]);
    const s2 = sec + L.A_WORDS;
    expect([w[s2 + L.A_ARCH], w[s2 + L.A_FLAGS], w[s2 + L.A_BASE], w[s2 + L.A_COUNT]]).toEqual([0x80000016, L.FLAG_BIG_ENDIAN, 0, 472]);
    // Caches: nr 3 is ERRNO 3 whatever the arguments; the others depend on args[0].
    for (const s of [sec, s2]) {
      const cache = at + w[s + L.A_CACHE]! / 4;
      expect(w[cache + 3]).toBe(ERRNO | 3);
      expect(w[cache + 4]).toBe(L.NOT_CONST);
      expect(w[s + L.A_CACHE]! + 472 * 4).toBeLessThanOrEqual(f.bytes);
    }
  });

  it('is evaluated by another instance from its own seccomp_data, with the ABI byte order', () => {
    const other = instantiate(memory);
    const data = f.at + f.bytes + 4096; // free memory past the set: another thread's seccomp_data and M[]
    const put = (nr: number, arch: number, words: number[]): void => {
      w.fill(0, data / 4, data / 4 + 32);
      w[data / 4] = nr;
      w[data / 4 + 1] = arch;
      words.forEach((v, i) => (w[data / 4 + 2 + i] = v));
    };
    // args[0] = 7 in its low half: word 5 (offset 20) is the high half on x86_64, the low half on s390x.
    put(4, 0xc000003e, [0, 0, 7, 0]);
    expect(other.evaluate(f.at, 0, data, data + 64) >>> 0).toBe(ALLOW);
    put(4, 0xc000003e, [0, 0, 0, 7]);
    expect(other.evaluate(f.at, 0, data, data + 64) >>> 0).toBe(ERRNO | 7);
    expect(e.evaluate(f, { nr: 4, abi: 'linux-s390x', args: [7] })).toBe(ERRNO | 7);
    expect(e.evaluate(f, { nr: 4, args: [7] })).toBe(ALLOW);
    expect(e.evaluate(f, { nr: 4, args: [7n << 32n] })).toBe(ERRNO | 7);
    put(3, 0xc000003e, []);
    expect(other.evaluate(f.at, 0, data, data + 64) >>> 0).toBe(ERRNO | 3);
    // Both filters run; the newer's ERRNO 3 ties with nothing, the older's ERRNO 7 needs args.
    expect(other.evaluateUncached(f.at, data, data + 64) >>> 0).toBe(ERRNO | 3);
  });

  it('is unpublished by release()', () => {
    e.release(f);
    expect(Atomics.load(w, at + L.S_MAGIC)).toBe(0);
  });
});

describe('a reader in a worker', () => {
  it('evaluates a set another thread installed, from its byte offset alone', async () => {
    // The reader bundled as the package will ship it (src/ is TypeScript; a worker runs plain JS).
    const out = join(mkdtempSync(join(tmpdir(), 'systab-seccomp-reader-')), 'reader.mjs');
    await build({ entryPoints: [new URL('../src/seccomp/reader.ts', import.meta.url).pathname], outfile: out, bundle: true, format: 'esm', platform: 'neutral', plugins: [inlineWasm], logLevel: 'warning' });
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
    const e = createSeccompEngine({ memory, base: 0, bytes: 16 * 65536 });
    const f = e.install([bytesOf([ins(0x20, 0, 0, 20), ins(0x15, 0, 1, 5), ins(0x06, 0, 0, ERRNO | 5), ins(0x06, 0, 0, ALLOW)])], { abis: [X86_64, S390X] });
    const code = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      import(${JSON.stringify(pathToFileURL(out).href)}).then(({ attachSeccomp }) => {
        const r = attachSeccomp(d.memory, d.scratchAt);
        const got = [r.evaluate(d.set, { nr: 1, args: [5n << 32n] }), r.evaluate(d.set, { nr: 1, args: [5] }), r.evaluate(d.set, { nr: 1, section: 1, args: [5] }), r.evaluate(d.set, { nr: 1, section: 1, args: [5n << 32n] })];
        try { r.evaluate(d.set + 8, { nr: 1 }); } catch (e) { got.push(e.code); }
        parentPort.postMessage(got);
      });`;
    const w = new Worker(code, { eval: true, workerData: { memory, set: f.at, scratchAt: 16 * 65536 } });
    const got = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    // Word 20 is args[0]'s high half on x86_64 (section 0), its low half on s390x (section 1).
    expect(got).toEqual([ERRNO | 5, ALLOW, ERRNO | 5, ALLOW, 'EATTACH']);
  });
});
