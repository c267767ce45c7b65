// WebAssembly binary encoding, the few pieces the hand-written modules of the
// benchmarks (bench/wasm/guest.mjs) and the tests (test/helpers/wasm.ts) need.
// Plain ESM so the benchmarks run without a build step.

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
export const I32 = 0x7f;
export const I64 = 0x7e;
export const FUNCREF = 0x70;

/** Unsigned LEB128. */
export function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a number or bigint (i64 constants). */
export function sleb(v) {
  let n = BigInt(v);
  const out = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A name: its UTF-8 length, then its bytes. */
export const str = (s) => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
/** A vector: its length, then its items' bytes. */
export const vec = (items) => [...uleb(items.length), ...items.flat()];
/** A section: its id, its size, its body. */
export const section = (id, body) => [id, ...uleb(body.length), ...body];
