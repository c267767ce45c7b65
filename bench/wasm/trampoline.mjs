// The floor under systab's WebAssembly dispatch: a module of its own between
// the guest and its handlers whose `dispatch` does nothing but the
// call_indirect (the guest's handlers sit in a table it imports, a function
// answering ENOSYS in every other entry). What systab's dispatch costs above
// this is its own work: doorbell, slot word, resolution byte, depth count.
import { FUNCREF, HEADER, I32, I64, section, sleb, str, uleb, vec } from './bytes.mjs';

const HANDLER = [0x60, ...vec([[I64], [I64], [I64], [I64], [I64], [I64]]), ...vec([[I64]])];
const DISPATCH = [0x60, ...vec([[I32], [I64], [I64], [I64], [I64], [I64], [I64]]), ...vec([[I64]])];

const fnBody = (code) => {
  const b = [0, ...code, 0x0b]; // no locals
  return [...uleb(b.length), ...b];
};

/** (module (func (export "enosys") (param i64 x6) (result i64) (i64.const enosys))) */
function enosysModule(enosys) {
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([HANDLER])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('enosys'), 0x00, 0]])),
    ...section(10, vec([fnBody([0x42, ...sleb(enosys)])])),
  ]);
}

/** dispatch(nr, a0..a5) = nr < size ? call_indirect(nr, a0..a5) : enosys, over the imported env.table. */
function trampolineModule(size, enosys) {
  const lg = (i) => [0x20, ...uleb(i)];
  const code = [
    ...lg(0), 0x41, ...sleb(size), 0x49, // nr <u size
    0x04, I64, // if (result i64)
    ...lg(1), ...lg(2), ...lg(3), ...lg(4), ...lg(5), ...lg(6), ...lg(0), 0x11, 1, 0x00, // call_indirect (type 1) table 0
    0x05, 0x42, ...sleb(enosys), // else i64.const enosys
    0x0b,
  ];
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([DISPATCH, HANDLER])),
    ...section(2, vec([[...str('env'), ...str('table'), 0x01, FUNCREF, 0x00, ...uleb(size)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('dispatch'), 0x00, 0]])),
    ...section(10, vec([fnBody(code)])),
  ]);
}

/**
 * A trampoline's `dispatch` over `handlers[i]` (exported WebAssembly
 * functions) at `numbers[i]`, in a table of `size` entries.
 */
export function makeTrampoline({ numbers, handlers, enosys, size }) {
  const answer = new WebAssembly.Instance(new WebAssembly.Module(enosysModule(enosys))).exports.enosys;
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: size, maximum: size });
  for (let k = 0; k < size; k++) table.set(k, answer);
  numbers.forEach((nr, i) => table.set(nr, handlers[i]));
  return new WebAssembly.Instance(new WebAssembly.Module(trampolineModule(size, enosys)), { env: { table } }).exports.dispatch;
}
