// RVC: expands a 16-bit compressed instruction (RV64C) to the 32-bit
// instruction it stands for, so the interpreter has one execution path.
// Returns 0 for an illegal encoding.

const i = (opc: number, rd: number, f3: number, rs1: number, imm: number): number =>
  ((imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) | 0;
const s = (opc: number, f3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | opc) | 0;
const r = (opc: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) | 0;
const b = (f3: number, rs1: number, rs2: number, imm: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) | 0;
const j = (rd: number, imm: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) | 0;
const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

export function expandCompressed(c: number): number {
  const f3 = (c >> 13) & 7;
  const rdp = 8 + ((c >> 2) & 7); // rd' / rs2'
  const rs1p = 8 + ((c >> 7) & 7); // rs1' / rd'
  const rd = (c >> 7) & 31;
  const rs2 = (c >> 2) & 31;
  const imm6 = sext(((c >> 7) & 0x20) | ((c >> 2) & 31), 6);
  const uimmD = ((c >> 7) & 0x38) | ((c << 1) & 0xc0); // C.LD / C.SD / C.FLD / C.FSD
  const uimmW = ((c >> 7) & 0x38) | ((c >> 4) & 4) | ((c << 1) & 0x40); // C.LW / C.SW
  switch (c & 3) {
    case 0:
      switch (f3) {
        case 0: { // C.ADDI4SPN
          const imm = ((c >> 7) & 0x30) | ((c >> 1) & 0x3c0) | ((c >> 4) & 4) | ((c >> 2) & 8);
          return imm === 0 ? 0 : i(0x13, rdp, 0, 2, imm);
        }
        case 1: return i(0x07, rdp, 3, rs1p, uimmD); // C.FLD
        case 2: return i(0x03, rdp, 2, rs1p, uimmW); // C.LW
        case 3: return i(0x03, rdp, 3, rs1p, uimmD); // C.LD
        case 5: return s(0x27, 3, rs1p, rdp, uimmD); // C.FSD
        case 6: return s(0x23, 2, rs1p, rdp, uimmW); // C.SW
        case 7: return s(0x23, 3, rs1p, rdp, uimmD); // C.SD
      }
      return 0;
    case 1:
      switch (f3) {
        case 0: return i(0x13, rd, 0, rd, imm6); // C.ADDI (C.NOP)
        case 1: return rd === 0 ? 0 : i(0x1b, rd, 0, rd, imm6); // C.ADDIW
        case 2: return i(0x13, rd, 0, 0, imm6); // C.LI
        case 3:
          if (rd === 2) { // C.ADDI16SP
            const imm = sext(((c >> 3) & 0x200) | ((c >> 2) & 0x10) | ((c << 1) & 0x40) |
              ((c << 4) & 0x180) | ((c << 3) & 0x20), 10);
            return imm === 0 ? 0 : i(0x13, 2, 0, 2, imm);
          } else { // C.LUI
            const imm = sext(((c << 5) & 0x20000) | ((c << 10) & 0x1f000), 18);
            return imm === 0 ? 0 : ((imm & 0xfffff000) | (rd << 7) | 0x37) | 0;
          }
        case 4: {
          const shamt = ((c >> 7) & 0x20) | ((c >> 2) & 31);
          switch ((c >> 10) & 3) {
            case 0: return i(0x13, rs1p, 5, rs1p, shamt); // C.SRLI
            case 1: return i(0x13, rs1p, 5, rs1p, shamt | 0x400); // C.SRAI
            case 2: return i(0x13, rs1p, 7, rs1p, imm6); // C.ANDI
          }
          const op = (c >> 5) & 3;
          if ((c & 0x1000) === 0) {
            switch (op) {
              case 0: return r(0x33, rs1p, 0, rs1p, rdp, 0x20); // C.SUB
              case 1: return r(0x33, rs1p, 4, rs1p, rdp, 0); // C.XOR
              case 2: return r(0x33, rs1p, 6, rs1p, rdp, 0); // C.OR
              default: return r(0x33, rs1p, 7, rs1p, rdp, 0); // C.AND
            }
          }
          if (op === 0) return r(0x3b, rs1p, 0, rs1p, rdp, 0x20); // C.SUBW
          if (op === 1) return r(0x3b, rs1p, 0, rs1p, rdp, 0); // C.ADDW
          return 0;
        }
        case 5: { // C.J
          const imm = sext(((c >> 1) & 0x800) | ((c >> 7) & 0x10) | ((c >> 1) & 0x300) | ((c << 2) & 0x400) |
            ((c >> 1) & 0x40) | ((c << 1) & 0x80) | ((c >> 2) & 0xe) | ((c << 3) & 0x20), 12);
          return j(0, imm);
        }
        default: { // C.BEQZ, C.BNEZ
          const imm = sext(((c >> 4) & 0x100) | ((c >> 7) & 0x18) | ((c << 1) & 0xc0) | ((c >> 2) & 6) |
            ((c << 3) & 0x20), 9);
          return b(f3 === 6 ? 0 : 1, rs1p, 0, imm);
        }
      }
    case 2:
      switch (f3) {
        case 0: return i(0x13, rd, 1, rd, ((c >> 7) & 0x20) | ((c >> 2) & 31)); // C.SLLI
        case 1: return i(0x07, rd, 3, 2, ((c >> 7) & 0x20) | ((c >> 2) & 0x18) | ((c << 4) & 0x1c0)); // C.FLDSP
        case 2: return rd === 0 ? 0 : i(0x03, rd, 2, 2, ((c >> 7) & 0x20) | ((c >> 2) & 0x1c) | ((c << 4) & 0xc0)); // C.LWSP
        case 3: return rd === 0 ? 0 : i(0x03, rd, 3, 2, ((c >> 7) & 0x20) | ((c >> 2) & 0x18) | ((c << 4) & 0x1c0)); // C.LDSP
        case 4:
          if ((c & 0x1000) === 0) {
            if (rs2 === 0) return rd === 0 ? 0 : i(0x67, 0, 0, rd, 0); // C.JR
            return r(0x33, rd, 0, 0, rs2, 0); // C.MV
          }
          if (rs2 === 0) return rd === 0 ? 0x00100073 : i(0x67, 1, 0, rd, 0); // C.EBREAK, C.JALR
          return r(0x33, rd, 0, rd, rs2, 0); // C.ADD
        case 5: return s(0x27, 3, 2, rs2, ((c >> 7) & 0x38) | ((c >> 1) & 0x1c0)); // C.FSDSP
        case 6: return s(0x23, 2, 2, rs2, ((c >> 7) & 0x3c) | ((c >> 1) & 0xc0)); // C.SWSP
        case 7: return s(0x23, 3, 2, rs2, ((c >> 7) & 0x38) | ((c >> 1) & 0x1c0)); // C.SDSP
      }
  }
  return 0;
}
