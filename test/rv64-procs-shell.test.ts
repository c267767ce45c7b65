// Shell pipelines, $( ), here-documents, subshells and background jobs in
// Debian's static riscv64 busybox sh and bash: every process a worker of
// its own, all calling one systab table; the same stdout, stderr and exit
// code as qemu-riscv64 (examples/rv64/test/procs.ts says how both sides find
// their commands). Each emulator run ends with table.verify().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BUSYBOX, ensureDebs } from '../examples/rv64/test/busybox.js';
import { ensureBundle, TIMEOUT } from '../examples/rv64/test/harness.js';
import { compareSides, expectSame } from '../examples/rv64/test/procs.js';

const dirs: string[] = [];
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'rv64-procs-')); dirs.push(d); return d; };

beforeAll(async () => {
  ensureDebs();
  await ensureBundle();
}, TIMEOUT);
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const SH: [string, string][] = [
  ['a pipe', 'echo hi | tr a-z A-Z'],
  ['command substitution', 'x=$(echo sub); echo $x'],
  ['a here-document into cat', 'cat <<EOF\nhere $((1+2))\nline two\nEOF'],
  ['ls | wc -l', 'ls data | wc -l'],
  ['$? of false', 'false; echo $?'],
  ['exit code through sleep 0', 'sleep 0; exit 3'],
  ['a 3-stage pipeline', 'echo c a b | tr " " "\\n" | sort -r'],
  ['backpressure: seq 1 20000 | sort -rn | head -3', 'seq 1 20000 | sort -rn | head -3'],
  ['a writer blocks on a full pipe until its reader wakes', 'seq 1 20000 | (sleep 0.3; wc -c)'],
  ['yes | head -2 (SIGPIPE ends yes)', 'yes | head -2; echo status $?'],
  ['a background job and wait', '(sleep 0.2; echo bg) & echo fg; wait; echo done $?'],
  ['subshell exit codes', '(exit 4); echo $?; (false) || echo failed'],
  ['a loop into a pipe', 'for i in 1 2 3 4 5; do echo $i; done | wc -l'],
  ['an external command by PATH, and a missing one', 'true && echo ok; nosuchcommand; echo $?'],
  ['exec replaces the shell', 'echo before; exec echo replaced'],
  // The shell's "Terminated" notice comes or not by timing (qemu's too): the group's stderr is dropped.
  ['kill a background sleep', '{ sleep 5 & kill $!; wait $!; echo $?; } 2>/dev/null'],
  ['a child exits while the shell reads its output', 'x=$(sleep 0.1; echo late); echo "[$x]"'],
];

describe.concurrent('processes: busybox sh as qemu-riscv64 runs it', () => {
  for (const [name, script] of SH) it(name, async () => expectSame(await compareSides(fresh(), BUSYBOX, ['sh', '-c', script])), TIMEOUT);
});
