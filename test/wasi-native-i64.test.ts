// A native implementation's function taking an i64 (node:wasi's, or any bound
// function) is called by the import through a generic call site (see
// src/wasi/generic-call.ts): it gets exactly the guest's arguments, as many as
// the guest passed, with and without counting, and answers as called directly.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports } from 'systab/wasi';

it('bound functions taking an i64: the guest\'s exact values and argument count, every call, counted or not', () => {
  for (const counting of [false, true]) {
    const t = createTable({ abi, shared: false });
    if (counting) t.hooks('*', { count: true });
    const got: unknown[][] = [];
    const record = function (this: unknown, ...a: unknown[]) {
      got.push(a);
      return a.length;
    };
    loadWasi(t, 'bound', { fd_seek: record.bind(null), clock_time_get: record.bind(null), path_open: record.bind(null) });
    const fns = wasiImports(t).imports.wasi_snapshot_preview1;
    const big = 2n ** 60n + 5n;
    for (let i = 0; i < 3; i++) {
      expect(fns.fd_seek!(3, big, 1, 64)).toBe(4);
      expect(fns.clock_time_get!(1, -1n, 24)).toBe(3);
      expect(fns.path_open!(3, 0, 64, 5, 0, big, -big, 0, 80)).toBe(9);
    }
    expect(got).toEqual(Array(3).fill([[3, big, 1, 64], [1, -1n, 24], [3, 0, 64, 5, 0, big, -big, 0, 80]]).flat());
    if (counting) expect(t.stats().calls.map((c) => [c.name, c.calls, c.errors])).toEqual([['clock_time_get', 3, 3], ['fd_seek', 3, 3], ['path_open', 3, 3]]);
    t.verify();
  }
});

it('node:wasi\'s fd_seek and clock_time_get through systab answer and write what they do called directly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'systab-native-'));
  const file = join(dir, 'f');
  writeFileSync(file, 'x'.repeat(64));
  const fd = openSync(file, 'r');
  try {
    // One guest memory each; fd_seek's new offset at 32, the clock's resolution at 24.
    const run = (via: boolean, counting: boolean) => {
      const wasi = new WASI({ version: 'preview1', args: [], env: {}, stdin: fd, returnOnExit: true });
      let fns = wasi.wasiImport as Record<string, (...a: unknown[]) => number>;
      if (via) {
        const t = createTable({ abi, shared: false });
        if (counting) t.hooks('*', { count: true });
        loadWasi(t, 'node', wasi.wasiImport);
        fns = wasiImports(t).imports.wasi_snapshot_preview1 as typeof fns;
      }
      const memory = new WebAssembly.Memory({ initial: 1 });
      wasi.initialize({ exports: { memory, _initialize: () => {} } } as never);
      const view = new DataView(memory.buffer);
      const out: unknown[] = [];
      for (const [off, whence] of [[5n, 0], [2n ** 60n, 0], [-3n, 2], [2n ** 53n + 1n, 1]] as const) {
        out.push(fns.fd_seek!(0, off, whence, 32), view.getBigUint64(32, true));
      }
      out.push(fns.clock_res_get!(1, 24), fns.clock_time_get!(1, 2n ** 62n, 40) === 0);
      return out;
    };
    const direct = run(false, false);
    expect(direct.slice(0, 2)).toEqual([0, 5n]);
    expect(run(true, false)).toEqual(direct);
    expect(run(true, true)).toEqual(direct);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
