// Fuzz of createTable(), attach(), describe(), close() and coreWasm(), with
// options and ABI objects of every JS type. Every outcome is a table that
// verifies and works, or a documented SystabError (EBADSPEC, EATTACH,
// EFULL); a rejected option is rejected before it changes anything (a
// caller's memory stays usable).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attach, coreWasm, createTable, SystabError, type Abi, type Table, type TableOptions } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { anyValue, attempt, box, expectAllowedError, expectIntact, flipping, fuzzParams, showValue, type Box } from './helpers/fuzz-values.js';

const small = (n: number): Box => box(String(n), () => n);
const sizes = fc.oneof(fc.constantFrom(2, 3, 16, 64, 4096).map(small), anyValue);
const abiArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(box('x86_64', () => abi), box('wasi', () => wasi)) },
  { weight: 1, arbitrary: anyValue },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('id', 'names', 'extra', 'count', 'base', 'enosys', 'errno', 'convention'), anyValue).map(([k, v]) =>
      box(`x86_64 with ${k} = ${v.label}`, () => ({ ...abi, [k]: v.make() })),
    ),
  },
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const optionsArb = fc.oneof(
  { weight: 1, arbitrary: anyValue },
  {
    weight: 5,
    arbitrary: fc
      .record({ abi: abiArb, maxHandlers: opt(sizes), maxModules: opt(sizes), maxWorkers: opt(sizes), shared: opt(fc.oneof(fc.constantFrom(true, false).map((b) => box(String(b), () => b)), anyValue)), callTimeout: opt(sizes), threadId: opt(sizes) })
      .map((r) => {
        const keys = Object.entries(r).filter(([, v]) => v !== undefined) as [string, Box][];
        return box(`{ ${keys.map(([k, v]) => `${k}: ${v.label}`).join(', ')} }`, () => Object.fromEntries(keys.map(([k, v]) => [k, v.make()])));
      }),
  },
);

const isGoodSize = (v: unknown, min: number, max: number): boolean => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);

/** A table works: verify, a load, a call, an unload's first step. */
function expectWorking(t: Table, context: string): void {
  expectIntact(t, context);
  const nr = t.abi.id === 'wasi-preview1' ? 0 : 39;
  t.load({ name: 'probe', handlers: { [nr]: () => 5 } });
  expect(t.call(nr), context).toBe(5);
  expect(t.call(-1), context).toBe(t.abi.enosys);
  expectIntact(t, context);
}

describe('fuzz: createTable()', () => {
  it('makes a working table from good options and throws a documented error for bad ones', () => {
    fc.assert(
      fc.property(optionsArb, (ob) => {
        const o = attempt(() => createTable(ob.make() as TableOptions));
        const context = `createTable(${ob.label})`;
        if (!o.ok) {
          expectAllowedError(o.error, context, ['EBADSPEC', 'EATTACH', 'EFULL']);
          return;
        }
        const t = o.value as Table;
        expectWorking(t, context);
        // What was accepted was good: sizes in range, shared a boolean.
        const opts = ob.make() as Record<string, unknown>;
        expect(isGoodSize(opts.maxHandlers, 2, 65536) && isGoodSize(opts.maxModules, 2, 65536) && isGoodSize(opts.maxWorkers, 1, 1024), `${context}: sizes`).toBe(true);
        expect(opts.shared === undefined || typeof opts.shared === 'boolean', `${context}: shared ${showValue(opts.shared)} taken as a boolean`).toBe(true);
        t.close();
      }),
      fuzzParams(400),
    );
  });

  it('reads each option once: a getter that answers a good ABI, then something else, is either used as first read or rejected', () => {
    fc.assert(
      fc.property(fc.constantFrom('abi', 'memory', 'maxHandlers', 'shared'), anyValue, (key, later) => {
        const good: Record<string, unknown> = { abi, memory: new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true }), maxHandlers: 64, shared: true };
        const o = attempt(() => createTable(flipping(key, good[key], later.make(), Object.fromEntries(Object.entries(good).filter(([k]) => k !== key))) as TableOptions));
        const context = `createTable({ ${key}: getter answering a good value, then ${later.label} })`;
        if (!o.ok) expectAllowedError(o.error, context, ['EBADSPEC', 'EATTACH']);
        else expectWorking(o.value as Table, context);
      }),
      fuzzParams(200),
    );
  });

  it("a rejected option leaves the caller's memory as it was: a later createTable() on it works", () => {
    fc.assert(
      fc.property(fc.constantFrom<[string, unknown]>(['callTimeout', -1], ['callTimeout', 'x'], ['threadId', -1], ['threadId', 1.5], ['callTimeout', 2 ** 40]), ([k, v]) => {
        const memory = new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true });
        const bad = attempt(() => createTable({ abi, memory, [k]: v } as TableOptions));
        expect(bad.ok).toBe(false);
        if (!bad.ok) expectAllowedError(bad.error, `${k}: ${showValue(v)}`, ['EBADSPEC']);
        const again = attempt(() => createTable({ abi, memory }));
        if (!again.ok) expect.fail(`createTable() on the memory after a rejected ${k}: ${showValue(v)}: ${String(again.error)}`);
        expectWorking(again.value as Table, k);
      }),
      fuzzParams(5),
    );
  });
});

describe('fuzz: attach()', () => {
  const t0 = createTable({ abi, maxWorkers: 64 });
  const d = t0.describe();
  const otherModule = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const descArb = fc.oneof(
    { weight: 1, arbitrary: anyValue },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom('memory', 'module', 'abi', 'none'), fc.oneof(anyValue, fc.constantFrom(box('another wasm module', () => otherModule), box('wasi abi', () => wasi), box('unshared memory', () => new WebAssembly.Memory({ initial: 1 })), box('empty shared memory', () => new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true })))))
        .map(([k, v]) => box(k === 'none' ? 'describe()' : `describe() with ${k} = ${v.label}`, () => (k === 'none' ? { ...d } : { ...d, [k]: v.make() }))),
    },
  );
  const attachOpts = fc.oneof(fc.constant(undefined), anyValue, fc.record({ callTimeout: opt(sizes), threadId: opt(sizes) }).map((r) => box(`{ callTimeout: ${r.callTimeout?.label ?? '-'}, threadId: ${r.threadId?.label ?? '-'} }`, () => ({ ...(r.callTimeout ? { callTimeout: r.callTimeout.make() } : {}), ...(r.threadId ? { threadId: r.threadId.make() } : {}) }))));
  it('attaches to a described table, or throws EATTACH / EBADSPEC / EFULL; the table stays intact', () => {
    fc.assert(
      fc.property(descArb, attachOpts, (db, ab) => {
        const context = `attach(${db.label}, ${ab?.label ?? '(none)'})`;
        const args = ab === undefined ? [db.make()] : [db.make(), ab.make()];
        const o = attempt(() => (attach as (...a: unknown[]) => Table)(...args));
        if (!o.ok) expectAllowedError(o.error, context, ['EATTACH', 'EBADSPEC', 'EFULL']);
        else {
          const t = o.value as Table;
          expectIntact(t, context);
          expect(t.call(39), context).toBe(abi.enosys);
          t.close();
        }
        expectIntact(t0, context);
      }),
      fuzzParams(400),
    );
  });
});

describe('coreWasm() and describe()', () => {
  it('coreWasm() gives a copy each time: changing one changes no table', () => {
    const a = coreWasm();
    a.fill(0);
    const b = coreWasm();
    expect(WebAssembly.validate(b as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(b.length).toBe(a.length);
    expectWorking(createTable({ abi }), 'after coreWasm() bytes were zeroed');
  });

  it('describe() is postable and attaches', () => {
    const t = createTable({ abi });
    const d = structuredClone(t.describe());
    const u = attach(d);
    expectIntact(u, 'attached');
    u.close();
    expect(() => attach({ ...d, abi: wasi })).toThrow(SystabError);
  });
});
