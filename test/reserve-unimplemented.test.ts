// Numbers Linux reserves and never implements have their names: a STREAMS
// module reserves getpmsg and putpmsg by name on x86_64 (181, 182) and i386
// (188, 189), its stubs answer ENOSYS, and it fills them when it loads.
import { describe, expect, it } from 'vitest';
import { createTable, abiName, abiNumber, type Abi } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as i386 } from 'systab/abi/linux-i386';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import { abi as csky } from 'systab/abi/linux-csky';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { expectSystabError } from './helpers/systab.js';

describe.each([
  [x86_64, 181, 182],
  [i386, 188, 189],
] as const)('STREAMS reserved by name on $id', (abi: Abi, GETPMSG: number, PUTPMSG: number) => {
  it('names the STREAMS numbers and marks them unimplemented', () => {
    expect([abiNumber(abi, 'getpmsg'), abiNumber(abi, 'putpmsg')]).toEqual([GETPMSG, PUTPMSG]);
    expect([abiName(abi, GETPMSG), abiName(abi, PUTPMSG)]).toEqual(['getpmsg', 'putpmsg']);
    expect(abi.unimplemented).toContain(GETPMSG);
    expect(abi.unimplemented).toContain(PUTPMSG);
  });

  it('reserve(streams) holds them: ENOSYS until "streams" loads, then its handlers, and back to stubs after its unload', async () => {
    const t = createTable({ abi });
    t.reserve('streams', ['getpmsg', 'putpmsg']);
    t.verify();
    expect([t.call(GETPMSG), t.call(PUTPMSG, 1, 2, 3)]).toEqual([-38, -38]);
    expectSystabError(() => t.load({ name: 'other', handlers: { putpmsg: () => 1 } }), 'ERESERVED', `call putpmsg (${PUTPMSG}) is reserved for module "streams"`);
    t.verify();
    const streams = t.load({ name: 'streams', handlers: { getpmsg: (fd) => fd + 100, putpmsg: () => 0 } });
    expect([t.call(GETPMSG, 5), t.call(PUTPMSG)]).toEqual([105, 0]);
    t.verify();
    await streams.unload();
    expect([t.call(GETPMSG), t.call(PUTPMSG)]).toEqual([-38, -38]);
    expectSystabError(() => t.load({ name: 'other', handlers: { getpmsg: () => 1 } }), 'ERESERVED', `call getpmsg (${GETPMSG}) is reserved for module "streams"`);
    t.verify();
  });

  it('an unimplemented number nobody reserved answers ENOSYS and reports its name as missing', () => {
    const t = createTable({ abi });
    t.hooks('*', { count: true });
    expect(t.call(GETPMSG)).toBe(-38);
    expect(t.stats().missing).toEqual([{ nr: GETPMSG, name: 'getpmsg', count: 1 }]);
    t.verify();
  });
});

describe('every reserved call named', () => {
  it.each([
    [x86_64, ['uselib', '_sysctl', 'create_module', 'get_kernel_syms', 'query_module', 'nfsservctl', 'afs_syscall', 'tuxcall', 'security', 'vserver']],
    [i386, ['break', 'stty', 'gtty', 'ftime', 'prof', 'lock', 'mpx', 'ulimit', 'profil', 'idle', 'uselib', '_sysctl', 'create_module', 'get_kernel_syms', 'query_module', 'nfsservctl', 'afs_syscall', 'vserver']],
    [riscv64, ['nfsservctl']],
  ] as const)('$id names and marks %s', (abi: Abi, names: readonly string[]) => {
    for (const name of names) {
      const nr = abiNumber(abi, name);
      expect(nr, name).toBeTypeOf('number');
      expect(abi.unimplemented, name).toContain(nr);
    }
  });

  it('every unimplemented number is a name of its ABI, and none is a call the kernel implements', () => {
    expect(x86_64.unimplemented).toEqual([134, 156, 174, 177, 178, 180, 181, 182, 183, 184, 185, 236]);
    expect(abiNumber(x86_64, 'read')).toBe(0);
    expect(x86_64.unimplemented).not.toContain(0);
    for (const nr of i386.unimplemented!) expect(abiName(i386, nr), String(nr)).toBeTypeOf('string');
  });

  it('keeps the name the kernel table gives a number first when the headers add an alias', async () => {
    const { abi: arm } = await import('systab/abi/linux-arm');
    expect([abiNumber(arm, 'sync_file_range2'), abiNumber(arm, 'arm_sync_file_range')]).toEqual([341, 341]);
    expect(abiName(arm, 341)).toBe('sync_file_range2');
    expect(arm.unimplemented).not.toContain(341);
  });

  it('WASI has no unimplemented function; an ABI Debian packages no headers for does not say', () => {
    expect(wasi.unimplemented).toEqual([]);
    expect(csky.unimplemented).toBeUndefined();
  });
});

describe('abi.unimplemented as input', () => {
  it('is copied, frozen, into the table, and an ABI without it still makes a table', () => {
    const t = createTable({ abi: x86_64 });
    expect(t.abi.unimplemented).toEqual(x86_64.unimplemented);
    expect(Object.isFrozen(t.abi.unimplemented)).toBe(true);
    const { unimplemented: _, ...plain } = x86_64;
    const u = createTable({ abi: plain });
    expect(u.abi.unimplemented).toBeUndefined();
    u.reserve('streams', ['getpmsg']);
    u.verify();
  });

  it.each([
    ['not an array', 181],
    ['a number no name has', [181, 999]],
    ['a string', ['getpmsg']],
  ])('EBADSPEC when it is %s', (_what, unimplemented) => {
    const abi = { ...x86_64, unimplemented } as unknown as Abi;
    expectSystabError(
      () => createTable({ abi }),
      'EBADSPEC',
      `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64' (abi.unimplemented must be an array of call numbers that abi.names holds)`,
    );
    expectSystabError(() => abiNumber(abi, 'read'), 'EBADSPEC', `abiNumber() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (got object)`);
  });

  it('EATTACH when attach() is handed a bad one; the table is untouched', async () => {
    const t = createTable({ abi: x86_64, shared: true });
    const { attach } = await import('systab');
    expectSystabError(
      () => attach({ ...t.describe(), abi: { ...x86_64, unimplemented: [1.5] } as unknown as Abi }),
      'EATTACH',
      'attach() needs the { memory, module, abi } that table.describe() returns (abi.unimplemented must be an array of call numbers that abi.names holds)',
    );
    t.verify();
    t.reserve('streams', ['getpmsg']);
    expect(t.call(181)).toBe(-38);
  });

  it('does not change the fingerprint: a worker may attach with an ABI object that lacks it', async () => {
    const t = createTable({ abi: x86_64, shared: true });
    const { unimplemented: _, ...plain } = x86_64;
    const { attach } = await import('systab');
    const d = t.describe();
    const again = attach({ ...d, abi: plain });
    again.reserve('streams', ['putpmsg']);
    expect(t.call(182)).toBe(-38);
    t.verify();
    again.close();
  });
});
