// Calls with no decoder, and ABIs with no layout, print their arguments raw
// as strace's printargs does (hex, 0 as 0), as many as nargs says; the
// formatter lists the calls it decodes, so nothing falls back unannounced.
import { describe, expect, it } from 'vitest';
import { abi as arm64 } from '../src/abi/linux-arm64.js';
import { abi as riscv } from '../src/abi/linux-riscv64.js';
import { abi as x86 } from '../src/abi/linux-x86_64.js';
import { createFormatter } from '../src/trace/format.js';

const pad = (head: string, ret: string) => head + ' '.repeat(Math.max(1, 40 - head.length)) + ret;

describe('raw arguments', () => {
  it('an undecoded call: hex arguments, nargs of them (default 6), errors still named', () => {
    const f = createFormatter({ abi: x86, nargs: (n) => (n === 'io_uring_setup' ? 2 : undefined) });
    expect(f.line(x86.names.io_uring_setup, [4, 0, 0, 0, 0, 0], -38)).toBe(pad('io_uring_setup(0x4, 0)', '= -1 ENOSYS (Function not implemented)'));
    expect(f.line(x86.names.msync, [0x1000, 4096, 4, 0, 0, 0], 0)).toBe(pad('msync(0x1000, 0x1000, 0x4, 0, 0, 0)', '= 0'));
  });

  it('a number the ABI does not name: syscall_0x..., six arguments', () => {
    const f = createFormatter({ abi: riscv });
    expect(f.line(1999, [1, 2, 3, 0, 0, -1], -38)).toBe('syscall_0x7cf(0x1, 0x2, 0x3, 0, 0, 0xffffffffffffffff) = -1 ENOSYS (Function not implemented)');
  });

  it('an ABI without a layout decodes nothing: every call raw, and decoded is empty', () => {
    const f = createFormatter({ abi: arm64, nargs: () => 3 });
    expect(f.decoded).toEqual([]);
    expect(f.line(arm64.names.openat, [-100, 0x4000, 0o2000000, 0, 0, 0], 3)).toBe(pad('openat(0xffffffffffffff9c, 0x4000, 0x80000)', '= 3'));
  });

  it('without a reader, pointers print as hex and strings as their address', () => {
    const f = createFormatter({ abi: x86 });
    expect(f.line(x86.names.openat, [-100, 0x4000, 0, 0], -2)).toBe(pad('openat(AT_FDCWD, 0x4000, O_RDONLY)', '= -1 ENOENT (No such file or directory)'));
    expect(f.line(x86.names.write, [1, 0x5000, 3], 3)).toBe(pad('write(1, 0x5000, 3)', '= 3'));
    expect(f.line(x86.names.fstat, [1, 0x6000], 0)).toBe(pad('fstat(1, 0x6000)', '= 0'));
  });

  it('args as two\'s complement: -100, 2^64 - 100 as BigInt and as the negative number agree', () => {
    const f = createFormatter({ abi: x86 });
    const a = f.line(x86.names.unlinkat, [-100, 0, 0], -14);
    expect(f.line(x86.names.unlinkat, [2n ** 64n - 100n, 0, 0], -14)).toBe(a);
    expect(a).toBe(pad('unlinkat(AT_FDCWD, NULL, 0)', '= -1 EFAULT (Bad address)'));
  });

  it('lists the calls it decodes for each decoded ABI', () => {
    const names = createFormatter({ abi: riscv }).decoded;
    for (const n of ['openat', 'read', 'write', 'newfstatat', 'fstat', 'mmap', 'clock_gettime', 'rt_sigaction', 'connect']) expect(names).toContain(n);
    expect(names).not.toContain('io_uring_setup');
    expect(createFormatter({ abi: x86 }).decoded.length).toBeGreaterThan(50);
  });
});
