// The arch values systab gives seccomp_data per ABI, checked against the
// uapi header they come from (compiled here: include/uapi/linux/audit.h).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiIds } from '../src/abi/list.js';
import { auditArchNames, seccompArchs, X32_SYSCALL_BIT } from '../src/seccomp/arch.js';

const header = '/usr/include/linux/audit.h';
const why = spawnSync('gcc', ['--version']).status !== 0 ? 'gcc is not installed' : spawnSync('test', ['-f', header]).status !== 0 ? `${header} is missing (linux-libc-dev)` : undefined;

describe('seccomp arch values', () => {
  it('cover every systab ABI', () => {
    expect(Object.keys(seccompArchs).sort()).toEqual([...abiIds].sort());
  });

  it.skipIf(why !== undefined)(`are audit.h's AUDIT_ARCH_* values${why ? ` (skipped: ${why})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'systab-audit-'));
    const names = [...new Set(Object.values(auditArchNames))];
    const src = `#include <stdio.h>\n#include <linux/audit.h>\n#include <asm/unistd.h>\nint main(void) {\n${names.map((n) => `  printf("${n} %u\\n", (unsigned)${n});`).join('\n')}\n  printf("X32 %u\\n", (unsigned)__X32_SYSCALL_BIT);\n  return 0;\n}\n`;
    writeFileSync(join(dir, 'a.c'), src);
    execFileSync('gcc', ['-o', join(dir, 'a'), join(dir, 'a.c')]);
    const got = Object.fromEntries(execFileSync(join(dir, 'a')).toString().trim().split('\n').map((l) => l.split(' ')).map(([n, v]) => [n!, Number(v)]));
    for (const [abi, name] of Object.entries(auditArchNames)) expect([abi, seccompArchs[abi]!.arch]).toEqual([abi, got[name]]);
    expect(got.X32).toBe(X32_SYSCALL_BIT);
  });

  it('say big-endian exactly where the LE bit is clear, but for the documented exceptions', () => {
    const leWithoutBit = ['linux-hexagon', 'linux-xtensa'];
    for (const [abi, a] of Object.entries(seccompArchs)) {
      if (leWithoutBit.includes(abi)) expect(a.bigEndian, abi).toBe(false);
      else expect(a.bigEndian, abi).toBe((a.arch & 0x40000000) === 0);
    }
  });
});
