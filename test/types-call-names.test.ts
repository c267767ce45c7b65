// Types that know call names (checked by `tsc -p tsconfig.json`, which
// covers test/): a table made from a generated ABI takes only that ABI's
// call names, or numbers, and a typo does not compile. The bodies below are
// type-checked and never run.
import { describe, expect, it } from 'vitest';
import { abiName, abiNumber, attach, createTable, type Abi, type AbiId, type CallNameOf, type Table, type TypedTable } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as riscv64, type CallName as RiscvCall } from 'systab/abi/linux-riscv64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { abiIds, loadAbi } from 'systab/abi/list';

async function typeChecks(): Promise<void> {
  const t = createTable({ abi: x86_64 });
  const f = (): number => 0;

  // handlers and wraps: names of the ABI, or numbers
  t.load({ name: 'a', handlers: { write: (fd, buf, len) => len, 1: f, '2': f, lseek: { bigint: true, fn: (fd, off) => off } } });
  // @ts-expect-error wirte is not a call of linux-x86_64
  t.load({ name: 'a', handlers: { wirte: f } });
  // @ts-expect-error nor in wraps
  t.load({ name: 'a', wraps: { wirte: (below) => below } });
  t.load({ name: 'a', wraps: { write: (below) => below } });
  // @ts-expect-error provide() takes the same spec
  t.provide({ name: 'a', handlers: { wirte: f } });
  t.provide({ name: 'a', handlers: { write: f } });

  // reserve, release, hooks, setMissing
  t.reserve('streams', ['getpmsg', 'putpmsg', 183]);
  // @ts-expect-error getpmesg is not a call
  t.reserve('streams', ['getpmesg']);
  // @ts-expect-error
  t.release('streams', ['putpmesg']);
  t.release('streams', ['putpmsg']);
  t.hooks(['write', 0], { count: true });
  // @ts-expect-error
  t.hooks(['wirte'], { count: true });
  t.hooks('*', { count: true });
  t.setMissing(['ioctl'], 'log-once');
  // @ts-expect-error
  t.setMissing(['ioctll'], 'throw');

  // abiNumber: a known name is a number, a typo does not compile, a string variable may be anything
  const n: number = abiNumber(x86_64, 'write');
  // @ts-expect-error
  abiNumber(x86_64, 'wirte');
  const dynamic: string = 'wri' + 'te';
  const maybe = abiNumber(x86_64, dynamic);
  // @ts-expect-error a string variable may name nothing
  const sure: number = maybe;
  const name: 'read' | 'write' | 'open' | undefined = abiName(x86_64, 1) === 'write' ? 'write' : undefined;

  // another ABI, another set: open is not a riscv64 call, openat is
  const r = createTable({ abi: riscv64 });
  // @ts-expect-error
  r.load({ name: 'fs', handlers: { open: f } });
  r.load({ name: 'fs', handlers: { openat: f } });
  // @ts-expect-error
  createTable({ abi: wasi }).load({ name: 'w', handlers: { write: f } });
  createTable({ abi: wasi }).load({ name: 'w', handlers: { fd_write: f } });
  const call: RiscvCall = 'openat';
  // @ts-expect-error
  const notCall: RiscvCall = 'open';

  // a union of ABIs (picked at run time) takes the names of either
  const either = createTable({ abi: Math.random() > 0.5 ? x86_64 : riscv64 });
  either.load({ name: 'e', handlers: { open: f, openat: f } });
  // @ts-expect-error
  either.load({ name: 'e', handlers: { wirte: f } });

  // a hand-made ABI is untyped, as before
  const mine: Abi = { id: 'mine', convention: 'negative', base: 0, count: 1, extra: [], names: { go: 0 }, errno: { ENOSYS: 38 }, enosys: -38 };
  createTable({ abi: mine }).load({ name: 'm', handlers: { anything: f } });

  // a typed table is a Table; attach keeps the names
  const plain: Table = t;
  const again = attach(t.describe());
  // @ts-expect-error
  again.load({ name: 'b', handlers: { wirte: f } });
  const typed: TypedTable<CallNameOf<typeof x86_64>> = again;

  // loadAbi: a literal id types the ABI; a literal typo does not compile
  const loaded = await loadAbi('linux-riscv64');
  // @ts-expect-error
  createTable({ abi: loaded }).load({ name: 'fs', handlers: { open: f } });
  // @ts-expect-error not an ABI id
  void loadAbi('linux-x86-64');
  const some: string = abiIds[0];
  const any: Abi = await loadAbi(some);
  const id: AbiId = 'wasi-preview1';
  // @ts-expect-error
  const badId: AbiId = 'wasi';

  // call(): a number, unless the table is async (then possibly a promise)
  const num: number = t.call(1);
  const at = createTable({ abi: x86_64, async: true });
  // @ts-expect-error an async table's call() may answer a promise
  const notNum: number = at.call(1);
  const either2: number | Promise<number> = at.call(1);
  at.load({ name: 'a', handlers: { write: async () => 1 } });
  // @ts-expect-error names still checked
  at.load({ name: 'a', handlers: { wirte: f } });
  // @ts-expect-error an async table is not a Table whose call() answers numbers
  const notPlain: Table = at;
  // a Table is one whose call() may answer a promise (it never does)
  const anyTable: Table<string, number | Promise<number>> = t;
  const flag: boolean = Math.random() > 0.5;
  // @ts-expect-error async known only at run time: call() may answer a promise
  const unsure: number = createTable({ abi: x86_64, async: flag }).call(1);
  const asyncAttached = attach(t.describe(), { async: true });
  // @ts-expect-error
  const notNum2: number = asyncAttached.call(1);
  const numAttached: number = attach(t.describe(), { async: false }).call(1);
  void [num, notNum, either2, notPlain, anyTable, unsure, notNum2, numAttached];
  void [n, sure, name, call, notCall, plain, typed, any, id, badId];
}

describe('types that know call names', () => {
  it('the type checks above compile (tsc) and are never run', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
