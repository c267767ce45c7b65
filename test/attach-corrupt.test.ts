// attach() of corrupt or mismatched memory (issue 11, finding 9): a copy of a
// real table with one bit flipped is either refused with EATTACH, or gives a
// table where every operation returns or throws a SystabError of a documented
// code: never a hang, never a raw RuntimeError, RangeError or TypeError. Each
// case runs in a worker thread that is terminated when it takes too long.
// Wrong modules, ABI objects that differ from the table's, and descriptor
// fields of the wrong type are EATTACH too. (Layout version 5.)
import { coreModule } from '../src/core.js';
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { attach, createTable, SystabError, type Abi, type Table, type TableDescriptor } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import * as L from '../assembly/layout.js';
import { layoutBytes } from '../src/attach-check.js';
import { abiFingerprint, readAbi } from '../src/abi/read.js';
import { abiIds } from '../src/abi/list.js';
import { expectSystabError } from './helpers/systab.js';
import { startRole } from './helpers/workers.js';
import { wasmHandlers } from './helpers/wasm.js';
import { coreVerify, regions, type Regions } from './helpers/regions.js';
import { HEADER, I32, I64, section, str, uleb, vec } from '../bench/wasm/bytes.mjs';

/** How long one case may take before it counts as a hang (a sound case takes a few ms; its longest waits: carried calls of 5 ms, the writer lock 50 ms, an unload 30 ms). */
const CASE_MS = 2000;
const LANES = 2;
const SEED = Number(process.env.SYSTAB_FLIP_SEED ?? 0x5eed);
const MAXH = 64;
const MAXM = 8;
const MAXW = 4;
const CALLS = 4;

/** The codes src/errors.ts documents: any other code is as wrong as a raw error. */
const DOCUMENTED = new Set([...readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8').matchAll(/\|\s*'([A-Z]+)'/g)].map((m) => m[1]!));

function sharedMemory(pages: number, maximum = pages): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum, shared: true });
}

/** A fresh shared memory holding `bytes`, with bit `bit` of word `word` flipped (none when word < 0). */
function flipped(bytes: Uint8Array, word: number, bit: number, pages = Math.ceil(bytes.byteLength / 65536)): WebAssembly.Memory {
  const m = sharedMemory(pages);
  new Uint8Array(m.buffer).set(bytes.subarray(0, Math.min(bytes.byteLength, m.buffer.byteLength)));
  if (word >= 0) new Int32Array(m.buffer)[word]! ^= 1 << bit;
  return m;
}

/** mulberry32: a seeded sample, the same every run (SYSTAB_FLIP_SEED explores others). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'ok' | { code: string; message: string } | { raw: string };
type Result = { attach: Outcome; steps?: [string, Outcome][]; ms?: number } | 'hang';
interface Case {
  label: string;
  word: number;
  bit: number;
}

/** Worker threads that run cases one at a time each, under a watchdog. */
class Pool {
  #lanes: { worker: Worker | undefined }[] = [];
  constructor(readonly data: { module: WebAssembly.Module; abi: Abi; gone: { creator: number; scene: number } }) {}

  async #start(): Promise<Worker> {
    const w = new Worker(new URL('./workers/attach-corrupt-worker.mjs', import.meta.url), { workerData: this.data });
    await new Promise<void>((res, rej) => {
      w.once('message', () => res());
      w.once('error', rej);
    });
    return w;
  }

  async #one(lane: { worker: Worker | undefined }, memory: WebAssembly.Memory): Promise<Result> {
    const w = (lane.worker ??= await this.#start());
    return new Promise<Result>((res) => {
      const timer = setTimeout(() => {
        w.off('message', onMessage);
        lane.worker = undefined;
        void w.terminate();
        res('hang');
      }, CASE_MS);
      const onMessage = (m: { result: Result }): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        res(m.result);
      };
      w.on('message', onMessage);
      w.postMessage({ id: 0, memory });
    });
  }

  /** Runs every case; returns the results in order. */
  async run(cases: Case[], make: (c: Case) => WebAssembly.Memory): Promise<Result[]> {
    const out: Result[] = new Array(cases.length);
    let next = 0;
    while (this.#lanes.length < LANES) this.#lanes.push({ worker: undefined });
    await Promise.all(
      this.#lanes.map(async (lane) => {
        while (next < cases.length) {
          const i = next++;
          out[i] = await this.#one(lane, make(cases[i]!));
        }
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.worker?.terminate()));
  }
}

/** What is wrong with one outcome: a raw error, or a code src/errors.ts does not document. */
function badOutcome(o: Outcome): string | undefined {
  if (o === 'ok') return undefined;
  if ('raw' in o) return o.raw;
  return DOCUMENTED.has(o.code) ? undefined : `undocumented code ${o.code}: ${o.message}`;
}

/** What is wrong with a result: a hang, a raw error, an undocumented code, or a refusal other than EATTACH; undefined if nothing. */
function wrong(r: Result): string | undefined {
  if (r === 'hang') return `no answer within ${CASE_MS} ms`;
  if (r.attach !== 'ok') {
    if ('raw' in r.attach) return `attach threw ${r.attach.raw}`;
    return r.attach.code === 'EATTACH' ? undefined : `attach threw ${r.attach.code}: ${r.attach.message}`;
  }
  const bad = r.steps!.flatMap(([s, o]) => {
    const b = badOutcome(o);
    return b === undefined ? [] : [`${s}: ${b}`];
  });
  return bad.length === 0 ? undefined : bad.join('; ');
}

let t: Table;
let snapshot: Uint8Array;
let at: Regions;
let words: Int32Array;
let pool: Pool;
let posted = -1; // the call record (index in the calls region) posted when the snapshot was taken
const ids = { records: [] as number[], going: [] as number[], modules: [] as number[] };

beforeAll(async () => {
  // A table with a bit of everything: plain, wasm and bigint handlers, a wrap,
  // reservations (one filled), switches, policies, a replace, an unload, calls
  // carried from another thread (done), and at the snapshot: a replace still
  // draining (handlers GOING, retired by the creator) and a call posted by
  // another thread and not yet run.
  t = createTable({ abi: x86_64, maxHandlers: MAXH, maxModules: MAXM, maxWorkers: MAXW, callRecords: CALLS });
  const wasm = wasmHandlers();
  const wasmSpec = { name: 'wasm', handlers: { getuid: { wasm: wasm.add }, getgid: { fn: (a: bigint) => a + 1n, bigint: true as const } } };
  t.load({ name: 'io', handlers: { write: (_fd, _b, len) => len, read: () => 0, getpid: () => 4242, close: () => 0, lseek: (_fd, off) => off } });
  t.load(wasmSpec);
  t.load({ name: 'trace', wraps: { write: (below) => (a0, a1, a2, a3, a4, a5) => below(a0, a1, a2, a3, a4, a5) } });
  t.reserve('net', ['socket', 'connect']);
  t.reserve('fs', ['openat', 'stat']);
  t.load({ name: 'fs', handlers: { openat: () => 3 } });
  t.hooks('*', { count: true });
  t.hooks(['close', 'lseek'], { count: false });
  t.hooks(['getpid'], { enter: true, exit: true });
  t.setMissing(['open'], 'throw');
  t.setMissing(['mmap'], 'log-once');
  t.setMissing(['brk'], () => -12);
  const tmp = t.load({ name: 'tmp', handlers: { getppid: () => 1 } });
  await tmp.unload();
  await t.load({ name: 'io', replace: true, handlers: { write: (_fd, _b, len) => len, read: () => 0, getpid: () => 4243, close: () => 0 } }).drained;
  for (const n of [1, 0, 39, 41, 257, 99999]) t.call(n);
  const caller = startRole(t, 'caller');
  await caller.result();
  await caller.exited;

  // The scene: a thread (worker record 1) blocked until told, then carrying a call to this one.
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const scene = new Worker(new URL('./workers/attach-corrupt-worker.mjs', import.meta.url), { workerData: { scene: { desc: t.describe(), flag: flag.buffer } } });
  const sceneExited = new Promise((res) => scene.once('exit', res));
  const sceneMessages: Record<string, unknown>[] = [];
  let sceneWaiter: (() => void) | undefined;
  scene.on('message', (m: Record<string, unknown>) => {
    sceneMessages.push(m);
    sceneWaiter?.();
  });
  const sceneNext = async (key: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = sceneMessages.findIndex((m) => key in m);
      if (i >= 0) return sceneMessages.splice(i, 1)[0]!;
      await new Promise<void>((res) => (sceneWaiter = res));
    }
  };
  const { threadId: sceneThread } = (await sceneNext('ready')) as { threadId: number };
  at = regions(t);
  const i32 = at.i32;
  // From here to the snapshot this thread does not yield: the replace cannot drain, the posted call is not run.
  const late = t.load({ ...wasmSpec, replace: true });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const deadline = performance.now() + 10_000;
  const rec = (k: number): number => at.calls + (1 * at.ncalls + k) * L.CR_WORDS;
  while (posted < 0) {
    for (let k = 0; k < at.ncalls; k++) if (Atomics.load(i32, rec(k) + L.CR_STATE) === L.CS_POSTED) posted = at.ncalls + k;
    if (performance.now() > deadline) throw new Error('the scene thread posted no call');
  }
  snapshot = new Uint8Array(t.describe().memory.buffer).slice();
  await late.drained;
  expect(await sceneNext('wrote')).toEqual({ wrote: 3 });
  scene.postMessage('bye');
  await sceneExited;
  t.verify();

  words = new Int32Array(snapshot.buffer);
  expect(words[L.H_CALLS]).toBe(CALLS);
  for (let id = 1; id < MAXH; id++) {
    const st = words[at.handlers + id * L.HR_WORDS + L.HR_STATE]!;
    if (st !== L.HS_FREE) ids.records.push(id);
    if ((st & L.HS_MASK) === L.HS_GOING) ids.going.push(id);
  }
  for (let m = 1; m < MAXM; m++) if (words[at.modules + m * L.MR_WORDS + L.MR_STATE] !== L.MS_FREE) ids.modules.push(m);
  const gone = { creator: words[at.workers + 0 * L.WR_WORDS + L.WR_ID]!, scene: words[at.workers + 1 * L.WR_WORDS + L.WR_ID]! };
  expect(gone.scene).toBe(sceneThread);
  pool = new Pool({ module: t.describe().module, abi: x86_64, gone });
}, 30000);

afterAll(async () => {
  await pool?.close();
});

/** Runs cases and asserts none hangs, throws a raw error or an undocumented code; returns the results. */
async function expectSound(cases: Case[]): Promise<Result[]> {
  const results = await pool.run(cases, (c) => flipped(snapshot, c.word, c.bit));
  // SYSTAB_FLIP_DUMP=file: every case's outcome, one JSON line each (for looking closer; the test does not read it).
  if (process.env.SYSTAB_FLIP_DUMP) appendFileSync(process.env.SYSTAB_FLIP_DUMP, cases.map((c, i) => JSON.stringify({ ...c, result: results[i] }) + '\n').join(''));
  const failures = cases.flatMap((c, i) => {
    const w = wrong(results[i]!);
    return w === undefined ? [] : [`${c.label}: ${w}`];
  });
  expect(failures).toEqual([]);
  return results;
}

/** `n` seeded (word, bit) picks, `pick` choosing a word from a random number. */
function sample(name: string, n: number, pick: (r: () => number) => number): Case[] {
  const r = random(SEED ^ [...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5));
  const seen = new Set<string>();
  const out: Case[] = [];
  while (out.length < n) {
    const word = pick(r);
    const bit = Math.floor(r() * 32);
    const label = `${name} word ${word} bit ${bit}`;
    if (seen.has(label)) continue;
    seen.add(label);
    out.push({ label, word, bit });
  }
  return out;
}

const every = (label: (w: number) => string, ws: number[]): Case[] => ws.flatMap((word) => Array.from({ length: 32 }, (_, bit) => ({ label: `${label(word)} bit ${bit}`, word, bit })));
const HEADER_NAMES = ['MAGIC', 'VERSION', 'ABI', 'SLOTS', 'BASE', 'MAIN', 'MAXH', 'MAXM', 'MAXW', 'STATE', 'GP', 'CHANGES', 'LOCK', 'ENOSYS', 'NEXTH', 'BYTES', 'OOR_COUNT', 'CALLS', 'ORPHANS', 'LEASE_ID', 'TRACE', 'SPARE21'];
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('the snapshot', () => {
  it('holds what the cases need: GOING handlers retired by the creator, a posted call, live records', () => {
    expect(HEADER_NAMES.length).toBe(L.HEADER_WORDS);
    expect(ids.going.length).toBeGreaterThan(0);
    for (const id of ids.going) expect(words[at.handlers + id * L.HR_WORDS + L.HR_STATE]).toBe(L.HS_GOING | (1 << L.HS_BY_SHIFT));
    expect(words[at.calls + posted * L.CR_WORDS + L.CR_TARGET]).toBe(0);
    expect(words[at.workers + 0 * L.WR_WORDS + L.WR_STATE]).toBe(L.WS_ONLINE);
    expect(words[at.workers + 1 * L.WR_WORDS + L.WR_STATE]).toBe(L.WS_ONLINE);
    expect(words[at.workers + 1 * L.WR_WORDS + L.WR_GEN]).toBe(3); // the caller's claim, its release, the scene's claim
    expect(words[L.H_LOCK]).toBe(0);
  });
});

describe('attach() of a copy with one bit flipped', () => {
  it('the copy itself attaches, and every operation answers', async () => {
    const [r] = await pool.run([{ label: 'none', word: -1, bit: 0 }], (c) => flipped(snapshot, c.word, c.bit));
    expect(r).not.toBe('hang');
    const res = r as Exclude<Result, 'hang'>;
    expect(res.attach).toBe('ok');
    const notOk = res.steps!.filter(([, o]) => o !== 'ok');
    // The one typed answer: open's missing-call policy is 'throw'.
    expect(notOk).toEqual([['call open', { code: 'ENOSYS', message: 'linux-x86_64 call open (2) is not implemented' }]]);
  });

  it('every bit of the header', async () => {
    const cases = every((w) => `header ${HEADER_NAMES[w]}`, range(L.HEADER_WORDS));
    const results = await expectSound(cases);
    // Words that must equal what the ABI and the sizes say: every flip is refused.
    const fixed = [L.H_MAGIC, L.H_VERSION, L.H_ABI, L.H_SLOTS, L.H_BASE, L.H_MAIN, L.H_MAXH, L.H_MAXM, L.H_MAXW, L.H_STATE, L.H_ENOSYS, L.H_BYTES, L.H_CALLS];
    const accepted = cases.filter((c, i) => fixed.includes(c.word) && (results[i] as { attach: Outcome }).attach === 'ok').map((c) => c.label);
    expect(accepted).toEqual([]);
    // And a value beyond its range is refused too: the lock (0..maxWorkers), the next handler (1..maxHandlers-1), the count switch (0/1), the grace period (>= 1).
    const beyond = cases.filter((c, i) => {
      const v = words[c.word]! ^ (1 << c.bit);
      const bad = (c.word === L.H_LOCK && (v < 0 || v > MAXW)) || (c.word === L.H_NEXTH && (v < 1 || v > MAXH - 1)) || (c.word === L.H_OOR_COUNT && v !== 0 && v !== 1) || (c.word === L.H_GP && v < 1);
      return bad && (results[i] as { attach: Outcome }).attach === 'ok';
    });
    expect(beyond.map((c) => c.label)).toEqual([]);
  });

  // Every bit of the words in use, and a seeded sample of the rest.

  it('slot words (handler, switches, policy and generation)', async () => {
    const total = words[L.H_SLOTS]!;
    // In use: anything beyond the count switch every slot has from hooks('*'): a handler, other switches, a policy, a generation.
    const used = range(total).filter((s) => (words[at.slots + s]! & ~L.HOOK_COUNT) !== 0);
    const policies = [x86_64.names.open!, x86_64.names.mmap!, x86_64.names.brk!].map((n) => n - x86_64.base);
    for (const s of policies) expect(used).toContain(s);
    await expectSound([...every((w) => `slot word of call ${w - at.slots}`, used.map((s) => at.slots + s)), ...sample('slot', 200, (r) => at.slots + Math.floor(r() * total))]);
  });

  it('handler records', async () => {
    const rec = (id: number, f: number): number => at.handlers + id * L.HR_WORDS + f;
    await expectSound([
      ...every((w) => `handler ${Math.floor((w - at.handlers) / L.HR_WORDS)} word ${(w - at.handlers) % L.HR_WORDS}`, ids.records.flatMap((id) => range(L.HR_WORDS).map((f) => rec(id, f)))),
      ...sample('handler', 300, (r) => rec(Math.floor(r() * MAXH), Math.floor(r() * L.HR_WORDS))),
    ]);
  });

  it('module records', async () => {
    const rec = (m: number, f: number): number => at.modules + m * L.MR_WORDS + f;
    await expectSound([
      // State, generation, home, name length, secret and the first name word of every record in use.
      ...every((w) => `module ${Math.floor((w - at.modules) / L.MR_WORDS)} word ${(w - at.modules) % L.MR_WORDS}`, ids.modules.flatMap((m) => [...range(L.MR_NAME + 1)].map((f) => rec(m, f)))),
      ...sample('module', 200, (r) => rec(Math.floor(r() * MAXM), Math.floor(r() * L.MR_WORDS))),
    ]);
  });

  it('worker records', async () => {
    // Worker 0 is the creator, worker 1 the scene thread (both online, neither there in a copy).
    const rec = (w: number, f: number): number => at.workers + w * L.WR_WORDS + f;
    await expectSound([
      ...every((w) => `worker ${Math.floor((w - at.workers) / L.WR_WORDS)} word ${(w - at.workers) % L.WR_WORDS}`, [0, 1].flatMap((w) => range(L.WR_GEN + 1).map((f) => rec(w, f)))),
      ...sample('worker', 100, (r) => rec(Math.floor(r() * MAXW), Math.floor(r() * L.WR_WORDS))),
    ]);
  });

  it('carried-call records', async () => {
    // Worker 1's records: the caller's finished calls (their fields are what a reuse starts from) and the scene's posted one.
    const rec = (c: number, f: number): number => at.calls + c * L.CR_WORDS + f;
    const fields = (c: number): number[] => (c === posted ? range(L.CR_WORDS) : range(L.CR_ERR + 1));
    await expectSound([
      ...every((w) => `call record ${Math.floor((w - at.calls) / L.CR_WORDS)} word ${(w - at.calls) % L.CR_WORDS}`, range(at.ncalls, at.ncalls).flatMap((c) => fields(c).map((f) => rec(c, f)))),
      ...sample('call record', 150, (r) => rec(Math.floor(r() * MAXW * at.ncalls), Math.floor(r() * L.CR_WORDS))),
    ]);
  });

  it('counters and wasm resolutions', async () => {
    const counters = MAXW * at.stripe;
    const resolvedWords = (MAXW * MAXH) / 4;
    await expectSound([
      ...sample('counter', 60, (r) => at.counters + Math.floor(r() * counters)),
      ...sample('resolution', 30, (r) => at.resolvedBytes / 4 + Math.floor(r() * resolvedWords)),
    ]);
  });
});

// ---- records damaged beyond one bit: each is refused, naming what is wrong ----

describe('attach() checks the records', () => {
  const copy = (edit: (i32: Int32Array) => void): TableDescriptor => {
    const m = flipped(snapshot, -1, 0);
    edit(new Int32Array(m.buffer));
    return { ...t.describe(), memory: m };
  };
  const hr = (id: number, f: number): number => at.handlers + id * L.HR_WORDS + f;
  const chainOf = (nr: number): number[] => {
    const out: number[] = [];
    for (let h = words[at.slots + nr - x86_64.base]! & L.ID_MASK; h !== 0; h = words[hr(h, L.HR_BELOW)]!) out.push(h);
    return out;
  };
  const damaged = 'table records are damaged: ';

  it('a cycle of handlers below one another', () => {
    const [wrap, plain] = chainOf(1);
    expect(plain).toBeGreaterThan(0);
    const d = copy((i32) => (i32[hr(plain!, L.HR_BELOW)] = wrap!));
    expectSystabError(() => attach(d), 'EATTACH', `${damaged}handler ${wrap} sits over a handler that is not live on its slot`);
  });

  it('a slot that holds a free handler', () => {
    const free = range(MAXH - 1, 1).find((id) => words[hr(id, L.HR_STATE)] === L.HS_FREE)!;
    const d = copy((i32) => (i32[at.slots + 39] = (i32[at.slots + 39]! & ~L.ID_MASK) | free));
    expectSystabError(() => attach(d), 'EATTACH', `${damaged}slot getpid (39) points to a handler that is not live on that slot`);
  });

  it('a live handler on no chain', () => {
    const [top] = chainOf(39);
    const d = copy((i32) => (i32[at.slots + 39] = i32[at.slots + 39]! & ~L.ID_MASK));
    expectSystabError(() => attach(d), 'EATTACH', `${damaged}handler ${top} is live but not referenced exactly once`);
  });

  it('a name length beyond the record', () => {
    const m = ids.modules[0]!;
    const d = copy((i32) => (i32[at.modules + m * L.MR_WORDS + L.MR_NAMELEN] = -1));
    expectSystabError(() => attach(d), 'EATTACH', `${damaged}module record ${m} is damaged`);
  });

  it('a GOING handler that names a retiring worker beyond the records', () => {
    const id = ids.going[0]!;
    const d = copy((i32) => (i32[hr(id, L.HR_STATE)] = L.HS_GOING | ((MAXW + 1) << L.HS_BY_SHIFT)));
    expectSystabError(() => attach(d), 'EATTACH', `${damaged}handler ${id} has a bad state, kind, slot or home`);
  });

  it('a GOING handler that names no retiring worker is an orphan: the next change adopts and frees it', async () => {
    const id = ids.going[0]!;
    const d = copy((i32) => {
      i32[hr(id, L.HR_STATE)] = L.HS_GOING;
      i32[L.H_ORPHANS] = 1;
    });
    const v = attach(d);
    await v.load({ name: 'probe', handlers: { 200: () => 1 } }).unload({ timeout: 20, force: true });
    // Adopted: retired now by this view, to be freed after its grace period (the copy's dead threads hold that back).
    const st = new Int32Array(d.memory.buffer)[hr(id, L.HR_STATE)]!;
    expect({ going: st & L.HS_MASK, adopted: st >>> L.HS_BY_SHIFT !== 0, flag: new Int32Array(d.memory.buffer)[L.H_ORPHANS] }).toEqual({ going: L.HS_GOING, adopted: true, flag: 0 });
    v.verify();
    v.close();
  });

  it('a call record of a free worker that is posted', () => {
    // Worker 3 has never been claimed (the attaching view takes worker 2, and takes back its records): a record of it in use is damage, named as a call record.
    const k = 3 * at.ncalls + 1;
    const d = copy((i32) => {
      i32[at.calls + k * L.CR_WORDS + L.CR_STATE] = L.CS_POSTED;
    });
    expect(() => attach(d)).toThrow(expect.objectContaining({ code: 'EATTACH', message: expect.stringMatching(new RegExp(`^${damaged}.*call record ${k}\\b`)) }));
  });

  it('the sound copy has no record problem', () => {
    expect(coreVerify(t.describe().module, flipped(snapshot, -1, 0))).toBe(0);
  });
});

// ---- modules, ABI objects and descriptors that are not this table's ----

/** A module of `imports` and `exports` (all functions but memory/table), whose functions return 0, and layoutVersion `version`. */
function fakeCore(opts: { memory: boolean; functions: string[]; exports: string[]; version?: number }): WebAssembly.Module {
  const noArgs = [0x60, 0x00, 0x01, I32];
  const sig7 = (t: number) => [0x60, 0x07, I32, t, t, t, t, t, t, 0x01, t];
  const types = vec([noArgs, sig7(0x7c), sig7(I64)]);
  const imp: number[][] = [];
  if (opts.memory) imp.push([...str('env'), ...str('memory'), 0x02, 0x03, ...uleb(1), ...uleb(16384)]);
  for (const f of opts.functions) imp.push([...str('env'), ...str(f), 0x00, f === 'js_call' ? 0x01 : 0x02]);
  const nImp = opts.functions.length;
  const fn = (name: string): number => nImp + (name === 'layoutVersion' ? 1 : 0);
  const exp = opts.exports.map((name) => (name === 'memory' ? [...str(name), 0x02, 0x00] : name === 'table' ? [...str(name), 0x01, 0x00] : [...str(name), 0x00, ...uleb(fn(name))]));
  const zero = [0x00, 0x41, 0x00, 0x0b]; // no locals; i32.const 0; end
  const version = [0x00, 0x41, ...uleb(opts.version ?? 0), 0x0b]; // (small versions: sleb = uleb below 64)
  return new WebAssembly.Module(
    new Uint8Array([
      ...HEADER,
      ...section(1, types),
      ...section(2, vec(imp)),
      ...section(3, vec([[0x00], [0x00]])),
      ...section(4, vec([[0x70, 0x00, 0x01]])),
      ...section(7, vec(exp)),
      ...section(10, vec([[...uleb(zero.length), ...zero], [...uleb(version.length), ...version]])),
    ]),
  );
}

const CORE_IMPORTS = ['js_call64', 'js_call', 'js_slow', 'js_now', 'js_timed'];

describe('attach() of mismatched descriptors', () => {
  it('a module that is not the core is EATTACH', () => {
    const d = t.describe();
    const tiny = fakeCore({ memory: false, functions: [], exports: ['run'] });
    expectSystabError(() => attach({ ...d, module: tiny }), 'EATTACH', "module is not systab's core: it does not import env.memory:memory");
    const extra = fakeCore({ memory: true, functions: [...CORE_IMPORTS, 'fd_write'], exports: [] });
    expectSystabError(() => attach({ ...d, module: extra }), 'EATTACH', "module is not systab's core: it imports env.fd_write:function");
    const names = WebAssembly.Module.exports(d.module).map((e) => e.name);
    const noVerify = fakeCore({ memory: true, functions: CORE_IMPORTS, exports: names.filter((n) => n !== 'verify') });
    expectSystabError(() => attach({ ...d, module: noVerify }), 'EATTACH', "module is not systab's core: it does not export verify:function");
    // Every name and kind right, the code not the core's: its layoutVersion() answers 0.
    const lookalike = fakeCore({ memory: true, functions: CORE_IMPORTS, exports: names });
    expectSystabError(() => attach({ ...d, module: lookalike }), 'EATTACH', `module is not systab's core of layout version ${L.LAYOUT_VERSION} (its layoutVersion() answers 0)`);
    // The core built for plain memory cannot run on a shared table.
    const local = coreModule(false);
    expect(() => attach({ ...d, module: local })).toThrow(expect.objectContaining({ code: 'EATTACH', message: expect.stringMatching(/^the core cannot run on this memory \(/) }));
    // None of them took a worker record: the three free ones are there still.
    const views = [attach(d), attach(d), attach(d)];
    expectSystabError(() => attach(d), 'EFULL', `all ${MAXW} worker records of this table are taken`);
    for (const v of views) v.close();
  });

  it('a lookalike whose layoutVersion() answers 3 is EATTACH too, and leaves the table as it was', () => {
    // Every name and kind right, layoutVersion() right, every other function answers 0 (verify() included).
    // Its own table: what such a view writes must not spoil the one the other cases use.
    const own = createTable({ abi: x86_64, maxHandlers: MAXH, maxModules: MAXM, maxWorkers: MAXW, callRecords: CALLS });
    own.load({ name: 'io', handlers: { read: () => 0 } });
    const d = own.describe();
    const before = new Int32Array(d.memory.buffer).slice(0, L.HEADER_WORDS);
    const names = WebAssembly.Module.exports(d.module).map((e) => e.name);
    const lookalike = fakeCore({ memory: true, functions: CORE_IMPORTS, exports: names, version: L.LAYOUT_VERSION });
    let thrown: unknown;
    try {
      attach({ ...d, module: lookalike }).close();
    } catch (e) {
      thrown = e;
    }
    const header = new Int32Array(d.memory.buffer).slice(0, L.HEADER_WORDS);
    expect({ code: (thrown as SystabError | undefined)?.code, header: [...header] }).toEqual({ code: 'EATTACH', header: [...before] });
    own.verify();
  });

  it('an ABI object with the same id that differs anywhere is EATTACH', () => {
    const d = t.describe();
    const other = (abi: Abi) => () => attach({ ...d, abi });
    const msg = 'table was made for another ABI than linux-x86_64';
    const { write: _w, ...noWrite } = x86_64.names;
    const variants: Abi[] = [
      { ...x86_64, enosys: -99 },
      { ...x86_64, base: 1 },
      { ...x86_64, names: { ...x86_64.names, write: 2 } },
      { ...x86_64, names: noWrite },
      { ...x86_64, names: { ...x86_64.names, mycall: 400 } },
      { ...x86_64, errno: { ...x86_64.errno, EAGAIN: 35 } },
      { ...x86_64, convention: 'positive' },
      { ...x86_64, extra: [{ base: 512, count: 10 }] },
    ];
    for (const v of variants) expectSystabError(other(v), 'EATTACH', msg);
    expectSystabError(other(riscv64), 'EATTACH', 'table was made for another ABI than linux-riscv64');
    // The same content is the same ABI, however it was made: a copy with its names in another order attaches.
    const shuffled: Abi = { ...structuredClone(x86_64), names: Object.fromEntries(Object.entries(x86_64.names).reverse()) };
    const v = attach({ ...d, abi: shuffled });
    expect(v.call(99999)).toBe(-38);
    v.close();
  });

  it('the fingerprint tells every such ABI apart', () => {
    const base = abiFingerprint(x86_64);
    expect(abiFingerprint(structuredClone(x86_64))).toBe(base);
    const changed = [
      { ...x86_64, id: 'linux-x86-64' },
      { ...x86_64, enosys: -37 },
      { ...x86_64, count: x86_64.count + 1 },
      { ...x86_64, base: 1 },
      { ...x86_64, convention: 'positive' as const },
      { ...x86_64, extra: [{ base: 512, count: 10 }] },
      { ...x86_64, names: { ...x86_64.names, read: 1, write: 0 } },
      { ...x86_64, names: { ...x86_64.names, 'write=1,read': 0 } },
      { ...x86_64, errno: { ...x86_64.errno, ENOSYS: 37 } },
    ].map(abiFingerprint);
    expect(changed.filter((h) => h === base)).toEqual([]);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('a memory smaller than the table it heads is EATTACH', () => {
    const big = createTable({ abi: x86_64, maxWorkers: 16 });
    const bytes = new Int32Array(big.describe().memory.buffer)[L.H_BYTES]!;
    expect(bytes).toBeGreaterThan(65536);
    expect(bytes).toBe(layoutBytes(x86_64.count, 4096, 256, 16, L.CALLS_DEFAULT));
    const small = flipped(new Uint8Array(big.describe().memory.buffer), -1, 0, 1);
    expectSystabError(() => attach({ ...big.describe(), memory: small }), 'EATTACH', `table needs ${bytes} bytes; the memory holds 65536`);
    const empty = sharedMemory(0);
    expectSystabError(() => attach({ ...big.describe(), memory: empty }), 'EATTACH', 'memory is not a systab table (magic 0x00000000)');
  });

  it('a memory the core cannot import is EATTACH, not a LinkError', () => {
    const pages = snapshot.byteLength / 65536;
    const wide = sharedMemory(pages, 16385);
    new Uint8Array(wide.buffer).set(snapshot);
    expect(() => attach({ ...t.describe(), memory: wide })).toThrow(expect.objectContaining({ code: 'EATTACH', message: expect.stringMatching(/^the core cannot run on this memory \(/) }));
  });

  it('descriptor fields of the wrong type are EATTACH', () => {
    const d = t.describe();
    const generic = 'attach() needs the { memory, module, abi } that table.describe() returns';
    const bad = (over: Record<string, unknown>) => () => attach({ ...d, ...over } as TableDescriptor);
    expectSystabError(bad({ memory: d.memory.buffer }), 'EATTACH', generic);
    expectSystabError(bad({ module: {} }), 'EATTACH', generic);
    expectSystabError(bad({ abi: 'linux-x86_64' }), 'EATTACH', `${generic} (abi must be an ABI object)`);
    expectSystabError(bad({ abi: null }), 'EATTACH', `${generic} (abi must be an ABI object)`);
    expectSystabError(() => attach('desc' as unknown as TableDescriptor), 'EATTACH', generic);
    expectSystabError(() => attach(null as unknown as TableDescriptor), 'EATTACH', generic);
    const abi = (over: Record<string, unknown>) => bad({ abi: { ...x86_64, ...over } });
    const why = (reason: string): string => `${generic} (${reason})`;
    expectSystabError(abi({ names: null }), 'EATTACH', why('abi.names must be an object of numbers'));
    expectSystabError(abi({ names: { write: '1' } }), 'EATTACH', why('abi.names must be an object of numbers'));
    expectSystabError(abi({ errno: undefined }), 'EATTACH', why('abi.errno must be an object of numbers'));
    expectSystabError(abi({ extra: [{ base: 'x', count: 1 }] }), 'EATTACH', why('abi.extra must be an array of { base, count } ranges of 32-bit call numbers'));
    expectSystabError(abi({ extra: [null] }), 'EATTACH', why('abi.extra must be an array of { base, count } ranges of 32-bit call numbers'));
    expectSystabError(abi({ extra: undefined }), 'EATTACH', why('abi.extra must be an array of ranges'));
    expectSystabError(abi({ convention: 'neg' }), 'EATTACH', why("abi.convention must be 'negative' or 'positive'"));
    expectSystabError(abi({ id: '' }), 'EATTACH', why('abi.id must be a non-empty string'));
    expectSystabError(abi({ base: 2 ** 31 - 10 }), 'EATTACH', why('abi.base and abi.count must be a range of 32-bit call numbers'));
    expectSystabError(abi({ enosys: 1.5 }), 'EATTACH', why('abi.enosys must be a 32-bit integer'));
    expect(typeof readAbi(x86_64)).toBe('object');
    expect(typeof readAbi(riscv64)).toBe('object');
  });

  it("a worker record's previous holder's wasm resolutions are not the next thread's", () => {
    const d = t.describe();
    const v = attach(d, { callTimeout: 10 });
    v.provide({ name: 'io', handlers: { read: () => 5 } });
    expect(v.dispatch(0, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(5n); // resolved for the core's dispatch in this record
    v.close();
    const w = attach(d, { callTimeout: 10 }); // the lowest free record: the one v gave back
    // w has no code for read: the core must not call a function w never made.
    expect(w.dispatch(0, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(-110n); // carried to main, which is busy here: ETIMEDOUT
    w.close();
  });
});

describe('attach() of a sound table', () => {
  it('every shipped ABI passes the checks, and each has its own fingerprint', async () => {
    const prints = new Map<number, string>();
    for (const id of abiIds) {
      const { abi } = (await import(`systab/abi/${id}`)) as { abi: Abi };
      expect(typeof readAbi(abi), id).toBe('object');
      const h = abiFingerprint(abi);
      expect(prints.get(h), id).toBeUndefined();
      prints.set(h, id);
      const made = createTable({ abi, maxHandlers: 8, maxModules: 2, maxWorkers: 2, callRecords: 1 });
      const v = attach(made.describe());
      expect(v.call(abi.base + abi.count)).toBe(abi.enosys);
      v.close();
    }
    expect(prints.size).toBe(abiIds.length);
  });

  it('while another thread changes it every way it can, attach() never takes that for damage', async () => {
    const live = createTable({ abi: x86_64, maxHandlers: MAXH, maxModules: MAXM, maxWorkers: MAXW });
    live.load({ name: 'io', handlers: { write: () => 1, read: () => 0 } });
    const d = live.describe();
    const w = new Worker(new URL('./workers/attach-corrupt-worker.mjs', import.meta.url), { workerData: { churn: { desc: d, ms: 1500 } } });
    const done = new Promise<{ rounds: number }>((res, rej) => {
      w.on('message', (m: { rounds?: number }) => m.rounds !== undefined && res(m as { rounds: number }));
      w.once('error', rej);
    });
    await new Promise((res) => w.once('message', res));
    let attaches = 0;
    let finished = false;
    void done.then(() => (finished = true));
    const refused: string[] = [];
    while (!finished) {
      try {
        attach(d).close();
        attaches++;
      } catch (e) {
        refused.push(String(e));
      }
      await new Promise((res) => setImmediate(res));
    }
    const { rounds } = await done;
    expect(refused).toEqual([]);
    expect(rounds).toBeGreaterThan(10);
    expect(attaches).toBeGreaterThan(20);
    live.verify();
    await w.terminate();
  });
});

// Error classes: attach() in this thread throws the same SystabError the package exports.
it('EATTACH is a SystabError', () => {
  expect(() => attach({ ...t.describe(), abi: riscv64 })).toThrow(SystabError);
});
