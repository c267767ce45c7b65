import { expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { abi as x86 } from 'systab/abi/linux-x86_64';
import { wasiImports } from 'systab/wasi';

const zero = (t: string) => (t === 'i64' ? 0n : 0);

it('an empty table gives all 46 WASI functions, each answering nosys (52); none throws', () => {
  const t = createTable({ abi, shared: false });
  const host = wasiImports(t);
  const fns = host.imports.wasi_snapshot_preview1;
  expect(Object.keys(fns).sort()).toEqual(Object.keys(abi.names).sort());
  expect(Object.keys(fns)).toHaveLength(46);
  const callAll = (): void => {
    for (const [name, sig] of Object.entries(abi.signatures!)) {
      const r = fns[name]!(...sig.params.map(zero));
      expect([name, r]).toEqual([name, sig.results.length === 0 ? undefined : 52]);
    }
  };
  callAll();
  expect(t.stats()).toEqual({ calls: [], missing: [], outOfRange: 0 }); // nothing counts with the switches off
  t.hooks('*', { count: true });
  callAll();
  const s = t.stats();
  expect(s.missing).toHaveLength(46);
  expect(s.missing.every((m) => m.count === 1)).toBe(true);
  expect(s.outOfRange).toBe(0);
  t.verify();
});

it('wasiImports() refuses a table of another ABI, with an exact message', () => {
  const t = createTable({ abi: x86, shared: false });
  expect(() => wasiImports(t as never)).toThrow('wasiImports() needs a table made with the wasi-preview1 ABI (got a table for linux-x86_64)');
  expect(() => wasiImports(null as never)).toThrow('wasiImports() needs a table made with the wasi-preview1 ABI (got null)');
});

it('memory() before bind() says what to do', () => {
  const host = wasiImports(createTable({ abi, shared: false }));
  expect(() => host.memory()).toThrow('the WASI host is not bound to an instance: call bind(instance) first');
  const memory = new WebAssembly.Memory({ initial: 1 });
  expect(wasiImports(createTable({ abi, shared: false }), { memory: () => memory }).memory()).toBe(memory);
});
