// Pipelines, $( ), { ...; } | ..., here-documents and background jobs in
// Debian's static riscv64 bash (its external commands: busybox applets in
// DIR/bin): every process a worker of
// its own, all calling one systab table; the same stdout, stderr and exit
// code as qemu-riscv64 (examples/rv64/test/procs.ts says how both sides find
// their commands). Each emulator run ends with table.verify().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BASH, ensureDebs } from '../examples/rv64/test/busybox.js';
import { ensureBundle, TIMEOUT } from '../examples/rv64/test/harness.js';
import { compareSides, expectSame } from '../examples/rv64/test/procs.js';

const dirs: string[] = [];
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'rv64-procs-bash-')); dirs.push(d); return d; };

beforeAll(async () => {
  ensureDebs();
  await ensureBundle();
}, TIMEOUT);
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const CASES: [string, string][] = [
  ['bash $( )', 'x=$(echo sub); echo $x; echo $(echo $(echo nested))'],
  ['bash { ...; } | ...', '{ echo a; echo b; } | cat'],
  ['bash external commands in a pipeline', 'ls data | sort -r | head -2'],
  ['bash a here-document', 'cat <<EOF\nbash $((2*3))\nEOF'],
  ['bash a background job, wait $!', 'sleep 0.1 & wait $!; echo waited $?'],
  ['bash while read from a pipe', 'printf "x\\ny\\n" | while read l; do echo "<$l>"; done'],
];

describe.concurrent('processes: bash as qemu-riscv64 runs it', () => {
  for (const [name, script] of CASES) it(name, async () => expectSame(await compareSides(fresh(), BASH, ['-c', script])), TIMEOUT);
});
