// A WebAssembly guest written out as bytes (no toolchain at bench time): the
// benchmark's handlers as (i64 x6) -> i64 functions, a funcref table with them
// at their call numbers, and three loops over a call sequence in its memory:
//   loopDispatch: calls the imported env.dispatch (systab's core) per call
//   loopIndirect: a raw call_indirect through its own table (bounds-checked)
//   loopSwitch:   a br_table switch with a direct call per case
// Memory: call numbers as i32 at 0, arguments as i64 x6 per call at `argsAt`.

import { FUNCREF, HEADER, I32, I64, section, sleb, str, uleb, vec } from './bytes.mjs';

const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, br_table: 0x0e,
  call: 0x10, call_indirect: 0x11, local_get: 0x20, local_set: 0x21,
  i32_load: 0x28, i64_load: 0x29, i32_const: 0x41, i64_const: 0x42,
  i32_lt_u: 0x49, i32_ge_u: 0x4f, i32_add: 0x6a, i32_shl: 0x74,
  i64_add: 0x7c, i64_mul: 0x7e, i64_and: 0x83, i64_xor: 0x85, i64_shr_u: 0x88,
};

/**
 * Builds the guest. `numbers[i]` is handler i's call number, `consts[i]` its
 * { mul, shift, mask }; `enosys` what a missing number returns; `tableSize`
 * covers every implemented number; `calls` sizes the memory.
 */
export function buildGuest({ numbers, consts, enosys, tableSize, calls }) {
  const K = numbers.length;
  const argsAt = (calls * 4 + 7) & ~7;
  const pages = Math.ceil((argsAt + calls * 48) / 65536) + 1;
  // types: 0 dispatch (i32, i64 x6) -> i64; 1 handler (i64 x6) -> i64; 2 loop (i32 n, i32 argsAt) -> i64
  const types = vec([
    [0x60, ...vec([[I32], [I64], [I64], [I64], [I64], [I64], [I64]]), ...vec([[I64]])],
    [0x60, ...vec([[I64], [I64], [I64], [I64], [I64], [I64]]), ...vec([[I64]])],
    [0x60, ...vec([[I32], [I32]]), ...vec([[I64]])],
  ]);
  const imports = vec([[...str('env'), ...str('dispatch'), 0x00, ...uleb(0)]]);
  // function indices: 0 import; 1..K handlers; K+1 enosys; K+2.. loops
  const H = (i) => 1 + i;
  const ENOSYS_F = K + 1;
  const loops = ['loopDispatch', 'loopIndirect', 'loopSwitch'];
  const funcs = vec([...numbers.map(() => [1]), [1], ...loops.map(() => [2])]);
  const table = vec([[FUNCREF, 0x01, ...uleb(tableSize), ...uleb(tableSize)]]);
  const memory = vec([[0x00, ...uleb(pages)]]);
  const exports = vec([
    [...str('memory'), 0x02, 0],
    ...numbers.map((_, i) => [...str(`h${i}`), 0x00, ...uleb(H(i))]),
    ...loops.map((name, j) => [...str(name), 0x00, ...uleb(K + 2 + j)]),
  ]);
  const slotFn = new Array(tableSize).fill(ENOSYS_F);
  numbers.forEach((nr, i) => (slotFn[nr] = H(i)));
  const elem = vec([[0x00, op.i32_const, 0, op.end, ...vec(slotFn.map((f) => uleb(f)))]]);

  const body = (locals, code) => {
    const b = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, op.end];
    return [...uleb(b.length), ...b];
  };
  const lg = (i) => [op.local_get, ...uleb(i)];
  const handler = ({ mul, shift, mask }) =>
    body([], [
      ...lg(0), op.i64_const, ...sleb(mul), op.i64_mul, ...lg(1), op.i64_add,
      ...lg(2), op.i64_const, ...sleb(shift), op.i64_shr_u, op.i64_xor,
      ...lg(3), ...lg(4), op.i64_xor, ...lg(5), op.i64_xor, op.i64_add,
      op.i64_const, ...sleb(mask), op.i64_and,
    ]);
  const enosysBody = body([], [op.i64_const, ...sleb(enosys)]);

  // Loop locals: 0 n, 1 argsAt (then the pointer p), 2 i, 3 nr, 4 acc (i64), 5 r (i64)
  const N = 0, P = 1, I = 2, NR = 3, ACC = 4, R = 5;
  const args = [0, 8, 16, 24, 32, 40].flatMap((off) => [...lg(P), op.i64_load, 3, ...uleb(off)]);
  const loopOf = (callCode) =>
    body([[2, I32], [2, I64]], [
      op.block, 0x40,
      op.loop, 0x40,
      ...lg(I), ...lg(N), op.i32_ge_u, op.br_if, 1,
      ...lg(I), op.i32_const, 2, op.i32_shl, op.i32_load, 2, 0, op.local_set, NR,
      ...callCode,
      ...lg(ACC), op.i64_add, op.local_set, ACC,
      ...lg(I), op.i32_const, 1, op.i32_add, op.local_set, I,
      ...lg(P), op.i32_const, ...sleb(48), op.i32_add, op.local_set, P,
      op.br, 0,
      op.end,
      op.end,
      ...lg(ACC),
    ]);
  const viaDispatch = [...lg(NR), ...args, op.call, 0];
  const viaIndirect = [
    ...lg(NR), op.i32_const, ...sleb(tableSize), op.i32_lt_u,
    op.if, I64, ...args, ...lg(NR), op.call_indirect, 1, 0x00,
    op.else, op.i64_const, ...sleb(enosys), op.end,
  ];
  // br_table: block $done { block $default { block $c(K-1) ... block $c0 { br_table } h0; br $done } ... } enosys } r
  const targets = new Array(tableSize).fill(K);
  numbers.forEach((nr, i) => (targets[nr] = i));
  const viaSwitch = [
    op.block, 0x40, // $done
    op.block, 0x40, // $default
    ...numbers.flatMap(() => [op.block, 0x40]),
    ...lg(NR), op.br_table, ...vec(targets.map((x) => uleb(x))), ...uleb(K),
    ...numbers.flatMap((_, j) => [op.end, ...args, op.call, ...uleb(H(j)), op.local_set, R, op.br, ...uleb(K - j)]),
    op.end, // $default
    op.i64_const, ...sleb(enosys), op.local_set, R,
    op.end, // $done
    ...lg(R),
  ];
  const code = vec([...consts.map(handler), enosysBody, loopOf(viaDispatch), loopOf(viaIndirect), loopOf(viaSwitch)]);

  const bytes = new Uint8Array([
    ...HEADER,
    ...section(1, types), ...section(2, imports), ...section(3, funcs), ...section(4, table),
    ...section(5, memory), ...section(7, exports), ...section(9, elem), ...section(10, code),
  ]);
  return { bytes, argsAt };
}

/** Instantiates the guest with `dispatch` as its import and writes the sequence into its memory. */
export function instantiateGuest(module, dispatch, seq, argsAt) {
  const inst = new WebAssembly.Instance(module, { env: { dispatch } });
  const mem = inst.exports.memory.buffer;
  new Int32Array(mem, 0, seq.length).set(seq.nrs);
  const a = new BigInt64Array(mem, argsAt, seq.length * 6);
  for (let i = 0; i < seq.length * 6; i++) a[i] = BigInt(seq.args[i]);
  return inst.exports;
}
