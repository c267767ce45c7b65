// The worker's outgoing lines, posted in batches: the guest runs in a loop
// with no turns of the event loop, so a batch leaves when the guest writes
// to its terminal (once per tick), when it is big, or when it is old.
import type { FromWorker } from './protocol.js';

const MAX_LINES = 256;
const MAX_AGE_MS = 100;

export class Batcher {
  #out: { fd: number; text: string }[] = [];
  #trace: string[] = [];
  #since = 0;
  readonly #post: (m: FromWorker) => void;

  constructor(post: (m: FromWorker) => void) {
    this.#post = post;
  }

  out(fd: number, text: string): void {
    this.#out.push({ fd, text });
    this.flush();
  }

  trace(line: string): void {
    if (this.#trace.length === 0) this.#since = performance.now();
    this.#trace.push(line);
    if (this.#trace.length >= MAX_LINES || performance.now() - this.#since >= MAX_AGE_MS) this.flush();
  }

  flush(): void {
    if (this.#out.length === 0 && this.#trace.length === 0) return;
    this.#post({ type: 'batch', out: this.#out, trace: this.#trace });
    this.#out = [];
    this.#trace = [];
  }
}

const upperTable = new Uint8Array(256).map((_, i) => (i >= 0x61 && i <= 0x7a ? i - 32 : i));

/** ASCII letters uppercased, into a new array (the guest's buffer stays as it wrote it). */
export function upper(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = upperTable[bytes[i]!]!;
  return out;
}

/** A guest-memory reader for the trace's formatter: the bytes, or null outside the memory. */
export function reader(buffer: () => ArrayBufferLike): (addr: number, len: number) => Uint8Array | null {
  return (addr, len) => {
    const b = buffer();
    return addr >= 0 && len >= 0 && addr + len <= b.byteLength ? new Uint8Array(b, addr, len) : null;
  };
}
