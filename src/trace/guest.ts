// Reads guest memory through the embedder's reader, in the ABI's byte order
// and word size. Every read may fail (null): decoders then print the
// address, as strace does when it cannot fetch tracee memory.

/** Bytes at a guest address, or null when they cannot be read (the embedder's function). */
export type GuestReader = (addr: number, len: number) => Uint8Array | null;

const PAGE = 4096;

export class Guest {
  constructor(
    private readonly reader: GuestReader | undefined,
    readonly little: boolean,
    readonly word: 4 | 8,
  ) {}

  get canRead(): boolean {
    return this.reader !== undefined;
  }

  /** len bytes at addr, or null. Addresses past 2^53 cannot be read. */
  bytes(addr: bigint, len: number): Uint8Array | null {
    if (this.reader === undefined || addr > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    if (len === 0) return new Uint8Array(0);
    try {
      const b = this.reader(Number(addr), len);
      return b instanceof Uint8Array && b.length >= len ? b : null;
    } catch {
      return null;
    }
  }

  /** Up to limit bytes from addr, stopping after the first NUL; read page by page so a string that ends before unreadable memory still prints. */
  cstring(addr: bigint, limit: number): Uint8Array | null {
    const parts: Uint8Array[] = [];
    let got = 0;
    let at = addr;
    while (got < limit) {
      const n = Math.min(limit - got, PAGE - Number(at % BigInt(PAGE)));
      // A reader may refuse a whole page past the string's end: then byte by byte.
      const b = this.bytes(at, n) ?? this.bytes(at, 1);
      if (b === null) break;
      const len = Math.min(n, b.length);
      const nul = b.subarray(0, len).indexOf(0);
      parts.push(b.subarray(0, nul >= 0 ? nul + 1 : len));
      got += nul >= 0 ? nul + 1 : len;
      if (nul >= 0) break;
      at += BigInt(len);
    }
    if (parts.length === 0) return null;
    const out = new Uint8Array(got);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }

  /** An unsigned integer of size 1, 2, 4 or 8 at offset off of b. */
  uint(b: Uint8Array, off: number, size: number): bigint {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (size) {
      case 1: return BigInt(dv.getUint8(off));
      case 2: return BigInt(dv.getUint16(off, this.little));
      case 4: return BigInt(dv.getUint32(off, this.little));
      default: return dv.getBigUint64(off, this.little);
    }
  }

  /** A word (pointer, long) at offset off of b. */
  wordAt(b: Uint8Array, off: number): bigint {
    return this.uint(b, off, this.word);
  }
}
