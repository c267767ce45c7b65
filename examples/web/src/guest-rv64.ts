// Guest (1): the rv64 emulator runs a static riscv64 program on the page's
// linux-riscv64 table, attached here. Its Linux modules load here (this
// worker is their home); the page's trace, filters and swaps reach every
// call through the shared table.
import type { Table } from 'systab';
import { attachTrace, exitedLine } from 'systab/trace';
import { attachFilter } from 'systab/seccomp';
import { run } from '../../rv64/src/emulator.js';
import type { Memory } from '../../rv64/src/memory.js';
import { type Batcher, reader, upper } from './batch.js';
import { type Start, UPPER } from './protocol.js';

const MEMORY = 64 << 20;

export function runRv64(t: Table, m: Start, out: Batcher): { code: number; fault?: string } {
  const text = new TextDecoder();
  // bytes may view the guest's shared memory, which a browser's TextDecoder refuses: decoded from a copy.
  const io = { write: (fd: number, bytes: Uint8Array) => (out.out(fd, text.decode(bytes.slice())), bytes.length) };
  let mem: Memory | undefined;
  const r = run({
    image: new Uint8Array(m.bytes),
    argv: ['ticker', ...m.args],
    env: ['HOME=/', 'PATH=/bin'],
    exe: '/bin/ticker',
    memoryBytes: MEMORY,
    table: t,
    io,
    onTable(table, guestMem) {
      mem = guestMem;
      attachTrace(table, m.traceDesc, { sink: (l) => out.trace(l), format: { read: reader(() => guestMem.buffer) } });
      attachFilter(table, m.filterDesc);
      // This thread's code for the page's swap: write to the terminal, uppercased (other fds fall through).
      table.provide({
        name: UPPER,
        wraps: {
          write: (below) => (fd, buf, len, a3, a4, a5) =>
            (fd === 1 || fd === 2) && mem!.valid(buf, len) ? io.write(fd, upper(mem!.bytes(buf, len))) : below(fd, buf, len, a3, a4, a5),
        },
      });
    },
  });
  out.trace(`${exitedLine(r.exitCode)}\n`);
  return { code: r.exitCode, ...(r.fault !== undefined ? { fault: r.fault } : {}) };
}
