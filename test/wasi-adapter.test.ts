import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiModule } from 'systab/wasi';

it('wasiModule() takes the WASI functions an implementation has, by name, less those omitted', () => {
  const impl = { fd_write: () => 0, fd_read: () => 0, fd_advise: () => 0, not_wasi: () => 0, proc_exit: 'not a function' };
  const spec = wasiModule('impl', impl, { omit: ['fd_advise'] });
  expect(spec.name).toBe('impl');
  expect(Object.keys(spec.handlers!).sort()).toEqual(['fd_read', 'fd_write']);
});

it('wasiModule() rejects an unknown name to omit and a non-object, with exact messages', () => {
  expect(() => wasiModule('m', {}, { omit: ['fd_adviseX'] })).toThrow('unknown call "fd_adviseX" for wasi-preview1');
  expect(() => wasiModule('m', null as never)).toThrow('wasiModule() takes an object of WASI functions (got null)');
});

it('loadWasi() loads into the table: calls go table -> adapter -> implementation, the rest answer 52', () => {
  const t = createTable({ abi, shared: false });
  const calls: string[] = [];
  const m = loadWasi(t, 'impl', { fd_close: (fd: number) => (calls.push(`fd_close ${fd}`), 8) });
  expect(m.name).toBe('impl');
  expect(t.call(abi.names.fd_close!, 5)).toBe(8);
  expect(t.call(abi.names.fd_sync!, 5)).toBe(52);
  expect(calls).toEqual(['fd_close 5']);
  expect(() => loadWasi(t, 'impl', {})).toThrow('module "impl" has no handlers or wraps');
  t.verify();
});
