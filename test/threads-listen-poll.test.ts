// listen() serves carried calls on a thread that has nothing else to do;
// poll() in a guest loop without calls lets unloads through.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('listen and poll', () => {
  it('a listening home answers carried calls, then returns once quiet', async () => {
    const t = createTable({ abi });
    const w = startRole(t, 'listener');
    await w.next('loaded');
    for (let i = 0; i < 1000; i++) expect(t.call(abi.names.getppid!, i)).toBe(i * 2);
    expect(await w.result()).toEqual({ listened: true });
    t.verify();
  });

  it('a guest loop that polls does not hold an unload back', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'm', handlers: { getpid: () => 1 } });
    const w = startRole(t, 'polling', { ms: 2000 });
    await w.next('looping');
    // Without poll() the loop would hold the grace period: this would reject with ETIMEDOUT.
    await m.unload({ timeout: 1000 });
    expect(t.call(abi.names.getpid!)).toBe(-38);
    expect(await w.result()).toEqual({ done: true });
    t.verify();
  });
});

describe('listen bad input', () => {
  it('takes milliseconds >= 0', () => {
    const t = createTable({ abi });
    for (const bad of [-1, NaN, '5', undefined]) {
      expect(() => t.listen(bad as never)).toThrow(new SystabError('EBADSPEC', `listen() takes milliseconds >= 0 (got ${bad === '5' ? '"5"' : String(bad)})`));
      t.verify();
    }
  });
});
