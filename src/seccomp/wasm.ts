// Compiles dist/seccomp.wasm for a memory that is shared or not. The module
// is built importing a shared memory; for an unshared one the import's limits
// flag is rewritten (0x03 -> 0x01, same length): its atomic store is valid
// on either.
import seccompBytes from '../../build/seccomp.wasm';

export interface SeccompExports {
  layoutVersion(): number;
  check(prog: number, len: number, masks: number): number;
  length(prog: number, len: number): number;
  run(prog: number, len: number, data: number, mem: number): number;
  evaluateUncached(set: number, data: number, mem: number): number;
  evaluate(set: number, sec: number, data: number, mem: number): number;
  proveOne(prog: number, len: number, nr: number, arch: number, scratch: number): void;
  provedConstant(): number;
  provedValue(): number;
  provedLowest(): number;
  prepare(set: number, sec: number, scratch: number, proofs: number): void;
  publish(set: number): void;
}

const modules: { shared?: WebAssembly.Module; unshared?: WebAssembly.Module } = {};

function leb(b: Uint8Array<ArrayBuffer>, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++]!;
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if ((x & 0x80) === 0) return [v, at];
  }
}

/** The bytes with the memory import's limits flag set to `flag`. */
function withMemoryFlag(src: Uint8Array<ArrayBuffer>, flag: number): Uint8Array<ArrayBuffer> {
  const b = src.slice();
  let at = 8;
  while (at < b.length) {
    const id = b[at]!;
    const [size, body] = leb(b, at + 1);
    if (id === 2) {
      let [count, p] = leb(b, body);
      for (; count > 0; count--) {
        let n: number;
        [n, p] = leb(b, p);
        p += n;
        [n, p] = leb(b, p);
        p += n;
        const kind = b[p++]!;
        if (kind === 2) {
          b[p] = flag;
          return b;
        }
        throw new Error('seccomp.wasm: an import other than its memory'); // the module imports only memory
      }
    }
    at = body + size;
  }
  throw new Error('seccomp.wasm: no memory import');
}

export function seccompModule(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'unshared';
  return (modules[key] ??= new WebAssembly.Module(shared ? seccompBytes : withMemoryFlag(seccompBytes, 0x01)));
}

export function instantiate(memory: WebAssembly.Memory): SeccompExports {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  return new WebAssembly.Instance(seccompModule(shared), { env: { memory } }).exports as unknown as SeccompExports;
}
