// A terminated Web Worker runs no more code and fires no event. systab sees
// it gone by its Web Lock lease (src/lease.ts), with no evict() call: a
// grace period it held back passes, and calls carried to it answer ENOSYS
// instead of waiting for their timeout.
import { describe, expect, it } from 'vitest';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../../assembly/layout.js';

/**
 * Resolves once worker record 1 (the worker's) says its lease is held: its
 * thread marks it when the lock is granted, from its event loop soon after
 * attach(). Until then only evict() can tell that thread is gone.
 */
async function leaseHeld(t: Table): Promise<void> {
  const i32 = new Int32Array(t.describe().memory.buffer);
  const at = (t as unknown as { v: { at: { workers: number } } }).v.at.workers + 1 * L.WR_WORDS + L.WR_LEASE;
  for (let k = 0; k < 100 && Atomics.load(i32, at) !== 1; k++) await new Promise((r) => setTimeout(r, 50));
  expect(Atomics.load(i32, at)).toBe(1);
  // ...and the agent shows the lock held (the check the page makes later).
  const names = (await navigator.locks.query()).held?.map((l) => l.name) ?? [];
  expect(names).toContain(`systab:${i32[L.H_LEASE_ID]}:1:${i32[(t as unknown as { v: { at: { workers: number } } }).v.at.workers + L.WR_WORDS + L.WR_GEN]}`);
}

function start(t: Table, role: string): Promise<Worker> {
  const w = new Worker(new URL('./terminated-worker.js', import.meta.url), { type: 'module' });
  return new Promise((res, rej) => {
    w.onmessage = (e) => (e.data.error ? rej(new Error(e.data.error)) : res(w));
    w.onerror = (e) => rej(new Error(`worker error: ${e.message}`));
    w.postMessage({ desc: t.describe(), role });
  });
}

describe('a terminated Web Worker', () => {
  it('that held a grace period back is seen gone: the unload resolves', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'page', handlers: { getpid: () => 1 } });
    const w = await start(t, 'spinner');
    await new Promise((r) => setTimeout(r, 200)); // inside its endless call now
    await leaseHeld(t);
    // Control: while it lives and spins, the unload cannot pass.
    await expect(m.unload({ timeout: 500 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    w.terminate();
    const t0 = performance.now();
    await m.unload({ timeout: 5000 });
    expect(performance.now() - t0).toBeLessThan(3000);
    t.verify();
  });

  it('is evicted by the once-a-second lease sweep even when nothing waits on it', async () => {
    const t = createTable({ abi });
    const w = await start(t, 'home');
    await leaseHeld(t);
    const i32 = new Int32Array(t.describe().memory.buffer);
    const state = (t as unknown as { v: { at: { workers: number } } }).v.at.workers + 1 * L.WR_WORDS + L.WR_STATE;
    expect(Atomics.load(i32, state)).not.toBe(L.WS_FREE);
    await new Promise((r) => setTimeout(r, 1500));
    expect(Atomics.load(i32, state)).not.toBe(L.WS_FREE); // alive: never evicted
    w.terminate();
    const t0 = performance.now();
    while (Atomics.load(i32, state) !== L.WS_FREE && performance.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
    expect(Atomics.load(i32, state)).toBe(L.WS_FREE);
    await expect(t.callAsync(abi.names.getuid!, 1)).resolves.toBe(-38); // its module's calls: ENOSYS, at once
    t.verify();
  });

  it('that was home to a module: calls carried there answer ENOSYS, not ETIMEDOUT', async () => {
    const t = createTable({ abi, callTimeout: 20_000 });
    const w = await start(t, 'home');
    await expect(t.callAsync(abi.names.getuid!, 5)).resolves.toBe(7005);
    await leaseHeld(t);
    w.terminate();
    // A Web Worker runs on for a moment after terminate() returns: a call may
    // still be answered there, then one is posted to a thread that is gone.
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    // Nobody has told the page: the caller's wait sees the home's lease gone.
    await expect(t.callAsync(abi.names.getuid!, 6)).resolves.toBe(-38);
    expect(performance.now() - t0).toBeLessThan(5000); // not the 20 s callTimeout
    t.verify();
  });
});
