// A thread stuck in a guest loop (no calls, no quiescent point) makes
// unload() time out with a clear error and leaves the module loaded; force
// unloads anyway.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('unload with a stuck worker', () => {
  it('times out, keeps the module, and force unloads', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'm', handlers: { getpid: () => 5 } });
    const w = startRole(t, 'stuck', { ms: 2000 });
    await w.next('stuck');
    const err = await m.unload({ timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystabError);
    expect((err as SystabError).code).toBe('ETIMEDOUT');
    expect((err as SystabError).message).toMatch(
      /^unload of module "m" timed out after 200 ms: worker \d+ has not reached a quiescent point \(it may be stuck in a long call or a guest loop\); the module is still loaded$/,
    );
    expect(m.loaded).toBe(true);
    expect(t.call(abi.names.getpid!)).toBe(5);
    t.verify();
    await m.unload({ timeout: 50, force: true });
    expect(m.loaded).toBe(false);
    expect(t.call(abi.names.getpid!)).toBe(-38);
    t.verify();
    expect(await w.result()).toEqual({ done: true });
  });
});
