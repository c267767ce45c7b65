// close() gives a thread's worker record back. Inside a call the thread
// still holds that call's handler (and a home answers into its caller's
// record): the record must not go then, so close() there is EBUSY.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

describe('close() inside a call', () => {
  it('is EBUSY from a handler, an enter hook and a wrap factory, and the table stays open', () => {
    const t = createTable({ abi });
    const tryClose = (): number => {
      try {
        t.close();
        return 0;
      } catch (e) {
        return (e as { code?: string }).code === 'EBUSY' ? 1 : 2;
      }
    };
    t.load({ name: 'h', handlers: { getpid: () => tryClose() } });
    expect(t.call(abi.names.getpid!)).toBe(1);
    let fromHook = -1;
    t.hooks(['getpid'], { enter: true });
    t.onEnter(() => {
      fromHook = tryClose();
    });
    expect(t.call(abi.names.getpid!)).toBe(1);
    expect(fromHook).toBe(1);
    t.hooks(['getpid'], { enter: false });
    let fromFactory = -1;
    t.load({ name: 'w', wraps: { getpid: (below) => ((fromFactory = tryClose()), below) } });
    expect(fromFactory).toBe(1);
    // Still open: calls and changes work, and it closes once no call is running.
    expect(t.call(abi.names.getpid!)).toBe(1);
    t.verify();
    t.close();
    expect(() => t.load({ name: 'x', handlers: { getuid: () => 0 } })).toThrow(expect.objectContaining({ code: 'EBUSY' }));
  });

  it('from an async handler after its first await, closes once the call settles', async () => {
    const t = createTable({ abi });
    const m = t.load({
      name: 'a',
      handlers: {
        getppid: async () => {
          await 0;
          t.close();
          return 3;
        },
      },
    });
    expect(await t.callAsync(abi.names.getppid!)).toBe(3);
    expect(() => t.load({ name: 'x', handlers: { getuid: () => 0 } })).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(m.loaded).toBe(true);
  });
});
