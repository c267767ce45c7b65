import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { DOCUMENTED_DIFFERENCES } from '../examples/rv64/test/differences.js';
import { parseQemuStrace, parseTrace } from '../examples/rv64/test/harness.js';

describe('rv64 trace parsers', () => {
  it('read qemu -strace lines, map unknown numbers to names, name numbers outside the ABI syscall_0xNR as strace does', () => {
    const log = [
      '4000 brk(NULL) = 0x000000000007d000',
      '4000 Unknown syscall 425',
      '4000 write(1,0x7df90,62)io_uring_setup: -1 errno=ENOSYS',
      ' = 62',
      '4000 Unknown syscall 1999',
      '4000 exit_group(38)',
    ].join('\n');
    expect(parseQemuStrace(log, abi.names)).toEqual(['brk', 'io_uring_setup', 'write', 'syscall_0x7cf', 'exit_group']);
    expect(DOCUMENTED_DIFFERENCES).toEqual([]);
  });

  it('read the emulator --trace lines', () => {
    expect(parseTrace('brk(NULL)                               = 0x7d000\nwrite(1, "hi\\n", 3) = 3\nexit_group(0)                           = ?\n+++ exited with 0 +++\n')).toEqual(['brk', 'write', 'exit_group']);
  });
});
