// A call from a thread with no code for the handler is carried to the
// handler's home thread; results, errors and async results come back.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('carried calls', () => {
  it('return the home thread’s results, errors and missing calls', async () => {
    const t = createTable({ abi });
    const ran: string[] = [];
    t.load({
      name: 'home',
      handlers: {
        getpid: () => (ran.push('getpid'), 4242),
        write: (a, b, c) => a + b + c,
        read: () => {
          throw new Error('boom');
        },
        close: () => 'not a number' as unknown as number,
      },
    });
    const w = startRole(t, 'caller');
    const r = await w.result();
    expect(r).toEqual({
      getpid: { value: 4242 },
      write: { value: 6 },
      read: { code: 'EREMOTE', message: 'handler for read (0) threw in worker 0' },
      close: { code: 'EBADRESULT', message: 'handler for close (3) returned a non-number in worker 0' },
      missing: { value: -38 },
    });
    expect(ran).toEqual(['getpid']);
    t.verify();
  });

  it('carry async handlers’ results once they settle', async () => {
    const t = createTable({ abi });
    t.load({ name: 'home', handlers: { lseek: (off) => new Promise<number>((res) => setTimeout(() => res(off * 2), 20)) } });
    const w = startRole(t, 'asyncCaller');
    expect(await w.result()).toEqual({ lseek: 10 });
    t.verify();
  });
});
