// Guest memory: one flat buffer (the host commits pages lazily, so an
// untouched gigabyte costs nothing), plus a page map for brk and mmap.
// Every access goes through a DataView: out-of-range addresses throw a
// RangeError, which the CPU turns into SIGSEGV. Where SharedArrayBuffer
// exists the buffer (and the page map) is shared, so guest threads in other
// workers see the same bytes; i32 and i64 are the views Atomics needs (the
// host must be little-endian, as RISC-V is: every host Node runs on is).

export const PAGE = 4096;

/** Page states in the page map. */
export const FREE_CLEAN = 0; // never used: known to be zero
export const MAPPED = 1;
export const FREE_DIRTY = 2; // unmapped, may hold old bytes: zero before reuse
export const RESERVED = 3; // mapped PROT_NONE and never made accessible: still zero (Go reserves its arenas so)

export class Memory {
  readonly size: number;
  readonly buffer: ArrayBufferLike;
  readonly dv: DataView;
  readonly u8: Uint8Array;
  /** Whole words for Atomics (futex, AMOs): index = address / 4. */
  readonly i32: Int32Array;
  /** Whole doublewords for 64-bit AMOs: index = address / 8. */
  readonly i64: BigInt64Array;
  /** Page states; only the process's mm home writes them (mm calls are carried there). */
  readonly pages: Uint8Array;
  readonly shared: boolean;

  /** A fresh memory of size bytes, or (another thread) the buffers of an existing one. */
  constructor(size: number, from?: { buffer: SharedArrayBuffer; pages: SharedArrayBuffer }) {
    if (size % PAGE !== 0) throw new Error(`memory size ${size} is not a multiple of ${PAGE}`);
    this.size = size;
    this.shared = from !== undefined || typeof SharedArrayBuffer === 'function';
    this.buffer = from?.buffer ?? (this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    this.dv = new DataView(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.i64 = new BigInt64Array(this.buffer);
    this.pages = new Uint8Array(from?.pages ?? (this.shared ? new SharedArrayBuffer(size / PAGE) : new ArrayBuffer(size / PAGE)));
  }

  /** What another thread passes to the constructor to see the same memory (throws when not shared). */
  share(): { size: number; buffer: SharedArrayBuffer; pages: SharedArrayBuffer } {
    if (!this.shared) throw new Error('guest memory is not shared: this runtime has no SharedArrayBuffer, so the guest cannot have threads');
    return { size: this.size, buffer: this.buffer as SharedArrayBuffer, pages: this.pages.buffer as SharedArrayBuffer };
  }

  /** True when [addr, addr+len) lies inside guest memory. */
  valid(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.size;
  }

  bytes(addr: number, len: number): Uint8Array {
    return this.u8.subarray(addr, addr + len);
  }

  write(addr: number, data: Uint8Array): void {
    this.u8.set(data, addr);
  }

  /** The NUL-terminated string at addr (UTF-8), or null when it runs off memory. */
  cstring(addr: number, max = 4096): string | null {
    const u8 = this.u8;
    let end = addr;
    const limit = Math.min(this.size, addr + max);
    while (end < limit && u8[end] !== 0) end++;
    if (end >= limit) return null;
    return Buffer.from(this.buffer, addr, end - addr).toString('utf8');
  }

  u64(addr: number): number {
    return this.dv.getUint32(addr + 4, true) * 4294967296 + this.dv.getUint32(addr, true);
  }

  setU64(addr: number, value: number): void {
    this.dv.setUint32(addr, value >>> 0, true);
    this.dv.setUint32(addr + 4, Math.floor(value / 4294967296) >>> 0, true);
  }

  /**
   * Marks pages [addr, addr+len) mapped (RESERVED when reserved: PROT_NONE),
   * zeroing those that may hold old bytes; each run of them with one fill.
   */
  map(addr: number, len: number, reserved = false): void {
    const first = Math.floor(addr / PAGE);
    const last = Math.ceil((addr + len) / PAGE);
    const state = reserved ? RESERVED : MAPPED;
    for (let p = first; p < last; p++) {
      if (this.pages[p] === FREE_DIRTY) {
        let q = p;
        while (q < last && this.pages[q] === FREE_DIRTY) this.pages[q++] = state;
        this.u8.fill(0, p * PAGE, q * PAGE);
        p = q - 1;
      } else if (!(reserved && this.pages[p] === MAPPED)) this.pages[p] = state;
    }
  }

  /** Pages [addr, addr+len) become accessible (mprotect): reserved ones may now be written. */
  open(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE);
    const last = Math.ceil((addr + len) / PAGE);
    for (let p = first; p < last; p++) if (this.pages[p] === RESERVED) this.pages[p] = MAPPED;
  }

  /** True when page p is in use (mapped or reserved). */
  used(p: number): boolean {
    const s = this.pages[p];
    return s === MAPPED || s === RESERVED;
  }

  unmap(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE);
    const last = Math.ceil((addr + len) / PAGE);
    for (let p = first; p < last; p++) {
      const s = this.pages[p];
      if (s === MAPPED) this.pages[p] = FREE_DIRTY;
      else if (s === RESERVED) this.pages[p] = FREE_CLEAN;
    }
  }

  /** Highest free run of len bytes whose end is at or below top, or -1. */
  findFree(len: number, top: number, bottom: number): number {
    const need = Math.ceil(len / PAGE);
    let run = 0;
    for (let p = Math.floor(top / PAGE) - 1; p >= Math.ceil(bottom / PAGE); p--) {
      run = this.used(p) ? 0 : run + 1;
      if (run === need) return p * PAGE;
    }
    return -1;
  }
}
