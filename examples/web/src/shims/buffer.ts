// The `Buffer` the rv64 emulator uses (injected in place of the global by
// esbuild, in the browser bundle): strings to UTF-8 bytes, and bytes of guest
// memory back to a string.
const enc = new TextEncoder();
const dec = new TextDecoder();

class BrowserBuffer extends Uint8Array {
  static override from(value: string | ArrayBufferLike, offset?: number, length?: number): BrowserBuffer {
    if (typeof value === 'string') {
      const bytes = enc.encode(value);
      return new BrowserBuffer(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    return new BrowserBuffer(value, offset ?? 0, length ?? value.byteLength - (offset ?? 0));
  }

  override toString(_encoding?: 'utf8'): string {
    return dec.decode(this);
  }
}

export { BrowserBuffer as Buffer };
