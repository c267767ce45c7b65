// load() rejects bad specs and conflicts with exact errors, all or nothing:
// a failed load changes no slot, and the table keeps working.
import { describe, expect, it } from 'vitest';
import type { ModuleSpec } from 'systab';
import { expectSystabError, NAME_MAX_BYTES, x86Table } from './helpers/systab.js';

const load = (t: ReturnType<typeof x86Table>, spec: unknown) => t.load(spec as ModuleSpec);

describe('load conflicts and bad specs', () => {
  it('a slot taken by another module is EEXIST', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: () => 1 } });
    expectSystabError(() => t.load({ name: 'b', handlers: { write: () => 2 } }), 'EEXIST', 'call write (1) is taken by module "a"');
    t.verify();
    expectSystabError(() => t.load({ name: 'b', handlers: { 1: () => 2 } }), 'EEXIST', 'call write (1) is taken by module "a"');
    t.verify();
    expect(t.call(1)).toBe(1);
  });

  it('a module name loaded twice is EEXIST', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: () => 1 } });
    expectSystabError(() => t.load({ name: 'a', handlers: { read: () => 2 } }), 'EEXIST', 'module "a" is already loaded');
    t.verify();
    expect(t.call(0)).toBe(-38);
    expect(t.call(1)).toBe(1);
  });

  it('all or nothing: a conflict on the last entry leaves earlier slots untouched', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { close: () => 3 } });
    expectSystabError(
      () => t.load({ name: 'b', handlers: { read: () => 10, write: () => 11, open: () => 12, close: () => 13 } }),
      'EEXIST',
      'call close (3) is taken by module "a"',
    );
    t.verify();
    expect([t.call(0), t.call(1), t.call(2), t.call(3)]).toEqual([-38, -38, -38, 3]);
    // The failed module left no record behind: its name and its slots are free.
    const b = t.load({ name: 'b', handlers: { read: () => 10, write: () => 11 } });
    expect([t.call(0), t.call(1)]).toEqual([10, 11]);
    expect(b.loaded).toBe(true);
    t.verify();
  });

  it('all or nothing with wraps: a conflict after a wrap publishes neither', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { read: () => 1, write: () => 2 } });
    expectSystabError(
      () => t.load({ name: 'b', handlers: { write: () => 20 }, wraps: { read: (below) => (...a) => (below(...a) as number) + 100 } }),
      'EEXIST',
      'call write (1) is taken by module "a"',
    );
    expect([t.call(0), t.call(1)]).toEqual([1, 2]);
    t.verify();
  });

  it('an unknown call name is ENONAME', () => {
    const t = x86Table();
    expectSystabError(() => t.load({ name: 'a', handlers: { nope: () => 1 } }), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    expectSystabError(() => t.load({ name: 'a', handlers: { '01': () => 1 } }), 'ENONAME', 'unknown call "01" for linux-x86_64');
    expectSystabError(() => t.load({ name: 'a', handlers: { '-1': () => 1 } }), 'ENONAME', 'unknown call "-1" for linux-x86_64');
    expectSystabError(() => t.load({ name: 'a', handlers: { '1.5': () => 1 } }), 'ENONAME', 'unknown call "1.5" for linux-x86_64');
    expectSystabError(() => t.load({ name: 'a', handlers: { read: () => 0 }, wraps: { fd_write: (b) => b } }), 'ENONAME', 'unknown call "fd_write" for linux-x86_64 ("fd_write" is a call of wasi-preview1)');
    t.verify();
    expect(t.call(0)).toBe(-38);
  });

  it('a number outside the table is ENONAME', () => {
    const t = x86Table();
    expectSystabError(() => t.load({ name: 'a', handlers: { 472: () => 1 } }), 'ENONAME', "call number 472 is outside linux-x86_64's table");
    expectSystabError(() => t.load({ name: 'a', handlers: { '100000': () => 1 } }), 'ENONAME', "call number 100000 is outside linux-x86_64's table");
    t.verify();
  });

  it('a handler that is not a function is EBADHANDLER', () => {
    const t = x86Table();
    expectSystabError(() => load(t, { name: 'a', handlers: { write: 5 } }), 'EBADHANDLER', 'handler for "write" in module "a" is not a function (got 5)');
    expectSystabError(() => load(t, { name: 'a', handlers: { write: null } }), 'EBADHANDLER', 'handler for "write" in module "a" is not a function (got null)');
    expectSystabError(() => load(t, { name: 'a', handlers: { write: 'x' } }), 'EBADHANDLER', 'handler for "write" in module "a" is not a function (got "x")');
    expectSystabError(() => load(t, { name: 'a', handlers: { write: { fn: 1 } } }), 'EBADHANDLER', 'handler for "write" in module "a" is not a function (got object)');
    expectSystabError(() => load(t, { name: 'a', handlers: { write: { wasm: 1 } } }), 'EBADHANDLER', 'handler for "write" in module "a" is not a function (got object)');
    expectSystabError(() => load(t, { name: 'a', wraps: { write: 1n } }), 'EBADHANDLER', 'wrap for "write" in module "a" is not a function (got 1n)');
    t.verify();
    expect(t.call(1)).toBe(-38);
  });

  it('a wrap factory that returns no function is EBADHANDLER and loads nothing', () => {
    const t = x86Table();
    expectSystabError(
      () => load(t, { name: 'a', handlers: { read: () => 1 }, wraps: { write: () => 5 } }),
      'EBADHANDLER',
      'wrap for write (1) returned 5, not a function',
    );
    t.verify();
    expect([t.call(0), t.call(1)]).toEqual([-38, -38]);
    t.load({ name: 'a', handlers: { read: () => 1 } });
    expect(t.call(0)).toBe(1);
    t.verify();
  });

  it('one slot named twice in one module is EBADSPEC', () => {
    const t = x86Table();
    expectSystabError(() => t.load({ name: 'a', handlers: { write: () => 1, 1: () => 2 } }), 'EBADSPEC', 'module "a" names write (1) twice');
    expectSystabError(() => t.load({ name: 'a', handlers: { write: () => 1 }, wraps: { write: (b) => b } }), 'EBADSPEC', 'module "a" names write (1) twice');
    expectSystabError(() => t.load({ name: 'a', handlers: { lstat: () => 1, '6': () => 2 } }), 'EBADSPEC', 'module "a" names lstat (6) twice');
    t.verify();
    expect(t.call(1)).toBe(-38);
  });

  it('bad module names are EBADSPEC', () => {
    const t = x86Table();
    const msg = (got: string) => `module name must be a non-empty string of at most ${NAME_MAX_BYTES} UTF-8 bytes (got ${got})`;
    expectSystabError(() => load(t, { name: '', handlers: { read: () => 1 } }), 'EBADSPEC', msg('""'));
    expectSystabError(() => load(t, { handlers: { read: () => 1 } }), 'EBADSPEC', msg('undefined'));
    expectSystabError(() => load(t, { name: 5, handlers: { read: () => 1 } }), 'EBADSPEC', msg('5'));
    expectSystabError(() => load(t, { name: null, handlers: { read: () => 1 } }), 'EBADSPEC', msg('null'));
    expectSystabError(() => load(t, { name: 'x'.repeat(NAME_MAX_BYTES + 1), handlers: { read: () => 1 } }), 'EBADSPEC', msg(`"${'x'.repeat(40)}..."`));
    const wide = 'é'.repeat(NAME_MAX_BYTES / 2 + 1); // 2 bytes each: one character too many
    expectSystabError(() => load(t, { name: wide, handlers: { read: () => 1 } }), 'EBADSPEC', msg(JSON.stringify(wide)));
    t.verify();
    expect(t.call(0)).toBe(-38);
  });

  it('a malformed spec is EBADSPEC', () => {
    const t = x86Table();
    expectSystabError(() => load(t, null), 'EBADSPEC', 'load() takes { name, handlers?, wraps?, replace? } (got null)');
    expectSystabError(() => load(t, 'a'), 'EBADSPEC', 'load() takes { name, handlers?, wraps?, replace? } (got "a")');
    expectSystabError(() => load(t, { name: 'a', handlers: null }), 'EBADSPEC', 'handlers of module "a" must be an object (got null)');
    expectSystabError(() => load(t, { name: 'a', wraps: 3 }), 'EBADSPEC', 'wraps of module "a" must be an object (got 3)');
    t.verify();
  });

  it('an empty module is EBADSPEC', () => {
    const t = x86Table();
    expectSystabError(() => t.load({ name: 'a' }), 'EBADSPEC', 'module "a" has no handlers or wraps');
    expectSystabError(() => t.load({ name: 'a', handlers: {}, wraps: {} }), 'EBADSPEC', 'module "a" has no handlers or wraps');
    t.verify();
    t.load({ name: 'a', handlers: { read: () => 1 } });
    expect(t.call(0)).toBe(1);
  });

  it('a full handler table is EFULL and changes nothing', () => {
    const t = x86Table({ maxHandlers: 3 }); // ids 1 and 2
    t.load({ name: 'a', handlers: { read: () => 1 } });
    expectSystabError(
      () => t.load({ name: 'b', handlers: { write: () => 2, open: () => 3 } }),
      'EFULL',
      'all 2 handler records of this table are taken (unloads still draining hold some)',
    );
    t.verify();
    expect([t.call(0), t.call(1), t.call(2)]).toEqual([1, -38, -38]);
    t.load({ name: 'b', handlers: { write: () => 2 } });
    expect(t.call(1)).toBe(2);
    t.verify();
  });

  it('a full module table is EFULL and changes nothing', () => {
    const t = x86Table({ maxModules: 2 }); // one usable record
    t.load({ name: 'a', handlers: { read: () => 1 } });
    expectSystabError(() => t.load({ name: 'b', handlers: { write: () => 2 } }), 'EFULL', 'all 1 module records of this table are taken');
    t.verify();
    expect(t.call(1)).toBe(-38);
  });
});
