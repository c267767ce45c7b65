// Errors that teach: ENONAME names the nearest calls of the ABI and the ABIs
// that have a name this one lacks; loadAbi() of an unknown id names the valid
// ids. Every bad input leaves the table as it was.
import { describe, expect, it } from 'vitest';
import { createTable, type Abi } from 'systab';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { abiIds, loadAbi } from 'systab/abi/list';
import { expectSystabError, expectSystabRejection } from './helpers/systab.js';

// Untyped views, so that the deliberate typos below compile.
const untyped = (abi: Abi) => createTable({ abi: abi as Abi });

describe('ENONAME teaches', () => {
  it('suggests openat for open on riscv64 and says which ABIs have open', () => {
    const t = untyped(riscv64);
    t.load({ name: 'fs', handlers: { read: () => 1 } });
    expectSystabError(
      () => t.load({ name: 'x', handlers: { open: () => 3 } }),
      'ENONAME',
      'unknown call "open" for linux-riscv64; did you mean openat or openat2? ("open" is a call of linux-alpha, linux-arm, linux-armoabi and 17 other ABIs)',
    );
    t.verify();
    expect(t.call(63)).toBe(1);
    expect(t.call(56)).toBe(-38);
  });

  it('suggests the nearest names for a typo, a transposition counting one edit', () => {
    const t = untyped(x86_64);
    expectSystabError(() => t.load({ name: 'x', handlers: { wirte: () => 1 } }), 'ENONAME', 'unknown call "wirte" for linux-x86_64; did you mean write or writev?');
    expectSystabError(() => t.reserve('net', ['sockt']), 'ENONAME', 'unknown call "sockt" for linux-x86_64; did you mean socket?');
    expectSystabError(() => t.hooks(['Getpid'], { count: true }), 'ENONAME', 'unknown call "Getpid" for linux-x86_64; did you mean getpid, getgid or getpgid?');
    expectSystabError(() => t.setMissing(['ioctll'], 'throw'), 'ENONAME', 'unknown call "ioctll" for linux-x86_64; did you mean ioctl?');
    t.verify();
    expect(t.call(1)).toBe(-38);
  });

  it('says when only another ABI has the name, and suggests nothing far', () => {
    const t = untyped(x86_64);
    expectSystabError(() => t.load({ name: 'x', handlers: { fd_write: () => 1 } }), 'ENONAME', 'unknown call "fd_write" for linux-x86_64 ("fd_write" is a call of wasi-preview1)');
    expectSystabError(() => t.load({ name: 'x', handlers: { osf_getlogin: () => 1 } }), 'ENONAME', 'unknown call "osf_getlogin" for linux-x86_64 ("osf_getlogin" is a call of linux-alpha)');
    expectSystabError(() => t.load({ name: 'x', handlers: { riscv_flush_icache: () => 1 } }), 'ENONAME', 'unknown call "riscv_flush_icache" for linux-x86_64 ("riscv_flush_icache" is a call of linux-riscv32 or linux-riscv64)');
    expectSystabError(() => t.load({ name: 'x', handlers: { nope: () => 1 } }), 'ENONAME', 'unknown call "nope" for linux-x86_64');
    t.verify();
  });

  it('names the Linux call a WASI module asked for', () => {
    const t = untyped(wasi);
    expectSystabError(
      () => t.load({ name: 'x', handlers: { write: () => 1 } }),
      'ENONAME',
      'unknown call "write" for wasi-preview1 ("write" is a call of linux-alpha, linux-arc, linux-arm and 27 other ABIs)',
    );
    expectSystabError(() => t.load({ name: 'x', handlers: { fd_writ: () => 1 } }), 'ENONAME', 'unknown call "fd_writ" for wasi-preview1; did you mean fd_write or fd_pwrite?');
    t.verify();
  });

  it('a hand-made ABI without the index gets the suggestions only', () => {
    const { callIndex: _, ...plain } = riscv64;
    const t = untyped(plain);
    expectSystabError(() => t.load({ name: 'x', handlers: { open: () => 3 } }), 'ENONAME', 'unknown call "open" for linux-riscv64; did you mean openat or openat2?');
    t.verify();
  });

  it('a non-string callIndex is EBADSPEC', () => {
    expectSystabError(
      () => createTable({ abi: { ...riscv64, callIndex: 5 } as unknown as Abi }),
      'EBADSPEC',
      `createTable() needs { abi }, an ABI object such as the one from 'systab/abi/linux-x86_64' (abi.callIndex must be a string)`,
    );
  });
});

describe('loadAbi', () => {
  const ids = abiIds.join(', ');

  it('lists every ABI id', () => {
    expect(abiIds).toHaveLength(31);
    expect(abiIds).toContain('linux-riscv64');
    expect(abiIds).toContain('wasi-preview1');
  });

  it('loads each ABI by id: the very object its entry point exports', async () => {
    expect(await loadAbi('linux-riscv64')).toBe(riscv64);
    expect(await loadAbi('wasi-preview1')).toBe(wasi);
    for (const id of abiIds) expect((await loadAbi(id)).id).toBe(id);
    const t = createTable({ abi: await loadAbi('linux-x86_64') });
    t.load({ name: 'io', handlers: { write: (_fd, _buf, len) => len } });
    expect(t.call(1, 1, 0, 5)).toBe(5);
  });

  it('an unknown id is EBADSPEC naming the nearest id and every valid one', async () => {
    const id = (s: string): string => s; // a literal id that is not one does not compile
    await expectSystabRejection(loadAbi(id('linux-x86-64')), 'EBADSPEC', `unknown ABI id "linux-x86-64" (did you mean linux-x86_64?); the ABI ids are ${ids}`);
    await expectSystabRejection(loadAbi(id('riscv64')), 'EBADSPEC', `unknown ABI id "riscv64"; the ABI ids are ${ids}`);
    await expectSystabRejection(loadAbi(id('constructor')), 'EBADSPEC', `unknown ABI id "constructor"; the ABI ids are ${ids}`);
    await expectSystabRejection(loadAbi(42 as unknown as string), 'EBADSPEC', `unknown ABI id of type number; the ABI ids are ${ids}`);
  });
});
