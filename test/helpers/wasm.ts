// Tiny WebAssembly modules written byte by byte, so the tests need no toolchain.
//
// caller: imports env.dispatch (i32, i64 x6) -> i64 and exports
//   run (i32, i64 x6) -> i64, which forwards its arguments to dispatch.
// handlers: exports (i64 x6) -> i64 functions usable as `{ wasm: fn }`:
//   add = a0 + a1, mul = a0 * a1, first = a0, trap = unreachable.

import { HEADER, I32, I64, section, str, uleb, vec } from '../../bench/wasm/bytes.mjs';

function funcType(params: number[], results: number[]): number[] {
  return [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];
}
function body(code: number[]): number[] {
  const b = [0x00, ...code, 0x0b]; // no locals; code; end
  return [...uleb(b.length), ...b];
}
const LOCAL_GET = 0x20;
const CALL = 0x10;

/** Bytes of the caller module. */
export function callerBytes(): Uint8Array<ArrayBuffer> {
  const sig = funcType([I32, I64, I64, I64, I64, I64, I64], [I64]);
  const getAll = [0, 1, 2, 3, 4, 5, 6].flatMap((i) => [LOCAL_GET, i]);
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([sig])),
    ...section(2, vec([[...str('env'), ...str('dispatch'), 0x00, 0x00]])),
    ...section(3, vec([[0x00]])),
    ...section(7, vec([[...str('run'), 0x00, 0x01]])),
    ...section(10, vec([body([...getAll, CALL, 0x00])])),
  ]);
}

/** Bytes of the handler module. */
export function handlerBytes(): Uint8Array<ArrayBuffer> {
  const sig = funcType([I64, I64, I64, I64, I64, I64], [I64]);
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([sig])),
    ...section(3, vec([[0x00], [0x00], [0x00], [0x00]])),
    ...section(7, vec([[...str('add'), 0x00, 0x00], [...str('mul'), 0x00, 0x01], [...str('first'), 0x00, 0x02], [...str('trap'), 0x00, 0x03]])),
    ...section(10, vec([
      body([LOCAL_GET, 0, LOCAL_GET, 1, 0x7c]), // i64.add
      body([LOCAL_GET, 0, LOCAL_GET, 1, 0x7e]), // i64.mul
      body([LOCAL_GET, 0]),
      body([0x00]), // unreachable
    ])),
  ]);
}

export type Run = (nr: number, a0?: bigint, a1?: bigint, a2?: bigint, a3?: bigint, a4?: bigint, a5?: bigint) => bigint;
export type Wasm64 = (a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint) => bigint;

let callerModule: WebAssembly.Module | undefined;
let handlerModule: WebAssembly.Module | undefined;

/** A WebAssembly guest whose `run` calls `dispatch` (a table's t.dispatch); missing arguments are 0n. */
export function wasmCaller(dispatch: (nr: number, ...args: bigint[]) => bigint): Run {
  callerModule ??= new WebAssembly.Module(callerBytes());
  const inst = new WebAssembly.Instance(callerModule, { env: { dispatch } });
  const run = inst.exports.run as (nr: number, ...a: bigint[]) => bigint;
  return (nr, a0 = 0n, a1 = 0n, a2 = 0n, a3 = 0n, a4 = 0n, a5 = 0n) => run(nr, a0, a1, a2, a3, a4, a5);
}

/** Fresh exported WebAssembly handlers. */
export function wasmHandlers(): { add: Wasm64; mul: Wasm64; first: Wasm64; trap: Wasm64 } {
  handlerModule ??= new WebAssembly.Module(handlerBytes());
  const inst = new WebAssembly.Instance(handlerModule, {});
  return inst.exports as unknown as { add: Wasm64; mul: Wasm64; first: Wasm64; trap: Wasm64 };
}
