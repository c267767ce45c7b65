// More of what scripts do with processes, in Debian's static riscv64 busybox
// sh: xargs, traps, read in a group, sed | awk, 2>&1 into a pipe, nested sh,
// arithmetic over $( ): every process a worker of
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
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'rv64-procs-more-')); dirs.push(d); return d; };

beforeAll(async () => {
  ensureDebs();
  await ensureBundle();
}, TIMEOUT);
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const SH: [string, string][] = [
  ['xargs runs a command per argument', 'echo a b c | xargs -n1 echo'],
  ['an EXIT trap', "trap 'echo bye' EXIT; echo hi"],
  ['read in a { } group at the end of a pipe', 'echo one | { read a; echo "got $a"; }'],
  ['sed into awk', "echo abc | sed s/b/X/ | awk '{print toupper($0)}'"],
  ['2>&1 into a pipe', '(echo out; echo err >&2) 2>&1 | sort'],
  ['a nested sh and its exit code', "sh -c 'exit 5'; echo $?"],
  ['arithmetic over command substitutions', 'echo $(( $(echo 2) * $(echo 21) ))'],
  ['a file written, read back through $( ), removed', 'echo hello > f.txt; x=$(cat f.txt); echo "[$x]"; rm f.txt; ls f.txt 2>/dev/null || echo gone'],
];

describe.concurrent('processes: more busybox sh, as qemu-riscv64 runs it', () => {
  for (const [name, script] of SH) it(name, async () => expectSame(await compareSides(fresh(), BUSYBOX, ['sh', '-c', script])), TIMEOUT);
});
