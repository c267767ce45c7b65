// Compiles dist/seccomp.wasm for a memory that is shared or not. The module
// is built importing a shared memory; for an unshared one its import is
// rewritten to an unshared memory with no maximum (its one atomic store is
// valid on either).
import seccompBytes from '../../build/seccomp.wasm';

export interface SeccompExports {
  layoutVersion(): number;
  check(prog: number, len: number, masks: number): number;
  length(prog: number, len: number): number;
  run(prog: number, len: number, data: number, mem: number): number;
  evaluateUncached(set: number, data: number, mem: number): number;
  evaluate(set: number, sec: number, data: number, mem: number): number;
  proveOne(prog: number, len: number, nr: number, arch: number, scratch: number, memo: number, cap: number): void;
  provedConstant(): number;
  provedValue(): number;
  provedLowest(): number;
  prepare(set: number, sec: number, scratch: number, proofs: number, memo: number, cap: number): void;
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

function lebBytes(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** The bytes with the memory import unshared and without a maximum (so any unshared memory fits). */
function unsharedMemory(src: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let at = 8;
  while (at < src.length) {
    const id = src[at]!;
    const [size, body] = leb(src, at + 1);
    if (id === 2) {
      let [count, p] = leb(src, body);
      for (; count > 0; count--) {
        let n: number;
        [n, p] = leb(src, p);
        p += n;
        [n, p] = leb(src, p);
        p += n;
        // The module imports only its memory (asc --importMemory, abort=).
        if (src[p++] !== 2) throw new Error('seccomp.wasm: an import other than its memory');
        const [min, afterMin] = leb(src, p + 1);
        const end = src[p]! & 1 ? leb(src, afterMin)[1] : afterMin;
        const content = [...src.subarray(body, p), 0x00, ...lebBytes(min), ...src.subarray(end, body + size)];
        return new Uint8Array([...src.subarray(0, at), 2, ...lebBytes(content.length), ...content, ...src.subarray(body + size)]);
      }
    }
    at = body + size;
  }
  throw new Error('seccomp.wasm: no memory import');
}

export function seccompModule(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'unshared';
  return (modules[key] ??= new WebAssembly.Module(shared ? seccompBytes : unsharedMemory(seccompBytes)));
}

export function instantiate(memory: WebAssembly.Memory): SeccompExports {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  return new WebAssembly.Instance(seccompModule(shared), { env: { memory } }).exports as unknown as SeccompExports;
}
