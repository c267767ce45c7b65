import { expect, it } from 'vitest';
import { fixture, runSystab, TIMEOUT } from '../examples/wasi/harness.js';

it('a reserved WASI call answers nosys until its module loads, and no other module may fill it', () => {
  const mod = fixture('unload');
  const sys = runSystab(mod, {}, {
    omit: ['fd_advise'],
    setup(t) {
      t.reserve('advisor', ['fd_advise']);
      expect(() => t.load({ name: 'squatter', handlers: { fd_advise: () => 0 } })).toThrow('call fd_advise (6) is reserved for module "advisor"');
    },
  });
  expect(sys.stdout).toBe('first: 52\nsecond: 52\n');
  expect(sys.stats.missing).toEqual([{ nr: 6, name: 'fd_advise', count: 2 }]);

  // The module the slot was held for loads; a second run on the same table now gets answers.
  sys.table.load({ name: 'advisor', handlers: { fd_advise: () => 0 } });
  const inst = new WebAssembly.Instance(mod, sys.host.imports as never);
  sys.host.bind(inst);
  expect(sys.shim.wasi.start(inst as never)).toBe(0); // the shim must be bound to the new instance too
  expect(sys.shim.stdout()).toBe('first: 52\nsecond: 52\nfirst: 0\nsecond: 0\n');
  const s = sys.table.stats().calls.find((c) => c.name === 'fd_advise')!;
  expect([s.calls, s.enosys]).toEqual([2, 2]);
  sys.table.verify();
}, TIMEOUT);
