// A home that close()s while a carried async call it took still runs: the
// call is its to finish. Its record must stay held until the answer is in
// the caller's record: freed first, the caller sees the home gone, answers
// ENOSYS and reuses the record, which the late answer then overwrites (a call
// answered by the handler of another call: torture fault 1).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { flagged, startFault, within } from './helpers/fault.js';

describe('a home that closes during a carried async call', () => {
  it('answers the call it took; new calls to it answer ENOSYS at once; its record goes when the call ends', async () => {
    const t = createTable({ abi });
    const home = startFault(t, 'closingHome');
    const { token } = await home.next<{ token: string }>('loaded');
    const caller = startFault(t, 'oneCall', { call: 'getppid' });
    const answer = caller.result();
    await flagged(home.flags, 0); // the home runs it
    Atomics.store(home.flags, 2, 1);
    await home.next('closed');
    // Closed, with the call still running there: the caller still waits for it.
    const early = await Promise.race([answer, new Promise((r) => setTimeout(() => r('waiting'), 150))]);
    expect(early).toBe('waiting');
    // A new call is not posted to a home that has closed.
    const t0 = performance.now();
    expect(await t.callAsync(abi.names.getppid!)).toBe(-38);
    expect(performance.now() - t0).toBeLessThan(1000);
    Atomics.store(home.flags, 1, 1);
    expect(await within(answer, 5000, 'the carried call')).toEqual({ value: 77 });
    await within(home.exited, 5000, 'the home ending');
    t.verify();
    await within(t.module(token).unload({ timeout: 2000 }), 3000, 'unload of the closed home’s module');
    t.verify();
  }, 20_000);
});
