// The `Buffer` the rv64 emulator uses (injected in place of the global by
// esbuild, in the browser bundle): Buffer.from(string) as UTF-8 bytes, and
// Buffer.from(memory, offset, length).toString() as the string they hold.
const enc = new TextEncoder();
const dec = new TextDecoder();

class Bytes extends Uint8Array {
  override toString(): string {
    // A browser's TextDecoder takes no view of shared memory (the guest's is a SharedArrayBuffer): a copy.
    return dec.decode(this.buffer instanceof ArrayBuffer ? this : this.slice());
  }
}

export const Buffer = {
  from(value: string | ArrayBuffer, offset = 0, length?: number): Uint8Array {
    if (typeof value === 'string') {
      const b = enc.encode(value);
      return new Bytes(b.buffer, b.byteOffset, b.length);
    }
    return new Bytes(value, offset, length ?? value.byteLength - offset);
  },
  /** A string's UTF-8 length (a symbolic link's size). */
  byteLength(value: string): number {
    return enc.encode(value).length;
  },
};
