// A small classic-BPF assembler with labels: conditional jumps reach 255
// instructions at most (jt, jf are bytes), so a jump to a far label becomes
// a conditional one to a BPF_JA (32-bit offset) placed right after it. Sizes
// only grow while laying out, so the layout settles.
import type { SockFilter } from './program.js';

export type Label = number;

// Classic BPF opcodes (include/uapi/linux/filter.h, bpf_common.h).
export const LD_W_ABS = 0x20;
export const ALU_AND_K = 0x54;
export const JA = 0x05;
export const JEQ_K = 0x15;
export const JGT_K = 0x25;
export const JGE_K = 0x35;
export const RET_K = 0x06;

type Item =
  | { kind: 'op'; code: number; k: number }
  | { kind: 'jmp'; code: number; k: number; t: Label; f: Label; far: number } // far: 1 jt through a BPF_JA, 2 jf, 3 both
  | { kind: 'ja'; to: Label }
  | { kind: 'label'; id: Label };

export class Asm {
  private readonly items: Item[] = [];
  private labels = 0;
  private readonly rets = new Map<number, Label>();

  label(): Label {
    return this.labels++;
  }

  place(l: Label): void {
    this.items.push({ kind: 'label', id: l });
  }

  op(code: number, k: number): void {
    this.items.push({ kind: 'op', code, k: k >>> 0 });
  }

  /** if (A <op> k) goto t else goto f. */
  jmp(code: number, k: number, t: Label, f: Label): void {
    if (t === f) this.ja(t);
    else this.items.push({ kind: 'jmp', code, k: k >>> 0, t, f, far: 0 });
  }

  ja(to: Label): void {
    this.items.push({ kind: 'ja', to });
  }

  /** The label of a `ret k` (one per distinct k, placed by finish()). */
  ret(k: number): Label {
    const key = k >>> 0;
    let l = this.rets.get(key);
    if (l === undefined) this.rets.set(key, (l = this.label()));
    return l;
  }

  /** The instructions, the returns last. */
  finish(): SockFilter[] {
    const rets = [...this.rets];
    const items: Item[] = [...this.items];
    const at = new Array<number>(this.labels).fill(-1);
    const sizeOf = (it: Item): number => (it.kind === 'label' ? 0 : it.kind === 'jmp' ? 1 + (it.far & 1) + (it.far >> 1) : 1);
    const offsets = (it: Item & { kind: 'jmp' }, pc: number): [number, number] => [at[it.t]! - (pc + 1), at[it.f]! - (pc + 1)];
    for (;;) {
      let pc = 0;
      for (const it of items) {
        if (it.kind === 'label') at[it.id] = pc;
        pc += sizeOf(it);
      }
      for (const [, l] of rets) at[l] = pc++;
      let grew = false;
      pc = 0;
      for (const it of items) {
        if (it.kind === 'jmp') {
          const [t, f] = offsets(it, pc);
          const far = it.far | (t > 255 ? 1 : 0) | (f > 255 ? 2 : 0);
          if (far !== it.far) {
            it.far = far;
            grew = true;
          }
        }
        pc += sizeOf(it);
      }
      if (!grew) break;
    }
    const out: SockFilter[] = [];
    const ja = (to: Label): void => {
      out.push({ code: JA, jt: 0, jf: 0, k: at[to]! - (out.length + 1) });
    };
    for (const it of items) {
      if (it.kind === 'op') out.push({ code: it.code, jt: 0, jf: 0, k: it.k });
      else if (it.kind === 'ja') ja(it.to);
      else if (it.kind === 'jmp') {
        const [t, f] = offsets(it, out.length);
        if (it.far === 0) out.push({ code: it.code, jt: t, jf: f, k: it.k });
        else if (it.far === 3) {
          out.push({ code: it.code, jt: 0, jf: 1, k: it.k });
          ja(it.t);
          ja(it.f);
        } else if (it.far === 1) {
          out.push({ code: it.code, jt: 0, jf: f, k: it.k });
          ja(it.t);
        } else {
          out.push({ code: it.code, jt: t, jf: 0, k: it.k });
          ja(it.f);
        }
      }
    }
    for (const [k] of rets) out.push({ code: RET_K, jt: 0, jf: 0, k });
    for (const ins of out) if (ins.k < 0 || ins.jt > 255 || ins.jf > 255 || ins.jt < 0 || ins.jf < 0) throw new Error('seccomp compiler: a jump out of reach (a bug)');
    return out;
  }
}
