import { expect, it } from 'vitest';
import { fixture, runSystab, TIMEOUT } from '../examples/wasi/harness.js';
import type { Module } from 'systab';

it('a WASI function unloaded mid-run answers nosys (52) from then on', async () => {
  let advise: Module | undefined;
  let unloaded: Promise<void> | undefined;
  const sys = runSystab(fixture('unload'), {}, {
    omit: ['fd_advise'],
    setup(t) {
      advise = t.load({ name: 'advise', handlers: { fd_advise: () => 0 } });
      // The first fd_write (the line "first: 0") unloads the module that has fd_advise.
      t.load({
        name: 'unloader',
        wraps: { fd_write: (below) => (...a) => {
          unloaded ??= advise!.unload();
          return below(...a);
        } },
      });
    },
  });
  expect(sys.stdout).toBe('first: 0\nsecond: 52\n');
  expect(sys.code).toBe(0);
  await unloaded;
  expect(advise!.loaded).toBe(false);
  const s = sys.table.stats().calls.find((c) => c.name === 'fd_advise')!;
  expect([s.calls, s.enosys]).toEqual([1, 1]);
  sys.table.verify();
}, TIMEOUT);
