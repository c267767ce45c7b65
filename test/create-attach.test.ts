// createTable() and attach() reject what is not a compatible systab table
// with exact errors (EBADSPEC for bad options, EATTACH for bad memory).
import { describe, expect, it } from 'vitest';
import { attach, coreWasm, createTable, SystabError, type Abi, type TableDescriptor, type TableOptions } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import * as L from '../assembly/layout.js';
import { expectSystabError } from './helpers/systab.js';
import { coreLayoutBytes } from './helpers/regions.js';

const create = (o: unknown) => createTable(o as TableOptions);
const NEEDS_ABI = `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64'`;

function sharedMemory(pages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** A copy of a table's memory, with some header words changed. */
function copyWith(t: ReturnType<typeof createTable>, words: Record<number, number>, pages?: number): WebAssembly.Memory {
  const src = new Uint8Array(t.describe().memory.buffer);
  const n = pages ?? src.byteLength / 65536;
  const mem = sharedMemory(n);
  const dst = new Uint8Array(mem.buffer);
  dst.set(src.subarray(0, Math.min(src.byteLength, dst.byteLength)));
  const i32 = new Int32Array(mem.buffer);
  for (const [k, v] of Object.entries(words)) i32[Number(k)] = v;
  return mem;
}

describe('createTable', () => {
  it('needs an ABI', () => {
    expectSystabError(() => create(undefined), 'EBADSPEC', NEEDS_ABI);
    expectSystabError(() => create(null), 'EBADSPEC', NEEDS_ABI);
    // With the reason, once it is an object: each field read once into a copy.
    expectSystabError(() => create({}), 'EBADSPEC', `${NEEDS_ABI} (abi must be an ABI object)`);
    expectSystabError(() => create({ abi: 'linux-x86_64' }), 'EBADSPEC', `${NEEDS_ABI} (abi must be an ABI object)`);
    expectSystabError(() => create({ abi: { ...x86_64, count: 0 } }), 'EBADSPEC', `${NEEDS_ABI} (abi.base and abi.count must be a range of 32-bit call numbers)`);
    expectSystabError(() => create({ abi: { ...x86_64, enosys: undefined } }), 'EBADSPEC', `${NEEDS_ABI} (abi.enosys must be a 32-bit integer)`);
    expectSystabError(() => create({ abi: { ...x86_64, names: { write: '1' } } }), 'EBADSPEC', `${NEEDS_ABI} (abi.names must be an object of numbers)`);
    expectSystabError(() => create({ abi: { ...x86_64, extra: [{ base: 10, count: 5 }] } }), 'EBADSPEC', `${NEEDS_ABI} (abi ranges overlap)`);
  });

  it('rejects bad sizes', () => {
    const bad: [string, unknown, string][] = [
      ['maxHandlers', 1, 'maxHandlers must be an integer from 2 to 65536 (got 1)'],
      ['maxHandlers', 65537, 'maxHandlers must be an integer from 2 to 65536 (got 65537)'],
      ['maxHandlers', 10.5, 'maxHandlers must be an integer from 2 to 65536 (got 10.5)'],
      ['maxHandlers', '10', 'maxHandlers must be an integer from 2 to 65536 (got "10")'],
      ['maxHandlers', NaN, 'maxHandlers must be an integer from 2 to 65536 (got NaN)'],
      ['maxModules', 1, 'maxModules must be an integer from 2 to 65536 (got 1)'],
      ['maxModules', null, 'maxModules must be an integer from 2 to 65536 (got null)'],
      ['maxWorkers', 0, 'maxWorkers must be an integer from 1 to 1024 (got 0)'],
      ['maxWorkers', 1025, 'maxWorkers must be an integer from 1 to 1024 (got 1025)'],
      ['lockTimeout', -1, 'lockTimeout must be an integer from 0 to 2147483648 (got -1)'],
      ['lockTimeout', 1.5, 'lockTimeout must be an integer from 0 to 2147483648 (got 1.5)'],
      ['lockTimeout', '10', 'lockTimeout must be an integer from 0 to 2147483648 (got "10")'],
      ['callTimeout', Infinity, 'callTimeout must be an integer from 0 to 2147483648 (got Infinity)'],
      ['threadId', -1, 'threadId must be an integer from 0 to 2147483647 (got -1)'],
    ];
    for (const [key, value, message] of bad) expectSystabError(() => create({ abi: x86_64, [key]: value }), 'EBADSPEC', message);
  });

  it('attach() checks its options the same way, and a refused attach takes no worker record', () => {
    const t = createTable({ abi: x86_64, maxWorkers: 2 });
    for (const [key, value, message] of [
      ['lockTimeout', -5, 'lockTimeout must be an integer from 0 to 2147483648 (got -5)'],
      ['callTimeout', 'x', 'callTimeout must be an integer from 0 to 2147483648 (got "x")'],
    ] as const) {
      expectSystabError(() => attach(t.describe(), { [key]: value } as never), 'EBADSPEC', message);
    }
    expectSystabError(() => attach(t.describe(), null as never), 'EBADSPEC', 'attach() options must be an object (got null)');
    const v = attach(t.describe()); // the one free record is still free
    v.close();
    t.verify();
  });

  it('evict() takes a thread id', () => {
    const t = createTable({ abi: x86_64 });
    for (const [bad, shown] of [['1', '"1"'], [1.5, '1.5'], [null, 'null']] as const) {
      expectSystabError(() => t.evict(bad as never), 'EBADSPEC', `evict() takes the thread id a thread attached with (got ${shown})`);
    }
    expect(t.evict(123456)).toBe(false);
    t.verify();
  });

  it('accepts the smallest and largest sizes', () => {
    const small = createTable({ abi: x86_64, maxHandlers: 2, maxModules: 2, maxWorkers: 1 });
    small.load({ name: 'a', handlers: { write: () => 1 } });
    expect(small.call(1)).toBe(1);
    small.verify();
    const big = createTable({ abi: riscv64, maxHandlers: 65536 });
    big.verify();
  });

  it('a memory too small for the table is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    const need = coreLayoutBytes(t.describe().module, 472, 4096, 256, 16, 16);
    expect(need).toBeGreaterThan(65536);
    expectSystabError(
      () => createTable({ abi: x86_64, memory: sharedMemory(1) }),
      'EATTACH',
      `memory holds 65536 bytes; a linux-x86_64 table of these sizes needs ${need}`,
    );
  });

  it('a memory that already holds a table is EATTACH, and that table is untouched', () => {
    const t = createTable({ abi: x86_64 });
    t.load({ name: 'a', handlers: { write: () => 1 } });
    expectSystabError(() => createTable({ abi: x86_64, memory: t.describe().memory }), 'EATTACH', 'memory already holds a systab table; use attach()');
    t.verify();
    expect(t.call(1)).toBe(1);
  });

  it('a plain (unshared) memory for a shared table is EATTACH, not a raw LinkError', () => {
    const memory = new WebAssembly.Memory({ initial: 20, maximum: 20 });
    expect(() => createTable({ abi: x86_64, memory, shared: true })).toThrow(
      new SystabError('EATTACH', 'memory must be a WebAssembly.Memory created with shared: true'),
    );
    // Without `shared`, the memory decides: a plain one makes a single-threaded table.
    const t = createTable({ abi: x86_64, memory });
    expect(t.memory.buffer instanceof SharedArrayBuffer).toBe(false);
    t.verify();
  });

  it('works on plain memory with shared: false', () => {
    const t = createTable({ abi: x86_64, shared: false });
    expect(t.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    t.load({ name: 'a', handlers: { write: () => 1 } });
    expect([t.call(1), t.call(0)]).toEqual([1, -38]);
    t.verify();
  });
});

describe('attach', () => {
  it('attaches a second view to a shared table', () => {
    const t = createTable({ abi: x86_64, maxWorkers: 2 });
    const v = attach(t.describe());
    v.verify();
    expect(v.call(1)).toBe(-38);
    v.reserve('net', ['socket']);
    expect(() => t.load({ name: 'x', handlers: { socket: () => 0 } })).toThrow('call socket (41) is reserved for module "net"');
    expect(v.stats().missing).toEqual(t.stats().missing);
    v.close();
    t.verify();
  });

  it('needs a descriptor', () => {
    const msg = 'attach() needs the { memory, module, abi } that table.describe() returns';
    const t = createTable({ abi: x86_64 });
    const bad = (d: unknown) => () => attach(d as TableDescriptor);
    expectSystabError(bad(null), 'EATTACH', msg);
    expectSystabError(bad({}), 'EATTACH', msg);
    expectSystabError(bad({ ...t.describe(), module: coreWasm() }), 'EATTACH', msg);
    expectSystabError(bad({ ...t.describe(), abi: {} as Abi }), 'EATTACH', `${msg} (abi.id must be a non-empty string)`);
  });

  it('memory that is not a systab table is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    expectSystabError(() => attach({ ...t.describe(), memory: sharedMemory(10) }), 'EATTACH', 'memory is not a systab table (magic 0x00000000)');
    expectSystabError(() => attach({ ...t.describe(), memory: copyWith(t, { [L.H_MAGIC]: 0x12345678 }) }), 'EATTACH', 'memory is not a systab table (magic 0x12345678)');
    t.verify();
  });

  it('a table of another ABI is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    expectSystabError(() => attach({ ...t.describe(), abi: riscv64 }), 'EATTACH', 'table was made for another ABI than linux-riscv64');
    // Same id, different shape: still another ABI.
    expectSystabError(() => attach({ ...t.describe(), abi: { ...x86_64, count: 400 } }), 'EATTACH', 'table was made for another ABI than linux-x86_64');
  });

  it('another layout version is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    const v = L.LAYOUT_VERSION + 1;
    expectSystabError(
      () => attach({ ...t.describe(), memory: copyWith(t, { [L.H_VERSION]: v }) }),
      'EATTACH',
      `table has layout version ${v}; this systab reads version ${L.LAYOUT_VERSION}`,
    );
  });

  it('a table still being initialised is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    expectSystabError(() => attach({ ...t.describe(), memory: copyWith(t, { [L.H_STATE]: 1 }) }), 'EATTACH', 'table is not initialised');
  });

  it('a memory smaller than the table it heads is EATTACH', () => {
    const t = createTable({ abi: x86_64 });
    const bytes = new Int32Array(t.describe().memory.buffer)[L.H_BYTES]!;
    expectSystabError(() => attach({ ...t.describe(), memory: copyWith(t, {}, 1) }), 'EATTACH', `table needs ${bytes} bytes; the memory holds 65536`);
  });

  it('an unshared table is EATTACH', () => {
    const t = createTable({ abi: x86_64, shared: false });
    // describe() refuses it (nothing to post); a descriptor made by hand is refused by attach().
    expectSystabError(() => t.describe(), 'EATTACH', 'describe() is for attach() in another thread, which needs a shared table; this one was made with shared: false');
    expectSystabError(() => attach({ memory: t.memory, module: createTable({ abi: x86_64 }).describe().module, abi: x86_64 }), 'EATTACH', 'attach() needs a shared table; this one was made with shared: false');
  });

  it('no free worker record is EFULL; close() gives one back', () => {
    const t = createTable({ abi: x86_64, maxWorkers: 1 });
    expectSystabError(() => attach(t.describe()), 'EFULL', 'all 1 worker records of this table are taken');
    t.verify();
    t.close();
    const v = attach(t.describe());
    v.verify();
    v.close();
  });

  it('bad callTimeout and threadId options are EBADSPEC, for createTable and attach alike', () => {
    const t = createTable({ abi: x86_64 });
    for (const [opt, max] of [['callTimeout', 2 ** 31], ['threadId', 2 ** 31 - 1]] as const) {
      for (const bad of [-1, 1.5, '1', max + 1]) {
        const msg = `${opt} must be an integer from 0 to ${max} (got ${typeof bad === 'string' ? JSON.stringify(bad) : bad})`;
        expectSystabError(() => createTable({ abi: x86_64, [opt]: bad } as never), 'EBADSPEC', msg);
        expectSystabError(() => attach(t.describe(), { [opt]: bad } as never), 'EBADSPEC', msg);
        t.verify();
      }
    }
  });
});

