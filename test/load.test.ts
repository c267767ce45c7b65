// load(): handlers by call name, by number (number key or numeric string),
// with exact 64-bit values, or as WebAssembly functions.
import { describe, expect, it } from 'vitest';
import { createTable, Module } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import { wasmHandlers } from './helpers/wasm.js';
import { NAME_MAX_BYTES } from './helpers/systab.js';

describe('load', () => {
  it('installs handlers by call name and passes the six arguments', () => {
    const t = createTable({ abi: x86_64 });
    const seen: number[][] = [];
    const m = t.load({ name: 'io', handlers: { write: (...a: number[]) => (seen.push(a), 42), close: () => 0 } });
    expect(m).toBeInstanceOf(Module);
    expect(m.name).toBe('io');
    expect(m.loaded).toBe(true);
    expect(t.call(1, 1, 2, 3, 4, 5, 6)).toBe(42);
    expect(t.call(1)).toBe(42);
    expect(seen).toEqual([[1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]]);
    expect(t.call(3)).toBe(0);
    t.verify();
  });

  it('installs handlers by number key and by numeric string', () => {
    const t = createTable({ abi: x86_64 });
    t.load({ name: 'nums', handlers: { 60: () => 600, '39': () => 390, 0: () => 1 } });
    expect(t.call(60)).toBe(600);
    expect(t.call(39)).toBe(390);
    expect(t.call(0)).toBe(1);
    t.verify();
  });

  it('accepts { fn } and { fn, bigint: true } entries', () => {
    const t = createTable({ abi: x86_64 });
    let got: unknown[] = [];
    t.load({
      name: 'mixed',
      handlers: {
        read: { fn: (a0: number) => a0 + 1 },
        lseek: { fn: (...a: bigint[]) => ((got = a), a[0]! + a[1]!), bigint: true },
      },
    });
    expect(t.call(0, 41)).toBe(42);
    expect(t.call(8, 40, 2)).toBe(42);
    expect(got).toEqual([40n, 2n, 0n, 0n, 0n, 0n]);
    expect(t.call64(8, 2n ** 62n, 1n)).toBe(2n ** 62n + 1n);
    t.verify();
  });

  it('accepts { wasm } entries: exported WebAssembly functions', () => {
    const t = createTable({ abi: x86_64 });
    const w = wasmHandlers();
    t.load({ name: 'wasm', handlers: { read: { wasm: w.add }, write: { wasm: w.mul } } });
    expect(t.call(0, 40, 2)).toBe(42);
    expect(t.call(1, 6, 7)).toBe(42);
    expect(t.call(0, -5, 3)).toBe(-2);
    t.verify();
  });

  it('the same module by call name loads on two ABIs at their own numbers', () => {
    const spec = { name: 'portable', handlers: { write: () => 1, openat: () => 2, getpid: () => 3 } };
    const a = createTable({ abi: x86_64 });
    const b = createTable({ abi: riscv64 });
    a.load(spec);
    b.load(spec);
    expect([a.call(1), a.call(257), a.call(39)]).toEqual([1, 2, 3]);
    expect([b.call(64), b.call(56), b.call(172)]).toEqual([1, 2, 3]);
    expect(b.call(1)).toBe(-38);
    a.verify();
    b.verify();
  });

  it('in a table made with async: true, a handler may return a promise, which call() returns as is', async () => {
    const t = createTable({ abi: x86_64, async: true });
    t.load({ name: 'async', handlers: { read: async (a0) => a0 * 2 } });
    const r = t.call(0, 21);
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(42);
    t.verify();
  });

  it('otherwise an async handler is EASYNC, still counted in flight until it settles (an unload waits for it)', async () => {
    const t = createTable({ abi: x86_64 });
    let settle!: () => void;
    let ran = 0;
    const m = t.load({ name: 'async', handlers: { read: () => new Promise<number>((res) => { ran++; settle = () => res(1); }) } });
    expect(() => t.call(0)).toThrow(expect.objectContaining({ code: 'EASYNC', message: "handler for read (0) returned a promise, and this table's call() answers numbers: make the table (or attach) with { async: true }, or call it with callAsync()" }));
    expect(ran).toBe(1);
    let unloaded = false;
    const u = m.unload({ timeout: 2000 }).then(() => (unloaded = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(unloaded).toBe(false); // the handler still runs
    settle();
    await u;
    expect(t.call(0)).toBe(-38);
    // callAsync() takes the promise either way.
    t.load({ name: 'again', handlers: { read: async () => 7 } });
    await expect(t.callAsync(0)).resolves.toBe(7);
    t.verify();
  });

  it('a rejected promise behind EASYNC is not an unhandled rejection', async () => {
    const t = createTable({ abi: x86_64 });
    const seen: unknown[] = [];
    const on = (e: unknown): void => void seen.push(e);
    process.on('unhandledRejection', on);
    try {
      t.load({ name: 'async', handlers: { read: async () => { throw new Error('late'); } } });
      expect(() => t.call(0)).toThrow(expect.objectContaining({ code: 'EASYNC' }));
      await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
    t.verify();
  });

  it('modules on distinct slots coexist and unload independently', async () => {
    const t = createTable({ abi: x86_64 });
    const a = t.load({ name: 'a', handlers: { read: () => 1 } });
    const b = t.load({ name: 'b', handlers: { write: () => 2 } });
    expect([t.call(0), t.call(1)]).toEqual([1, 2]);
    await a.unload();
    expect([t.call(0), t.call(1)]).toEqual([-38, 2]);
    expect(b.loaded).toBe(true);
    t.verify();
  });

  it('a module name may use up to NAME_MAX_BYTES UTF-8 bytes', () => {
    const t = createTable({ abi: x86_64 });
    const name = 'é'.repeat(NAME_MAX_BYTES / 2);
    const m = t.load({ name, handlers: { read: () => 1 } });
    expect(m.name).toBe(name);
    expect(t.call(0)).toBe(1);
    t.verify();
  });
});
