// Debian trixie's static riscv64 busybox and sash, in the emulator and under
// qemu-riscv64: each case's steps run in one work directory at the same host
// path on both sides; stdout, stderr, exit codes and the files left must match.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, KNOWN } from '../examples/rv64/test/busybox-cases.js';
import { type Case, ensureDebs, runCase } from '../examples/rv64/test/busybox.js';
import { ensureBundle, TIMEOUT } from '../examples/rv64/test/harness.js';

const results: { name: string; same: boolean }[] = [];

/** qemu first, then the emulator, in the same directory (set up afresh for each). */
async function compare(c: Case) {
  const dir = mkdtempSync(join(tmpdir(), 'rv64-bb-'));
  try {
    const qemu = await runCase(c, 'qemu', dir);
    const emu = await runCase(c, 'emu', dir);
    results.push({ name: c.name, same: qemu.transcript === emu.transcript && JSON.stringify(qemu.files) === JSON.stringify(emu.files) });
    return { qemu, emu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  ensureDebs();
  await ensureBundle();
}, TIMEOUT);

afterAll(() => {
  const same = results.filter((r) => r.same).length;
  console.log(`rv64 busybox: ${same}/${results.length} cases match qemu-riscv64${same < results.length ? `; differ: ${results.filter((r) => !r.same).map((r) => r.name).join('; ')}` : ''}`);
});

describe.concurrent('busybox and sash: same as qemu-riscv64', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { qemu, emu } = await compare(c);
      expect(emu.transcript).toBe(qemu.transcript);
      expect(emu.files).toEqual(qemu.files);
    }, TIMEOUT);
  }
});

describe('busybox: known differences, by design', () => {
  for (const k of KNOWN) {
    it(`${k.name} (${k.why})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rv64-bb-'));
      try {
        expect((await runCase(k, 'emu', dir)).transcript).toBe(k.expected);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, TIMEOUT);
  }
});
