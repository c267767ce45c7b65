// RV64IMAFDC user-mode interpreter. Registers are (lo, hi) int32 pairs so
// the hot loop does 32-bit integer arithmetic, never BigInt. Instructions
// are fetched through a decode cache over the executable segments that holds
// each one already expanded from its compressed form.
import { divrem, divrem32, less, mul, mulh, setFromNumber, shift } from './alu64.js';
import { expandCompressed } from './compressed.js';
import { execFp, Fpu } from './fpu.js';
import type { Memory } from './memory.js';

const TWO32 = 4294967296;
const FENCE = new Int32Array(new SharedArrayBuffer(4));

/** The system call entry: number and six arguments as numbers, result as a number. */
export type SyscallFn = (nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

export class GuestFault extends Error {
  constructor(readonly signal: 'SIGSEGV' | 'SIGILL' | 'SIGTRAP' | 'SIGBUS', message: string) {
    super(message);
  }
}

export class Cpu {
  readonly lo = new Int32Array(32);
  readonly hi = new Int32Array(32);
  readonly fpu = new Fpu();
  pc = 0;
  instret = 0;
  halted = false;
  /**
   * LR/SC reservation: the address and the value LR read. SC is a
   * compare-and-swap of that value, so it fails when another hart changed the
   * word meanwhile (a store of the same value goes unseen, which no CAS loop can tell).
   */
  reservation = -1;
  private resW = 0;
  private resD = 0n;
  /**
   * Called every tickEvery instructions (at a taken branch or jump) with the
   * interpreter's state saved: a thread serves carried calls there, and sees
   * an exit_group from another thread. It may set halted.
   */
  tick: (() => void) | null = null;
  /** Set by a call (tgkill to itself, rt_sigreturn, an unblocking sigprocmask): onInterrupt runs once the call has returned. */
  interrupt = false;
  /** May change registers and pc (a signal handler's frame); may set halted. */
  onInterrupt: (() => void) | null = null;
  /** Instructions between two ticks (read when run() starts). */
  tickEvery = 8192;
  private cache: Int32Array;

  constructor(
    readonly mem: Memory,
    private syscall: SyscallFn,
    private cacheBase: number,
    cacheEnd: number,
  ) {
    this.cache = new Int32Array(Math.max(0, Math.ceil((cacheEnd - cacheBase) / 2)));
  }

  /** execve: a new program in the same memory; every register zero but sp, a fresh decode cache. Call run() again. */
  restart(pc: number, sp: number, cacheBase: number, cacheEnd: number): void {
    this.cacheBase = cacheBase;
    this.cache = new Int32Array(Math.max(0, Math.ceil((cacheEnd - cacheBase) / 2)));
    this.lo.fill(0); this.hi.fill(0);
    this.fpu.w.fill(0); this.fpu.frm = 0; this.fpu.flags = 0;
    this.reservation = -1;
    this.pc = pc;
    this.setReg(2, sp);
    this.halted = false;
    this.interrupt = false;
  }

  setSyscall(fn: SyscallFn): void { this.syscall = fn; }

  reg(r: number): number { return this.hi[r] * TWO32 + (this.lo[r] >>> 0); }
  setReg(r: number, v: number): void { setFromNumber(this.lo, this.hi, r, v); }

  /** The instruction at pc, expanded if compressed; bit 0 cleared marks a 2-byte one. */
  private decodeAt(pc: number): number {
    const half = this.mem.dv.getUint16(pc, true);
    if ((half & 3) !== 3) {
      const x = expandCompressed(half);
      if (x === 0) throw new GuestFault('SIGILL', `illegal compressed instruction 0x${half.toString(16)} at 0x${pc.toString(16)}`);
      return x & ~1;
    }
    return this.mem.dv.getInt32(pc, true);
  }

  private illegal(pc: number, inst: number): GuestFault {
    return new GuestFault('SIGILL', `illegal instruction 0x${(inst >>> 0).toString(16).padStart(8, '0')} at 0x${pc.toString(16)}`);
  }

  /** Runs until the guest exits (halted) or faults (throws GuestFault). */
  run(): void {
    const lo = this.lo, hi = this.hi, dv = this.mem.dv, cache = this.cache, cbase = this.cacheBase;
    const clen = cache.length * 2;
    const fpu = this.fpu;
    let pc = this.pc;
    let n = 0;
    const every = this.tickEvery;
    let limit = every;
    try {
      for (;;) {
        lo[0] = 0; hi[0] = 0;
        n++;
        let inst: number;
        const off = pc - cbase;
        if (off >= 0 && off < clen) {
          inst = cache[off >> 1];
          if (inst === 0) inst = cache[off >> 1] = this.decodeAt(pc);
        } else inst = this.decodeAt(pc);
        const next = pc + ((inst & 1) === 0 ? 2 : 4);
        inst |= 1;
        const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, rs2 = (inst >> 20) & 31;
        const f3 = (inst >> 12) & 7;
        switch ((inst >> 2) & 31) {
          case 0x00: { // LOAD
            const addr = hi[rs1] * TWO32 + (lo[rs1] >>> 0) + (inst >> 20);
            switch (f3) {
              case 0: lo[rd] = dv.getInt8(addr); hi[rd] = lo[rd] >> 31; break;
              case 1: lo[rd] = dv.getInt16(addr, true); hi[rd] = lo[rd] >> 31; break;
              case 2: lo[rd] = dv.getInt32(addr, true); hi[rd] = lo[rd] >> 31; break;
              case 3: { const l = dv.getInt32(addr, true); hi[rd] = dv.getInt32(addr + 4, true); lo[rd] = l; break; }
              case 4: lo[rd] = dv.getUint8(addr); hi[rd] = 0; break;
              case 5: lo[rd] = dv.getUint16(addr, true); hi[rd] = 0; break;
              case 6: lo[rd] = dv.getInt32(addr, true); hi[rd] = 0; break;
              default: throw this.illegal(pc, inst);
            }
            pc = next;
            break;
          }
          case 0x01: { // LOAD-FP
            const addr = hi[rs1] * TWO32 + (lo[rs1] >>> 0) + (inst >> 20);
            if (f3 === 3) { fpu.w[2 * rd] = dv.getInt32(addr, true); fpu.w[2 * rd + 1] = dv.getInt32(addr + 4, true); }
            else if (f3 === 2) { fpu.w[2 * rd] = dv.getInt32(addr, true); fpu.w[2 * rd + 1] = -1; }
            else throw this.illegal(pc, inst);
            pc = next;
            break;
          }
          case 0x03: Atomics.add(FENCE, 0, 0); pc = next; break; // FENCE (an atomic read-modify-write is a full barrier in JS engines); FENCE.I: no caches to sync
          case 0x04: { // OP-IMM
            const imm = inst >> 20;
            const a = lo[rs1], ah = hi[rs1];
            switch (f3) {
              case 0: { const s = (a >>> 0) + (imm >>> 0); lo[rd] = s | 0; hi[rd] = (ah + (imm >> 31) + (s >= TWO32 ? 1 : 0)) | 0; break; }
              case 1: shift(lo, hi, rd, a, ah, imm & 63, 0); break;
              case 2: lo[rd] = less(a, ah, imm, imm >> 31, false) ? 1 : 0; hi[rd] = 0; break;
              case 3: lo[rd] = less(a, ah, imm, imm >> 31, true) ? 1 : 0; hi[rd] = 0; break;
              case 4: lo[rd] = a ^ imm; hi[rd] = ah ^ (imm >> 31); break;
              case 5: shift(lo, hi, rd, a, ah, imm & 63, (imm & 0x400) !== 0 ? 2 : 1); break;
              case 6: lo[rd] = a | imm; hi[rd] = ah | (imm >> 31); break;
              default: lo[rd] = a & imm; hi[rd] = ah & (imm >> 31); break;
            }
            pc = next;
            break;
          }
          case 0x05: setFromNumber(lo, hi, rd, pc + (inst & 0xfffff000)); pc = next; break; // AUIPC
          case 0x06: { // OP-IMM-32
            const a = lo[rs1], sh = rs2;
            let v: number;
            switch (f3) {
              case 0: v = (a + (inst >> 20)) | 0; break;
              case 1: v = a << sh; break;
              case 5: v = (inst & 0x40000000) !== 0 ? a >> sh : (a >>> sh) | 0; break;
              default: throw this.illegal(pc, inst);
            }
            lo[rd] = v; hi[rd] = v >> 31;
            pc = next;
            break;
          }
          case 0x08: { // STORE
            const addr = hi[rs1] * TWO32 + (lo[rs1] >>> 0) + (((inst >> 25) << 5) | ((inst >> 7) & 31));
            switch (f3) {
              case 0: dv.setInt8(addr, lo[rs2]); break;
              case 1: dv.setInt16(addr, lo[rs2], true); break;
              case 2: dv.setInt32(addr, lo[rs2], true); break;
              case 3: dv.setInt32(addr + 4, hi[rs2], true); dv.setInt32(addr, lo[rs2], true); break;
              default: throw this.illegal(pc, inst);
            }
            pc = next;
            break;
          }
          case 0x09: { // STORE-FP
            const addr = hi[rs1] * TWO32 + (lo[rs1] >>> 0) + (((inst >> 25) << 5) | ((inst >> 7) & 31));
            if (f3 === 3) { dv.setInt32(addr + 4, fpu.w[2 * rs2 + 1], true); dv.setInt32(addr, fpu.w[2 * rs2], true); }
            else if (f3 === 2) dv.setInt32(addr, fpu.w[2 * rs2], true);
            else throw this.illegal(pc, inst);
            pc = next;
            break;
          }
          case 0x0b: this.amo(inst, pc); pc = next; break; // AMO, LR, SC
          case 0x0c: { // OP
            const a = lo[rs1], ah = hi[rs1], b = lo[rs2], bh = hi[rs2];
            const f7 = inst >>> 25;
            if (f7 === 0) {
              switch (f3) {
                case 0: { const s = (a >>> 0) + (b >>> 0); lo[rd] = s | 0; hi[rd] = (ah + bh + (s >= TWO32 ? 1 : 0)) | 0; break; }
                case 1: shift(lo, hi, rd, a, ah, b & 63, 0); break;
                case 2: lo[rd] = less(a, ah, b, bh, false) ? 1 : 0; hi[rd] = 0; break;
                case 3: lo[rd] = less(a, ah, b, bh, true) ? 1 : 0; hi[rd] = 0; break;
                case 4: lo[rd] = a ^ b; hi[rd] = ah ^ bh; break;
                case 5: shift(lo, hi, rd, a, ah, b & 63, 1); break;
                case 6: lo[rd] = a | b; hi[rd] = ah | bh; break;
                default: lo[rd] = a & b; hi[rd] = ah & bh; break;
              }
            } else if (f7 === 0x20) {
              if (f3 === 0) { const s = (a >>> 0) - (b >>> 0); lo[rd] = s | 0; hi[rd] = (ah - bh - (s < 0 ? 1 : 0)) | 0; }
              else if (f3 === 5) shift(lo, hi, rd, a, ah, b & 63, 2);
              else throw this.illegal(pc, inst);
            } else if (f7 === 1) {
              if (f3 === 0) mul(lo, hi, rd, a, ah, b, bh);
              else if (f3 < 4) mulh(lo, hi, rd, rs1, rs2, f3);
              else divrem(lo, hi, rd, rs1, rs2, f3);
            } else throw this.illegal(pc, inst);
            pc = next;
            break;
          }
          case 0x0d: lo[rd] = inst & 0xfffff000; hi[rd] = inst >> 31; pc = next; break; // LUI
          case 0x0e: { // OP-32
            const a = lo[rs1], b = lo[rs2];
            const f7 = inst >>> 25;
            let v: number;
            if (f7 === 0) {
              if (f3 === 0) v = (a + b) | 0;
              else if (f3 === 1) v = a << (b & 31);
              else if (f3 === 5) v = (a >>> (b & 31)) | 0;
              else throw this.illegal(pc, inst);
            } else if (f7 === 0x20) {
              if (f3 === 0) v = (a - b) | 0;
              else if (f3 === 5) v = a >> (b & 31);
              else throw this.illegal(pc, inst);
            } else if (f7 === 1) {
              if (f3 === 0) v = Math.imul(a, b);
              else if (f3 >= 4) v = divrem32(a, b, f3);
              else throw this.illegal(pc, inst);
            } else throw this.illegal(pc, inst);
            lo[rd] = v; hi[rd] = v >> 31;
            pc = next;
            break;
          }
          case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: // FMADD.. and OP-FP
            if (!execFp(fpu, lo, hi, inst)) throw this.illegal(pc, inst);
            pc = next;
            break;
          case 0x18: { // BRANCH
            const a = lo[rs1], ah = hi[rs1], b = lo[rs2], bh = hi[rs2];
            let taken: boolean;
            switch (f3) {
              case 0: taken = a === b && ah === bh; break;
              case 1: taken = a !== b || ah !== bh; break;
              case 4: taken = ah < bh || (ah === bh && (a >>> 0) < (b >>> 0)); break;
              case 5: taken = ah > bh || (ah === bh && (a >>> 0) >= (b >>> 0)); break;
              case 6: taken = (ah >>> 0) < (bh >>> 0) || (ah === bh && (a >>> 0) < (b >>> 0)); break;
              case 7: taken = (ah >>> 0) > (bh >>> 0) || (ah === bh && (a >>> 0) >= (b >>> 0)); break;
              default: throw this.illegal(pc, inst);
            }
            if (taken) {
              pc += ((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 63) << 5) | (((inst >> 8) & 15) << 1);
              if (n >= limit) { limit = n + every; if (this.ticked(pc, n)) return; pc = this.pc; }
            } else pc = next;
            break;
          }
          case 0x19: { // JALR
            const target = (hi[rs1] * TWO32 + (lo[rs1] >>> 0) + (inst >> 20)) - ((lo[rs1] + (inst >> 20)) & 1);
            lo[rd] = next; hi[rd] = 0;
            pc = target;
            break;
          }
          case 0x1b: // JAL
            lo[rd] = next; hi[rd] = 0;
            pc += ((inst >> 31) << 20) | (((inst >> 12) & 255) << 12) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 1023) << 1);
            if (n >= limit) { limit = n + every; if (this.ticked(pc, n)) return; pc = this.pc; }
            break;
          case 0x1c: // SYSTEM
            if (inst === 0x73) { // ECALL
              this.pc = pc; // clone copies the caller's state: it resumes after this ecall
              const r = this.syscall(
                hi[17] * TWO32 + (lo[17] >>> 0),
                hi[10] * TWO32 + (lo[10] >>> 0), hi[11] * TWO32 + (lo[11] >>> 0), hi[12] * TWO32 + (lo[12] >>> 0),
                hi[13] * TWO32 + (lo[13] >>> 0), hi[14] * TWO32 + (lo[14] >>> 0), hi[15] * TWO32 + (lo[15] >>> 0),
              );
              lo[10] = r | 0;
              hi[10] = Math.floor(r / TWO32) | 0;
              pc = next;
              if (this.interrupt) { this.interrupt = false; this.pc = pc; this.onInterrupt?.(); pc = this.pc; }
              if (this.halted) { this.pc = pc; this.instret += n; return; }
            } else if (f3 !== 0) {
              this.csr(inst, this.instret + n);
              pc = next;
            } else if (inst === 0x00100073) {
              throw new GuestFault('SIGTRAP', `ebreak at 0x${pc.toString(16)}`);
            } else throw this.illegal(pc, inst);
            break;
          default:
            throw this.illegal(pc, inst);
        }
      }
    } catch (e) {
      this.pc = pc;
      this.instret += n;
      if (e instanceof RangeError) {
        throw new GuestFault('SIGSEGV', `memory access out of range at pc 0x${pc.toString(16)}`);
      }
      throw e;
    }
  }

  /** Runs the tick with pc current (it may move it: a signal); true when the CPU was halted meanwhile (instret then counted). */
  private ticked(pc: number, n: number): boolean {
    if (this.tick === null) return false;
    this.pc = pc;
    this.tick();
    if (!this.halted) return false;
    this.instret += n;
    return true;
  }

  private csr(inst: number, instret: number): void {
    const lo = this.lo, hi = this.hi;
    const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, f3 = (inst >> 12) & 7;
    const csr = inst >>> 20;
    const src = f3 >= 5 ? rs1 : lo[rs1]; // immediate forms use the rs1 field as a 5-bit value
    let old: number;
    switch (csr) {
      case 0x001: old = this.fpu.flags; break; // fflags
      case 0x002: old = this.fpu.frm; break;
      case 0x003: old = (this.fpu.frm << 5) | this.fpu.flags; break; // fcsr
      case 0xc00: case 0xc02: old = instret; break; // cycle, instret
      case 0xc01: old = Math.floor(performance.now() * 10000); break; // time, 10 MHz
      default: throw this.illegal(this.pc, inst);
    }
    const write = (f3 & 3) === 1 || rs1 !== 0;
    if (write && csr <= 0x003) {
      const v = (f3 & 3) === 1 ? src : (f3 & 3) === 2 ? old | src : old & ~src;
      if (csr !== 0x002) this.fpu.flags = v & 31;
      if (csr !== 0x001) this.fpu.frm = (csr === 0x003 ? v >> 5 : v) & 7;
    }
    setFromNumber(lo, hi, rd, old);
  }

  private amo(inst: number, pc: number): void {
    const lo = this.lo, hi = this.hi;
    const rd = (inst >> 7) & 31, rs1 = (inst >> 15) & 31, rs2 = (inst >> 20) & 31, f3 = (inst >> 12) & 7;
    const op = inst >>> 27;
    const addr = this.reg(rs1);
    if ((f3 !== 2 && f3 !== 3) || (op !== 2 && op !== 3 && (AMO_OPS >>> op & 1) === 0)) throw this.illegal(pc, inst);
    // Atomics on whole words of the shared buffer: atomic against every other worker.
    if (addr % (f3 === 2 ? 4 : 8) !== 0) throw new GuestFault('SIGBUS', `misaligned atomic access at 0x${addr.toString(16)}, pc 0x${pc.toString(16)}`);
    if (f3 === 2) { // .W
      const m = this.mem.i32, i = addr / 4;
      if (op === 0x02) { const v = Atomics.load(m, i); this.reservation = addr; this.resW = v; lo[rd] = v; hi[rd] = v >> 31; return; }
      if (op === 0x03) {
        const ok = this.reservation === addr && Atomics.compareExchange(m, i, this.resW, lo[rs2]) === this.resW;
        this.reservation = -1;
        lo[rd] = ok ? 0 : 1; hi[rd] = 0;
        return;
      }
      const b = lo[rs2];
      let old: number;
      switch (op) {
        case 0x01: old = Atomics.exchange(m, i, b); break;
        case 0x00: old = Atomics.add(m, i, b); break;
        case 0x04: old = Atomics.xor(m, i, b); break;
        case 0x0c: old = Atomics.and(m, i, b); break;
        case 0x08: old = Atomics.or(m, i, b); break;
        default: { // min, max, minu, maxu: a compare-and-swap loop
          for (;;) {
            old = Atomics.load(m, i);
            const v = op === 0x10 ? Math.min(old, b) : op === 0x14 ? Math.max(old, b)
              : op === 0x18 ? ((old >>> 0) < (b >>> 0) ? old : b) : ((old >>> 0) > (b >>> 0) ? old : b);
            if (Atomics.compareExchange(m, i, old, v) === old) break;
          }
        }
      }
      lo[rd] = old; hi[rd] = old >> 31;
      return;
    }
    const m = this.mem.i64, i = addr / 8;
    const setRd = (v: bigint) => { lo[rd] = Number(BigInt.asIntN(32, v)); hi[rd] = Number(v >> 32n); };
    if (op === 0x02) { const v = Atomics.load(m, i); this.reservation = addr; this.resD = v; setRd(v); return; }
    const b = (BigInt(hi[rs2]) << 32n) | BigInt(lo[rs2] >>> 0);
    if (op === 0x03) {
      const ok = this.reservation === addr && Atomics.compareExchange(m, i, this.resD, b) === this.resD;
      this.reservation = -1;
      lo[rd] = ok ? 0 : 1; hi[rd] = 0;
      return;
    }
    let old: bigint;
    switch (op) {
      case 0x01: old = Atomics.exchange(m, i, b); break;
      case 0x00: old = Atomics.add(m, i, b); break;
      case 0x04: old = Atomics.xor(m, i, b); break;
      case 0x0c: old = Atomics.and(m, i, b); break;
      case 0x08: old = Atomics.or(m, i, b); break;
      default: {
        const u = op >= 0x18, ub = BigInt.asUintN(64, b);
        for (;;) {
          old = Atomics.load(m, i);
          const oldLess = u ? BigInt.asUintN(64, old) < ub : old < b;
          const takeOld = op === 0x10 || op === 0x18 ? oldLess : !oldLess;
          if (Atomics.compareExchange(m, i, old, takeOld ? old : b) === old) break;
        }
      }
    }
    setRd(old);
  }
}

/** The AMO funct5 values beside LR (2) and SC (3): add, swap, xor, or, and, min, max, minu, maxu. */
const AMO_OPS = (1 << 0x00) | (1 << 0x01) | (1 << 0x04) | (1 << 0x08) | (1 << 0x0c) | (1 << 0x10) | (1 << 0x14) | (1 << 0x18) | (1 << 0x1c);
