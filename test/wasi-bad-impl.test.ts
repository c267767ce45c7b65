// Passing the WASI object instead of its wasiImport says what to pass.
import { WASI as NodeWASI } from 'node:wasi';
import { expect, it } from 'vitest';
import { WASI } from '@bjorn3/browser_wasi_shim';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi } from 'systab/wasi';

const hint = (name: string) => `wasiModule() takes the WASI functions, not the WASI object: pass its wasiImport (and, for host.start(), the object itself as { wasi }): loadWasi(table, "${name}", wasi.wasiImport, { wasi })`;

it('the shim\'s WASI object and node:wasi\'s, passed whole, are EBADSPEC naming wasiImport; the table stays empty', () => {
  const t = createTable({ abi, shared: false });
  for (const w of [new WASI([], [], [], { debug: false }), new NodeWASI({ version: 'preview1' })]) {
    let err: unknown;
    try {
      loadWasi(t, 'shim', w as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SystabError);
    expect((err as SystabError).code).toBe('EBADSPEC');
    expect((err as Error).message).toBe(hint('shim'));
  }
  expect(t.call(abi.names.fd_write!, 1, 0, 0, 0)).toBe(52);
  loadWasi(t, 'shim', new WASI([], [], [], { debug: false }).wasiImport); // the name was not taken
  t.verify();
});
