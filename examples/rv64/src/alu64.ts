// 64-bit integer helpers over (lo, hi) pairs of int32, for the operations the
// interpreter does not inline. Results go straight into the register arrays.
// Multiply-high and wide division fall back to BigInt: they are rare.

const TWO32 = 4294967296;

export function setFromNumber(lo: Int32Array, hi: Int32Array, rd: number, v: number): void {
  lo[rd] = v | 0; // ToInt32 is modulo 2^32 for any finite number
  hi[rd] = Math.floor(v / TWO32) | 0;
}

export function toBig(lo: Int32Array, hi: Int32Array, r: number): bigint {
  return (BigInt(hi[r]) << 32n) | BigInt(lo[r] >>> 0);
}

export function setFromBig(lo: Int32Array, hi: Int32Array, rd: number, v: bigint): void {
  lo[rd] = Number(BigInt.asIntN(32, v));
  hi[rd] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Low 64 bits of a * b. */
export function mul(lo: Int32Array, hi: Int32Array, rd: number, alo: number, ahi: number, blo: number, bhi: number): void {
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    const p = alo * blo;
    if (p <= 9007199254740992 && p >= -9007199254740992) { setFromNumber(lo, hi, rd, p); return; }
  }
  const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const carry = Math.floor(low / TWO32);
  const high = a1 * b1 + Math.floor(mid / 65536) + carry;
  lo[rd] = low | 0;
  hi[rd] = (high + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** funct3 1..3 of the M extension: MULH, MULHSU, MULHU. */
export function mulh(lo: Int32Array, hi: Int32Array, rd: number, rs1: number, rs2: number, f3: number): void {
  const a = f3 === 3 ? BigInt.asUintN(64, toBig(lo, hi, rs1)) : toBig(lo, hi, rs1);
  const b = f3 === 1 ? toBig(lo, hi, rs2) : BigInt.asUintN(64, toBig(lo, hi, rs2));
  setFromBig(lo, hi, rd, (a * b) >> 64n);
}

/** funct3 4..7 of the M extension: DIV, DIVU, REM, REMU, with RISC-V's answers for /0 and overflow. */
export function divrem(lo: Int32Array, hi: Int32Array, rd: number, rs1: number, rs2: number, f3: number): void {
  const alo = lo[rs1], ahi = hi[rs1], blo = lo[rs2], bhi = hi[rs2];
  const signed = f3 === 4 || f3 === 6;
  const rem = f3 >= 6;
  if (blo === 0 && bhi === 0) {
    if (rem) { lo[rd] = alo; hi[rd] = ahi; } else { lo[rd] = -1; hi[rd] = -1; }
    return;
  }
  if (signed && ahi === alo >> 31 && bhi === blo >> 31) {
    setFromNumber(lo, hi, rd, rem ? alo % blo : Math.trunc(alo / blo));
    return;
  }
  if (!signed && ahi === 0 && bhi === 0) {
    const a = alo >>> 0, b = blo >>> 0;
    setFromNumber(lo, hi, rd, rem ? a % b : Math.floor(a / b));
    return;
  }
  let a = toBig(lo, hi, rs1), b = toBig(lo, hi, rs2);
  if (!signed) { a = BigInt.asUintN(64, a); b = BigInt.asUintN(64, b); }
  if (signed && a === -(1n << 63n) && b === -1n) { setFromBig(lo, hi, rd, rem ? 0n : a); return; }
  setFromBig(lo, hi, rd, rem ? a % b : a / b);
}

/** DIVW, DIVUW, REMW, REMUW (funct3 4..7): 32-bit operands, sign-extended result. */
export function divrem32(a: number, b: number, f3: number): number {
  if (b === 0) return f3 >= 6 ? a : -1;
  switch (f3) {
    case 4: return a === -2147483648 && b === -1 ? a : Math.trunc(a / b) | 0;
    case 5: return Math.floor((a >>> 0) / (b >>> 0)) | 0;
    case 6: return a === -2147483648 && b === -1 ? 0 : (a % b) | 0;
    default: return ((a >>> 0) % (b >>> 0)) | 0;
  }
}

/** Shifts by 0..63: kind 0 = left, 1 = logical right, 2 = arithmetic right. */
export function shift(lo: Int32Array, hi: Int32Array, rd: number, alo: number, ahi: number, sh: number, kind: number): void {
  if (sh === 0) { lo[rd] = alo; hi[rd] = ahi; return; }
  if (kind === 0) {
    if (sh < 32) { hi[rd] = (ahi << sh) | (alo >>> (32 - sh)); lo[rd] = alo << sh; }
    else { hi[rd] = alo << (sh - 32); lo[rd] = 0; }
  } else if (sh < 32) {
    lo[rd] = (alo >>> sh) | (ahi << (32 - sh));
    hi[rd] = kind === 1 ? ahi >>> sh : ahi >> sh;
  } else {
    lo[rd] = kind === 1 ? ahi >>> (sh - 32) : ahi >> (sh - 32);
    hi[rd] = kind === 1 ? 0 : ahi >> 31;
  }
}

/** a < b, signed (kind 0) or unsigned (kind 1). */
export function less(alo: number, ahi: number, blo: number, bhi: number, unsigned: boolean): boolean {
  if (ahi !== bhi) return unsigned ? (ahi >>> 0) < (bhi >>> 0) : ahi < bhi;
  return (alo >>> 0) < (blo >>> 0);
}
