// reserve(name, calls): stubs that answer ENOSYS and that only the named
// module may fill; the reservation outlives that module's unload until
// release() gives it back.
import { describe, expect, it } from 'vitest';
import type { Handler } from 'systab';
import { expectSystabError, NAME_MAX_BYTES, x86Table } from './helpers/systab.js';

const SOCKET = 41;
const CONNECT = 42;

describe('reserve', () => {
  it('stubs answer ENOSYS', () => {
    const t = x86Table();
    t.reserve('net', ['socket', 'connect']);
    expect(t.call(SOCKET)).toBe(-38);
    expect(t.call(CONNECT, 1, 2, 3)).toBe(-38);
    expect(t.call64(SOCKET)).toBe(-38n);
    t.verify();
  });

  it('another module loading into a reservation is ERESERVED, all or nothing', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    expectSystabError(() => t.load({ name: 'other', handlers: { read: () => 0, socket: () => 3 } }), 'ERESERVED', 'call socket (41) is reserved for module "net"');
    expectSystabError(() => t.load({ name: 'other', handlers: { 41: () => 3 }, replace: true }), 'ERESERVED', 'call socket (41) is reserved for module "net"');
    t.verify();
    expect([t.call(0), t.call(SOCKET)]).toEqual([-38, -38]);
  });

  it('the named module fills its reservations; unfilled ones stay stubs', () => {
    const t = x86Table();
    t.reserve('net', ['socket', 'connect']);
    const net = t.load({ name: 'net', handlers: { socket: () => 3 } });
    expect(net.loaded).toBe(true);
    expect([t.call(SOCKET), t.call(CONNECT)]).toEqual([3, -38]);
    t.verify();
    expectSystabError(() => t.load({ name: 'other', handlers: { connect: () => 1 } }), 'ERESERVED', 'call connect (42) is reserved for module "net"');
    t.verify();
  });

  it('after the module unloads, the reservation is back', async () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    const net = t.load({ name: 'net', handlers: { socket: () => 3, bind: () => 4 } });
    await net.unload();
    expect([t.call(SOCKET), t.call(49)]).toEqual([-38, -38]);
    t.verify();
    expectSystabError(() => t.load({ name: 'other', handlers: { socket: () => 1 } }), 'ERESERVED', 'call socket (41) is reserved for module "net"');
    t.load({ name: 'other', handlers: { bind: () => 1 } }); // not reserved: free
    const again = t.load({ name: 'net', handlers: { socket: () => 5 } });
    expect(t.call(SOCKET)).toBe(5);
    expect(again.loaded).toBe(true);
    t.verify();
  });

  it('release gives every reservation back', () => {
    const t = x86Table();
    t.reserve('net', ['socket', 'connect']);
    t.release('net');
    t.verify();
    t.load({ name: 'other', handlers: { socket: () => 1, connect: () => 2 } });
    expect([t.call(SOCKET), t.call(CONNECT)]).toEqual([1, 2]);
    t.verify();
  });

  it('release of some calls keeps the others', () => {
    const t = x86Table();
    t.reserve('net', ['socket', 'connect']);
    t.release('net', ['socket']);
    t.verify();
    t.load({ name: 'other', handlers: { socket: () => 1 } });
    expectSystabError(() => t.load({ name: 'other2', handlers: { connect: () => 1 } }), 'ERESERVED', 'call connect (42) is reserved for module "net"');
    t.verify();
  });

  it('release while the module is loaded leaves its handlers and frees the slots after unload', async () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    const net = t.load({ name: 'net', handlers: { socket: () => 3 } });
    t.release('net');
    expect(t.call(SOCKET)).toBe(3);
    t.verify();
    await net.unload();
    t.load({ name: 'other', handlers: { socket: () => 1 } });
    expect(t.call(SOCKET)).toBe(1);
    t.verify();
  });

  it('reserving again is harmless; numbers and names both work', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    t.reserve('net', [41, 'socket', 'connect']);
    t.verify();
    t.load({ name: 'net', handlers: { socket: () => 3, connect: () => 4 } });
    expect([t.call(SOCKET), t.call(CONNECT)]).toEqual([3, 4]);
    t.verify();
  });

  it('reserving a taken or reserved slot is EEXIST and reserves nothing', () => {
    const t = x86Table();
    t.load({ name: 'a', handlers: { write: () => 1 } });
    t.reserve('net', ['socket']);
    expectSystabError(() => t.reserve('fs', ['read', 'write']), 'EEXIST', 'call write (1) is taken by module "a"');
    expectSystabError(() => t.reserve('fs', ['read', 'socket']), 'EEXIST', 'call socket (41) is reserved for module "net"');
    t.verify();
    t.load({ name: 'b', handlers: { read: () => 0 } }); // read was not reserved
    expect(t.call(0)).toBe(0);
    t.verify();
  });

  it('a wrap may sit over a reservation, and the filling module goes under it', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    t.load({ name: 'trace', wraps: { socket: (below: Handler): Handler => (...a) => (below(...a) as number) + 1000 } });
    expect(t.call(SOCKET)).toBe(-38 + 1000);
    t.load({ name: 'net', handlers: { socket: () => 3 } });
    expect(t.call(SOCKET)).toBe(1003);
    t.verify();
  });

  it('bad input is a typed error and changes nothing', () => {
    const t = x86Table();
    const reserve = t.reserve as (n: unknown, c: unknown) => void;
    const release = t.release as (n: unknown, c?: unknown) => void;
    expectSystabError(() => reserve.call(t, 'net', []), 'EBADSPEC', 'reserve() takes a module name and a non-empty array of call names or numbers (got array)');
    expectSystabError(() => reserve.call(t, 'net', 'socket'), 'EBADSPEC', 'reserve() takes a module name and a non-empty array of call names or numbers (got "socket")');
    expectSystabError(() => reserve.call(t, '', ['socket']), 'EBADSPEC', `module name must be a non-empty string of at most ${NAME_MAX_BYTES} UTF-8 bytes (got "")`);
    expectSystabError(() => reserve.call(t, 'net', ['socket', 'nope']), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    expectSystabError(() => reserve.call(t, 'net', [null]), 'ENONAME', 'reserve() got null; expected a call name or number');
    expectSystabError(() => reserve.call(t, 'net', [1000]), 'ENONAME', "call number 1000 is outside linux-x86_64's table");
    expect(t.call(SOCKET)).toBe(-38);
    t.load({ name: 'x', handlers: { socket: () => 1 } }); // nothing was reserved
    t.verify();
    expectSystabError(() => release.call(t, 'nobody'), 'ENOTLOADED', 'module "nobody" holds no reservations');
    t.reserve('net', ['connect']);
    expectSystabError(() => release.call(t, 'net', ['connect', 'write']), 'ENOTOWNER', 'module "net" does not hold every one of the named reservations');
    expectSystabError(() => release.call(t, 'net', ['nope']), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    t.verify();
    expectSystabError(() => t.load({ name: 'y', handlers: { connect: () => 1 } }), 'ERESERVED', 'call connect (42) is reserved for module "net"');
  });

  it('release with something other than a list of calls is EBADSPEC or ENONAME, and changes nothing', () => {
    const t = x86Table();
    t.reserve('net', ['socket']);
    expectSystabError(() => t.release('net', 'socket' as never), 'EBADSPEC', 'release() takes an array of call names or numbers (got "socket")');
    t.verify();
    expectSystabError(() => t.release('net', [{}] as never), 'ENONAME', 'release() got object; expected a call name or number');
    t.verify();
    expect(t.call(41)).toBe(-38);
    t.release('net');
    t.verify();
  });
});
