// The public types reject wrong usage (checked by `tsc -p tsconfig.json`);
// the bodies below are never run, only type-checked.
import { describe, expect, it } from 'vitest';
import { createTable, type Handler, type Module, type Stats } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

function typeChecks(): void {
  const t = createTable({ abi });

  // @ts-expect-error createTable needs an abi
  createTable({});
  // @ts-expect-error sizes are numbers
  createTable({ abi, maxHandlers: '10' });

  // @ts-expect-error call numbers are numbers, not names
  t.call('write');
  // @ts-expect-error arguments are numbers
  t.call(1, 2n);
  // @ts-expect-error at most six arguments
  t.call(1, 0, 0, 0, 0, 0, 0, 0);
  const r: number = t.call(1, 2, 3);
  // @ts-expect-error call64 answers a bigint
  const r64: number = t.call64(1, 2n, 3);

  // @ts-expect-error a module needs a name
  t.load({ handlers: {} });
  // @ts-expect-error a handler is a function or an entry object
  t.load({ name: 'a', handlers: { write: 5 } });
  // @ts-expect-error handlers return numbers
  t.load({ name: 'a', handlers: { write: () => 'x' } });
  // @ts-expect-error a number handler gets numbers, not bigints
  t.load({ name: 'a', handlers: { write: { fn: (a0: bigint) => a0 } } });
  // @ts-expect-error a bigint handler declares bigint: true
  t.load({ name: 'a', handlers: { write: { fn: (a0: bigint) => a0, bigint: false } } });
  // @ts-expect-error a wrap factory takes the handler below and returns a handler
  t.load({ name: 'a', wraps: { write: 5 } });
  // @ts-expect-error replace is a boolean
  t.load({ name: 'a', handlers: { write: () => 0 }, replace: 'yes' });
  t.load({ name: 'a', handlers: { write: () => 0, 1: { fn: (a0: number) => a0 }, lseek: { fn: (a0: bigint) => a0, bigint: true } }, wraps: { read: (below: Handler) => below } });

  const m: Module = t.load({ name: 'a', handlers: { write: () => 0 } });
  // @ts-expect-error unload options are { timeout?, force? }
  void m.unload({ timeout: '1' });
  // @ts-expect-error loaded is read-only
  m.loaded = false;
  // @ts-expect-error name is read-only
  m.name = 'b';
  const p: Promise<void> = m.unload();

  // @ts-expect-error reserve takes a module name and an array
  t.reserve('net', 'socket');
  // @ts-expect-error reserve takes names or numbers
  t.reserve('net', [true]);
  t.reserve('net', ['socket', 42]);
  t.release('net');

  // @ts-expect-error hooks targets are an array or '*'
  t.hooks('write', { count: true });
  // @ts-expect-error switches are booleans
  t.hooks('*', { count: 1 });
  // @ts-expect-error there is no such switch
  t.hooks('*', { counting: true });
  t.hooks(['write', 1], { count: true, enter: false, exit: true });

  // @ts-expect-error not a policy
  t.setMissing('*', 'ignore');
  t.setMissing(['write'], (nr, args) => nr + args.length);

  // @ts-expect-error an enter hook gets (nr, args)
  t.onEnter((nr: string) => undefined);
  t.onEnter(null);

  const s: Stats = t.stats();
  // @ts-expect-error outOfRange is a number
  const o: string = s.outOfRange;
  void [r, r64, p, o];
}

describe('types', () => {
  it('the type checks above compile (tsc) and are never run', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
