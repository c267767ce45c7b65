// A writer that dies inside the locked step of an unload (a terminated home,
// torture fault 2) leaves the table half changed. Its memory is made here
// exactly as that step leaves it at a chosen point (a spare core on the
// table's memory does the core's part, as the thread would have), then the
// thread is terminated for real: its exit is seen, and what it left must be
// finished by the next writer, never left as damage (verify()).
import { describe, expect, it } from 'vitest';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { startFault } from './helpers/fault.js';
import { regions, spareCore } from './helpers/regions.js';

const uid = abi.names.getuid!;
const gid = abi.names.getgid!;

/** The worker record of Node thread `threadId`. */
function workerOf(t: Table, threadId: number): number {
  const r = regions(t);
  for (let w = 0; w < 64; w++) {
    const at = r.workers + w * L.WR_WORDS;
    if (r.i32[at + L.WR_STATE] !== L.WS_FREE && r.i32[at + L.WR_ID] === threadId) return w;
  }
  throw new Error(`no worker record for thread ${threadId}`);
}

/**
 * Plays worker `w`'s unload of the module on getuid and getgid up to `upTo`
 * plans taken out, as unloadModule's first step does it: the lock, the
 * module marked "being unloaded by w" (when `markFirst`), every stub
 * allocated, then per plan a stub swapped in and the handler retired.
 */
function halfUnload(t: Table, w: number, upTo: number, markFirst: boolean): { stubs: number[]; handlers: number[] } {
  const r = regions(t);
  const { memory, module } = t.describe();
  const core = spareCore(module, memory);
  const i32 = r.i32;
  expect(Atomics.compareExchange(i32, L.H_LOCK, 0, w + 1)).toBe(0);
  const slots = [uid - abi.base, gid - abi.base];
  const handlers = slots.map((s) => Atomics.load(i32, r.slots + s) & L.ID_MASK);
  const mid = i32[r.handlers + handlers[0]! * L.HR_WORDS + L.HR_MODULE]!;
  if (markFirst) Atomics.store(i32, r.modules + mid * L.MR_WORDS + L.MR_HOME, -(w + 1));
  const stubs = slots.map((s) => core.handlerAlloc!(L.HK_STUB | L.HK_UNLOAD, mid, s, 0, w));
  for (let k = 0; k < upTo; k++) {
    const word = Atomics.load(i32, r.slots + slots[k]!);
    Atomics.store(i32, r.handlers + stubs[k]! * L.HR_WORDS + L.HR_BELOW, 0);
    expect(core.slotSwap!(slots[k]!, word & (L.ID_MASK | L.GEN_MASK), stubs[k]!, 1)).not.toBe(0);
    expect(core.handlerRetire!(handlers[k]!, w)).toBe(1);
  }
  return { stubs, handlers };
}

/**
 * Sound now and after the orphans' grace periods (the table's own drains run
 * on this thread's event loop), with the module's name and both calls free
 * to load again (answering `n` and `n + 1`).
 */
async function freeAgain(t: Table, n: number): Promise<void> {
  t.verify();
  await new Promise((r) => setTimeout(r, 60));
  t.verify();
  t.load({ name: 'half', handlers: { getuid: () => n, getgid: () => n + 1 } });
  expect([t.call(uid), t.call(gid)]).toEqual([n, n + 1]);
  t.verify();
}

describe('a writer that dies inside its unload', () => {
  for (const upTo of [0, 1, 2]) {
    it(`after ${upTo} of its 2 calls taken out: the next writer finishes the unload`, async () => {
      const t = createTable({ abi });
      const home = startFault(t, 'parkedHome');
      const { token } = await home.next<{ token: string }>('loaded');
      halfUnload(t, workerOf(t, home.worker.threadId), upTo, true);
      await home.worker.terminate(); // its exit is seen: record and lock freed, the half-made change flagged
      // The unload it began is finished: no call of the module answers, its name and calls are free.
      expect(t.call(uid)).toBe(-38);
      expect(t.call(gid)).toBe(-38);
      expect(() => t.module(token)).toThrow(expect.objectContaining({ code: 'ENOTLOADED' }));
      await freeAgain(t, 11);
    }, 20_000);
  }

  it('stubs of an unload whose module still reads as loaded (killed before marking it) go with its next unload', async () => {
    const t = createTable({ abi });
    const home = startFault(t, 'parkedHome');
    const { token } = await home.next<{ token: string }>('loaded');
    halfUnload(t, workerOf(t, home.worker.threadId), 1, false);
    await home.worker.terminate();
    t.verify();
    // A module whose home is gone stays loaded until someone unloads it (README, fault model).
    expect(t.call(uid)).toBe(-38); // its stub
    expect(t.call(gid)).toBe(-38); // its home is gone
    await t.module(token).unload({ timeout: 2000 });
    await freeAgain(t, 21);
  }, 20_000);
});
