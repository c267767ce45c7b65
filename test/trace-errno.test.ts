// Error results: `-1 ENAME (glibc's strerror text)` by the ABI's errno
// numbering, the kernel's restart codes as strace prints them, unknown
// errnos as `(errno N)`, WASI errors by their witx name.
import { describe, expect, it } from 'vitest';
import { abi as mips } from '../src/abi/linux-mips64.js';
import { abi as riscv } from '../src/abi/linux-riscv64.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';
import { abi as x86 } from '../src/abi/linux-x86_64.js';
import { errnoName, linuxError, wasiError } from '../src/trace/errno.js';
import { createFormatter } from '../src/trace/format.js';

describe('errno lines', () => {
  it('name the error by the ABI\'s first name for the value, with glibc\'s text', () => {
    expect(linuxError(x86, 2)).toBe('-1 ENOENT (No such file or directory)');
    expect(linuxError(x86, 11)).toBe('-1 EAGAIN (Resource temporarily unavailable)');
    expect(linuxError(x86, 35)).toBe('-1 EDEADLK (Resource deadlock avoided)');
    expect(linuxError(x86, 95)).toBe('-1 EOPNOTSUPP (Operation not supported)');
    expect(errnoName(riscv, 38)).toBe('ENOSYS');
  });

  it('use the ABI\'s numbering: ENOSYS is 89 on MIPS', () => {
    expect(linuxError(mips, 89)).toBe('-1 ENOSYS (Function not implemented)');
    expect(linuxError(mips, 38)).not.toContain('ENOSYS');
  });

  it('print the kernel\'s restart codes and unknown values as strace does', () => {
    expect(linuxError(x86, 512)).toBe('? ERESTARTSYS (To be restarted if SA_RESTART is set)');
    expect(linuxError(x86, 516)).toBe('? ERESTART_RESTARTBLOCK (Interrupted by signal)');
    expect(linuxError(x86, 4000)).toBe('-1 (errno 4000)');
  });

  it('treat -4095..-1 as errors and everything else as a value, in whole lines', () => {
    const f = createFormatter({ abi: x86 });
    expect(f.line(x86.names.close, [99], -9)).toBe(`close(99)${' '.repeat(31)}= -1 EBADF (Bad file descriptor)`);
    expect(f.line(x86.names.lseek, [3, -4096, 1], -4096)).toBe(`lseek(3, -4096, SEEK_CUR)${' '.repeat(15)}= -4096`);
    expect(f.line(x86.names.getpid, [], 2n ** 40n)).toBe(`getpid()${' '.repeat(32)}= 1099511627776`);
    expect(f.line(x86.names.brk, [0], -4097)).toBe(`brk(NULL)${' '.repeat(31)}= 0xffffffffffffefff`);
    expect(f.line(x86.names.getpid, [], undefined)).toBe(`getpid()${' '.repeat(32)}= ?`);
  });

  it('name WASI errors by witx name', () => {
    expect(wasiError(wasi, 8)).toBe('badf');
    expect(wasiError(wasi, 44)).toBe('noent');
    expect(wasiError(wasi, 9999)).toBe('9999');
  });
});
