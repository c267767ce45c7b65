// The `Buffer` the rv64 emulator uses (injected in place of the global by
// esbuild, in the browser bundle): Buffer.from(string) as UTF-8 bytes,
// Buffer.from(memory, offset, length).toString() as the string they hold, and
// what fork and execve use (alloc, concat, equals).
const enc = new TextEncoder();
const dec = new TextDecoder();

class Bytes extends Uint8Array {
  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

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
  alloc(n: number): Uint8Array {
    return new Bytes(n);
  },
  concat(parts: readonly Uint8Array[]): Uint8Array {
    const out = new Bytes(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (out.set(p, at), (at += p.length));
    return out;
  },
  /** A string's UTF-8 length (a symbolic link's size). */
  byteLength(value: string): number {
    return enc.encode(value).length;
  },
};
