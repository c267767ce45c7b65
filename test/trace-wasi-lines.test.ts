// WASI preview1 calls in strace's style with witx names and types: strings
// from (pointer, length) pairs, iovec lists, witx flags and enums, results
// as errno names, i64 arguments as BigInts or numbers.
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/wasi-preview1.js';
import { createFormatter } from '../src/trace/format.js';

const mem = new Uint8Array(0x20000);
const dv = new DataView(mem.buffer);
const put = (at: number, s: string) => mem.set(new TextEncoder().encode(s), at);
const f = createFormatter({ abi, read: (a, n) => (a + n <= mem.length ? mem.slice(a, a + n) : null) });
const N = abi.names;
const pad = (head: string, ret: string) => head + ' '.repeat(Math.max(1, 40 - head.length)) + ret;

describe('WASI lines', () => {
  it('fd_write: the iovec list with its strings, all at entry', () => {
    dv.setUint32(0x100, 0x200, true); dv.setUint32(0x104, 6, true);
    put(0x200, 'hello\n');
    expect(f.line(N.fd_write, [1, 0x100, 1, 0x1ff8c], 0)).toBe('fd_write(1, [{"hello\\n", 6}], 1, 0x1ff8c) = 0');
  });

  it('fd_read: the data read (cut at what nread says), after the call', () => {
    dv.setUint32(0x300, 0x400, true); dv.setUint32(0x304, 4, true);
    dv.setUint32(0x308, 0x500, true); dv.setUint32(0x30c, 64, true);
    const p = f.enter(N.fd_read, [3, 0x300, 2, 0x600]);
    expect(p.text).toBe('fd_read(3, ');
    put(0x400, 'abcd'); put(0x500, 'ef'); dv.setUint32(0x600, 6, true);
    expect(f.exit(p, 0)).toBe('fd_read(3, [{"abcd", 4}, {"ef", 64}], 2, 0x600) = 0');
  });

  it('path_open: lookup flags, the path, oflags, rights, fdflags, the new fd', () => {
    put(0x700, 'data/file.txt');
    const p = f.enter(N.path_open, [3, 1, 0x700, 13, 0b1001, 0x1fffffffn, 0n, 1, 0x800]);
    dv.setUint32(0x800, 4, true);
    expect(f.exit(p, 0)).toBe('path_open(3, symlink_follow, "data/file.txt", creat|trunc, 0x1fffffff, 0, append, [4]) = 0');
    const q = f.enter(N.path_open, [3, 0, 0x700, 4, 0, 0n, 0n, 0, 0x800]);
    expect(f.exit(q, 44)).toBe('path_open(3, 0, "data", 0, 0, 0, 0, 0x800) = 44 noent');
  });

  it('fd_close, proc_exit, fd_seek (a negative i64), clock_time_get, args_get, environ_get', () => {
    expect(f.line(N.fd_close, [9], 8)).toBe(pad('fd_close(9)', '= 8 badf'));
    expect(f.line(N.proc_exit, [3], 0)).toBe(pad('proc_exit(3)', '= ?'));
    const s = f.enter(N.fd_seek, [3, -2n, 2, 0x900]);
    dv.setBigUint64(0x900, 98n, true);
    expect(f.exit(s, 0)).toBe(pad('fd_seek(3, -2, end, [98])', '= 0'));
    const c = f.enter(N.clock_time_get, [1, 1000n, 0x908]);
    dv.setBigUint64(0x908, 123456789012345n, true);
    expect(f.exit(c, 0)).toBe('clock_time_get(monotonic, 1000, [123456789012345]) = 0');
    expect(f.line(N.args_get, [0x1000, 0x1100], 0)).toBe(pad('args_get(0x1000, 0x1100)', '= 0'));
    expect(f.line(N.environ_get, [0x1200, 0x1300], 0)).toBe(pad('environ_get(0x1200, 0x1300)', '= 0'));
  });

  it('fd_prestat_get and fd_fdstat_get: their structs after the call', () => {
    const p = f.enter(N.fd_prestat_get, [3, 0xa00]);
    mem[0xa00] = 0; dv.setUint32(0xa04, 1, true);
    expect(f.exit(p, 0)).toBe('fd_prestat_get(3, {tag=dir, pr_name_len=1}) = 0');
    expect(f.line(N.fd_prestat_get, [4, 0xa00], 8)).toBe(pad('fd_prestat_get(4, 0xa00)', '= 8 badf'));
    const q = f.enter(N.fd_fdstat_get, [1, 0xb00]);
    mem[0xb00] = 2; dv.setUint16(0xb02, 1, true); dv.setBigUint64(0xb08, 0x820004an, true); dv.setBigUint64(0xb10, 0n, true);
    expect(f.exit(q, 0)).toBe('fd_fdstat_get(1, {fs_filetype=character_device, fs_flags=append, fs_rights_base=0x820004a, fs_rights_inheriting=0}) = 0');
  });

  it('prints calls it does not decode raw, and says which it decodes', () => {
    expect(f.line(N.sock_accept, [3, 0, 0x10], 58)).toBe(pad('sock_accept(0x3, 0, 0x10)', '= 58 notsup'));
    expect(f.decoded).toContain('fd_write');
    expect(f.decoded).not.toContain('sock_accept');
  });
});
