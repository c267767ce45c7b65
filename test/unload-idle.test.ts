// Threads that are idle (in their event loop) or gone do not hold unloads back.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('unload with idle and exited workers', () => {
  it('resolves while a worker idles and after one has exited without close()', async () => {
    const t = createTable({ abi });
    const idle = startRole(t, 'idle');
    await idle.next('idle');
    const gone = startRole(t, 'idle', { noClose: true });
    await gone.next('idle');
    gone.send('bye');
    await gone.result();
    await gone.exited;
    for (let i = 0; i < 20; i++) {
      const m = t.load({ name: 'm', handlers: { getpid: () => i } });
      expect(t.call(abi.names.getpid!)).toBe(i);
      await m.unload({ timeout: 1000 });
    }
    t.verify();
    idle.send('bye');
    await idle.result();
  });
});
