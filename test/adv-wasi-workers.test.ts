// The adversary's WASI host: a guest on a worker inside a call of an
// implementation that another thread unloads or replaces (README: "no call
// ever starts in a handler whose unload has resolved"). The guest is the
// import object called in a loop, as a WebAssembly guest calls it: the
// direct way (the implementation's own function while the doorbell is quiet)
// is the path under test.
import { afterEach, describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { loadWasi } from 'systab/wasi';
import { abi } from 'systab/abi/wasi-preview1';
import { evalWorker, type EvalWorker } from './helpers/adv.js';

let workers: EvalWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.worker.terminate()));
  workers = [];
});

// flags: [0] 1 once the unload (or the drain) resolved; [1] calls that started in the old
// implementation after that; [2] calls that started in it at all; [3] 1 while the guest runs.
const GUEST = `
  const f = new Int32Array(arg.flags);
  const impl = {
    fd_write: () => {
      if (Atomics.load(f, 0) === 1) Atomics.add(f, 1, 1);
      Atomics.add(f, 2, 1);
      const end = performance.now() + 0.2; // a call that takes a while: the unload lands inside one
      while (performance.now() < end);
      return 0;
    },
  };
  const m = ctx.wasi.loadWasi(ctx.t, 'impl', impl);
  ctx.state.host = ctx.wasi.wasiImports(ctx.t);
  ctx.post({ token: m.token });
  const write = ctx.state.host.imports.wasi_snapshot_preview1.fd_write;
  const answers = {};
  Atomics.store(f, 3, 1);
  const end = Date.now() + arg.ms;
  while (Date.now() < end) {
    const r = write(1, 0, 0, 0);
    answers[r] = (answers[r] ?? 0) + 1;
    if (Atomics.load(f, 0) === 1 && arg.stopAfter-- <= 0) break;
  }
  return answers;
`;

async function guest(t: ReturnType<typeof createTable>, ms: number) {
  const w = await evalWorker(t);
  workers.push(w);
  const flags = new Int32Array(new SharedArrayBuffer(16));
  const done = w.run<Record<string, number>>(GUEST, { flags: flags.buffer, ms, stopAfter: 200 });
  const { token } = await w.next<{ token: string }>('token');
  while (Atomics.load(flags, 3) === 0 || Atomics.load(flags, 2) < 50) await new Promise((r) => setTimeout(r, 2));
  return { w, flags, done, token };
}

describe('an implementation unloaded or replaced under a guest on another thread', () => {
  it('unload from the main thread: no call starts in it after the unload resolved; the guest gets nosys (52) after', async () => {
    const t = createTable({ abi });
    const { flags, done, token } = await guest(t, 4000);
    await t.module(token).unload({ timeout: 3000 });
    Atomics.store(flags, 0, 1);
    const answers = await done;
    expect(Atomics.load(flags, 1)).toBe(0);
    expect(answers['52']).toBeGreaterThan(0);
    expect(Object.keys(answers).sort()).toEqual(['0', '52']);
    t.verify();
  });

  it('replace from the main thread (its version runs here, carried): after drained, no call starts in the old one', async () => {
    const t = createTable({ abi });
    const { flags, done } = await guest(t, 4000);
    let mine = 0;
    const v2 = loadWasi(t, 'impl', { fd_write: () => (mine++, 8) }, { replace: true });
    await v2.drained;
    Atomics.store(flags, 0, 1);
    const answers = await done;
    expect(Atomics.load(flags, 1)).toBe(0);
    expect(answers['8']).toBeGreaterThan(0);
    expect(mine).toBe(answers['8']);
    t.verify();
  });
});
