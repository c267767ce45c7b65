// A handler's home is the thread that loaded it, not its worker index: once
// that thread has left (its module still loaded) and another thread claims
// the same index, calls to the handler answer ENOSYS at once. They must not
// be posted to the newcomer, which has no code for them and may not serve
// for a long time (or may hold code for another handler that reused the id).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { startRole } from './helpers/workers.js';

const workerOf = (t: object, threadId: number): number => {
  const i32 = new Int32Array((t as { describe(): { memory: WebAssembly.Memory } }).describe().memory.buffer);
  const at = (t as unknown as { v: { at: { workers: number } } }).v.at.workers;
  for (let w = 0; w < i32[L.H_MAXW]!; w++) if (i32[at + w * L.WR_WORDS + L.WR_STATE] !== L.WS_FREE && i32[at + w * L.WR_WORDS + L.WR_ID] === threadId) return w;
  return -1;
};

describe('a home index claimed by another thread', () => {
  it('answers ENOSYS at once, not after the call timeout, and the table stays intact', async () => {
    const t = createTable({ abi, callTimeout: 5000 });
    const home = startRole(t, 'leaver');
    const { loaded: token } = await home.next<{ loaded: string }>('loaded');
    const index = workerOf(t, home.worker.threadId);
    expect(t.call(abi.names.getppid!)).toBe(7); // carried to its home
    home.send('leave');
    await home.next('left');
    // The module stays loaded; its home has given its worker record back.
    const m = t.module(token);
    const squatter = startRole(t, 'squatter', { ms: 3000 });
    await squatter.next('squatting');
    expect(workerOf(t, squatter.worker.threadId)).toBe(index); // the first free index: the home's
    const t0 = performance.now();
    expect(t.call(abi.names.getppid!)).toBe(-38);
    expect(performance.now() - t0).toBeLessThan(2000); // not the 5 s callTimeout
    t.verify();
    await squatter.result();
    home.send('bye');
    await home.exited;
    await m.unload();
    t.verify();
  });
});
