// hooks(): per-number switches. The enter hook sees (nr, args) and may answer
// for the handler; the exit hook sees the result; off means the plain path.
import { describe, expect, it } from 'vitest';
import { expectSystabError, x86Table } from './helpers/systab.js';

describe('hooks', () => {
  it('enter sees the number and the arguments, exit sees the result', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: (fd, buf, len) => len } });
    const log: unknown[] = [];
    t.onEnter((nr, args) => void log.push(['enter', nr, [...args]]));
    t.onExit((nr, args, result) => void log.push(['exit', nr, [...args], result]));
    t.hooks(['write'], { enter: true, exit: true });
    expect(t.call(1, 1, 100, 5)).toBe(5);
    expect(log).toEqual([
      ['enter', 1, [1, 100, 5, 0, 0, 0]],
      ['exit', 1, [1, 100, 5, 0, 0, 0], 5],
    ]);
    t.verify();
  });

  it('enter may return a number to skip the handler; exit still sees it', () => {
    const t = x86Table();
    let ran = 0;
    t.load({ name: 'io', handlers: { write: () => ++ran } });
    const exits: unknown[] = [];
    t.onEnter((nr, args) => (args[0] === 2 ? -9 : undefined));
    t.onExit((nr, args, r) => void exits.push(r));
    t.hooks(['write'], { enter: true, exit: true });
    expect(t.call(1, 2)).toBe(-9);
    expect(ran).toBe(0);
    expect(t.call(1, 1)).toBe(1);
    expect(exits).toEqual([-9, 1]);
    t.verify();
  });

  it('only the numbers switched on are hooked', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { read: () => 0, write: () => 1 } });
    const seen: number[] = [];
    t.onEnter((nr) => void seen.push(nr));
    t.hooks([1], { enter: true });
    t.call(0);
    t.call(1);
    expect(seen).toEqual([1]);
  });

  it("'*' switches every number", () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { read: () => 0, write: () => 1, exit_group: () => 2 } });
    const seen: number[] = [];
    t.onExit((nr, _a, r) => void seen.push(nr, r as number));
    t.hooks('*', { exit: true });
    t.call(0);
    t.call(1);
    t.call(231);
    expect(seen).toEqual([0, 0, 1, 1, 231, 2]);
    t.verify();
  });

  it('switching off restores the plain path', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => 1 } });
    let hits = 0;
    t.onEnter(() => void hits++);
    t.onExit(() => void hits++);
    t.hooks(['write'], { enter: true, exit: true });
    t.call(1);
    expect(hits).toBe(2);
    t.hooks(['write'], { enter: false, exit: false });
    expect(t.call(1)).toBe(1);
    expect(hits).toBe(2);
    t.hooks(['write'], { exit: true });
    t.call(1);
    expect(hits).toBe(3);
    t.verify();
  });

  it('switches stay on across load, replace and unload of the slot', async () => {
    const t = x86Table();
    const seen: unknown[] = [];
    t.onExit((nr, _a, r) => void seen.push(r));
    t.hooks(['write'], { exit: true });
    const m = t.load({ name: 'io', handlers: { write: () => 1 } });
    t.call(1);
    const m2 = t.load({ name: 'io', handlers: { write: () => 2 }, replace: true });
    t.call(1);
    t.load({ name: 'w', wraps: { write: (b) => (...a) => (b(...a) as number) + 10 } });
    t.call(1);
    await m2.drained;
    await m2.unload();
    t.call(1);
    expect(seen).toEqual([1, 2, 12, -38 + 10]);
    expect(m.loaded).toBe(false);
    t.verify();
  });

  it('a switch on without a hook function set just runs the handler', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => 1 } });
    t.hooks(['write'], { enter: true, exit: true });
    expect(t.call(1)).toBe(1);
    t.onEnter(() => 5);
    expect(t.call(1)).toBe(5);
    t.onEnter(null);
    expect(t.call(1)).toBe(1);
    t.verify();
  });

  it('bad input is a typed error', () => {
    const t = x86Table();
    const hooks = t.hooks as (targets: unknown, switches: unknown) => void;
    expectSystabError(() => hooks.call(t, 'write', { count: true }), 'EBADSPEC', `hooks() takes an array of call names or numbers, or '*' (got "write")`);
    expectSystabError(() => hooks.call(t, ['nope'], { count: true }), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    expectSystabError(() => hooks.call(t, [1000], { count: true }), 'ENONAME', "call number 1000 is outside linux-x86_64's table");
    expectSystabError(() => hooks.call(t, [{}], { count: true }), 'ENONAME', 'hooks() got object; expected a call name or number');
    expectSystabError(() => hooks.call(t, ['write'], null), 'EBADSPEC', 'hooks() switches must be an object like { count: true } (got null)');
    expectSystabError(() => hooks.call(t, ['write'], { count: 1 }), 'EBADSPEC', 'hooks() switch "count" must be true or false (got 1)');
    expectSystabError(() => (t.onEnter as (h: unknown) => void)(5), 'EBADHANDLER', 'onEnter() takes a function or null (got 5)');
    expectSystabError(() => (t.onExit as (h: unknown) => void)('f'), 'EBADHANDLER', 'onExit() takes a function or null (got "f")');
    t.verify();
  });

  it('enter and exit see missing calls made through call() and call64() alike', () => {
    const t = x86Table();
    const seen: string[] = [];
    t.hooks(['openat'], { enter: true, exit: true, count: true });
    t.onEnter((nr) => void seen.push(`enter ${nr}`));
    t.onExit((nr, _a, r) => void seen.push(`exit ${nr} ${String(r)}`));
    expect(t.call(257)).toBe(-38);
    expect(t.call64(257, 1n)).toBe(-38n);
    expect(seen).toEqual(['enter 257', 'exit 257 -38', 'enter 257', 'exit 257 -38']);
    // Missing calls count as ENOSYS answers, not as calls.
    expect(t.stats().calls).toEqual([{ nr: 257, name: 'openat', calls: 0, errors: 0, enosys: 2 }]);
    t.verify();
  });
});

