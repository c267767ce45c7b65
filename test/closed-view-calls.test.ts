// A view that close()d calls nothing through the worker record it gave back
// (another thread may hold it now): call() and the core's dispatch are
// EBUSY, and no counter, ring or plug of that record moves.
import { expect, it } from 'vitest';
import { attach, createTable } from 'systab';
import { traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { wasmCaller } from './helpers/wasm.js';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'done';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

it('call() and dispatch on a closed view are EBUSY and touch nothing of the record\'s next holder', () => {
  const t = createTable({ abi });
  t.hooks('*', { count: true });
  const u = attach(t.describe());
  u.load({ name: 'mine', handlers: { getuid: () => 7 } });
  const tr = traceTable(u, { events: { capacity: 8 } });
  tr.select('all');
  const run = wasmCaller(u.dispatch);
  expect([u.call(abi.names.getuid), run(abi.names.getuid)]).toEqual([7, 7n]);
  u.close();
  const w = attach(t.describe()); // takes the record u gave back
  const before = JSON.stringify(t.stats());
  expect(code(() => u.call(abi.names.getuid))).toBe('EBUSY');
  expect(code(() => u.call(abi.names.getpid))).toBe('EBUSY'); // a missing call too: no ENOSYS counted
  expect(code(() => u.call(99999))).toBe('EBUSY');
  expect(code(() => run(abi.names.getuid))).toBe('EBUSY');
  u.poll(); // a no-op now: it must not make the hot path current again
  expect(code(() => u.call(abi.names.getuid))).toBe('EBUSY');
  expect(JSON.stringify(t.stats())).toBe(before);
  expect(tr.events().calls).toHaveLength(2); // the two before close()
  w.close();
  t.verify();
});
