// The action cache's proof. For one number and one arch value, a program is
// run over a seccomp_data whose other fields are unknown; a branch on an
// unknown value explores both ways. The program's action for that number is
// constant when every path returns the same (normalised) action. Where the
// kernel's seccomp_cache_prepare proves only ALLOW and gives up at the first
// unknown branch, this proves every action, sees through branches whose both
// ways agree, and keeps the lowest action a non-constant program can return,
// so that the stack can still be constant (a KILL in one filter decides,
// whatever the others do). Past PROVE_STEPS a number is left unproven.
import * as L from './layout';
import * as O from './opcodes';

// Frame words: pc, known mask (bit 0 A, bit 1 X, bit 2 + i M[i]), A, X, M[0..15].
const F_PC = 0;
const F_KNOWN = 1;
const F_A = 2;
const F_X = 3;
const F_M = 4;
const KA: u32 = 1;
const KX: u32 = 2;
const ALL_KNOWN: u32 = 0x3ffff;

let constant: bool = false;
let value: u32 = 0;
let lowest: i32 = 0; // the lowest action (signed) any path returns

/** The result of the last prove(): constant (1) or not (0). */
export function provedConstant(): u32 {
  return constant ? 1 : 0;
}
/** The last prove()'s constant action, if constant. */
export function provedValue(): u32 {
  return value;
}
/** The lowest action any path of the last prove() returns (i32.MIN_VALUE when unknown). */
export function provedLowest(): i32 {
  return lowest;
}

let first: bool = true;

function returns(r: u32): bool {
  const n = O.normalise(r);
  const act = <i32>(n & O.ACTION_FULL);
  if (act < lowest) lowest = act;
  if (first) {
    first = false;
    value = n;
  } else if (n != value) {
    constant = false;
  }
  // Nothing more to learn once not constant and already at the lowest action.
  return constant || lowest != i32.MIN_VALUE;
}

function unknown(): void {
  constant = false;
  lowest = i32.MIN_VALUE;
}

// The memo: states already explored at a join (a jump's target), so that
// paths that meet in the same state are explored once (results gather into
// constant/value/lowest whatever the path, so skipping a repeat is exact).
// Entries of MEMO_WORDS: epoch tag, pc, known, then A, X, M[] with unknown
// fields as 0. An open-addressed table of `cap` entries; when full, states
// are explored again (slower, still exact).
const MEMO_WORDS: u32 = 21;
const PROBES: u32 = 8;
let epoch: u32 = 0;

/** Clears a memo of `cap` entries (before a run of prove()s over it). */
export function clearMemo(memo: usize, cap: u32): void {
  memory.fill(memo, 0, <usize>cap * MEMO_WORDS * 4);
  epoch = 0;
}

function canon(known: u32, bit: u32, v: u32): u32 {
  return (known & bit) != 0 ? v : 0;
}

/** Whether (pc, state) was explored in this proof; records it if not. */
function seen(memo: usize, cap: u32, pc: u32, known: u32, a: u32, x: u32, m: usize): bool {
  if (cap == 0) return false;
  const ca = canon(known, KA, a);
  const cx = canon(known, KX, x);
  let h: u32 = (pc * 0x9e3779b1) ^ (known * 0x85ebca6b) ^ (ca * 0xc2b2ae35) ^ (cx * 0x27d4eb2f);
  for (let i: u32 = 0; i < 16; i++) h = (h ^ canon(known, 4 << i, load<u32>(m + (<usize>i << 2)))) * 0x01000193;
  for (let probe: u32 = 0; probe < PROBES; probe++) {
    const e = memo + <usize>((h + probe) % cap) * (MEMO_WORDS * 4);
    if (load<u32>(e) != epoch) {
      store<u32>(e, epoch);
      store<u32>(e, pc, 4);
      store<u32>(e, known, 8);
      store<u32>(e, ca, 12);
      store<u32>(e, cx, 16);
      for (let i: u32 = 0; i < 16; i++) store<u32>(e + 20 + (<usize>i << 2), canon(known, 4 << i, load<u32>(m + (<usize>i << 2))));
      return false;
    }
    if (load<u32>(e, 4) != pc || load<u32>(e, 8) != known || load<u32>(e, 12) != ca || load<u32>(e, 16) != cx) continue;
    let same = true;
    for (let i: u32 = 0; i < 16 && same; i++) same = load<u32>(e + 20 + (<usize>i << 2)) == canon(known, 4 << i, load<u32>(m + (<usize>i << 2)));
    if (same) return true;
  }
  return false;
}

/**
 * Proves the program at `p` for number `nr` and arch value `arch`; `scratch`
 * holds len + 1 frames, `memo` `cap` entries cleared by clearMemo().
 */
export function prove(p: usize, len: u32, nr: u32, arch: u32, scratch: usize, memo: usize, cap: u32): void {
  if (++epoch == 0) {
    clearMemo(memo, cap);
    epoch = 1;
  }
  constant = true;
  first = true;
  value = 0;
  lowest = i32.MAX_VALUE;
  // Frame 0: A = X = 0 known, M[] unknown (the checker proved no unset read).
  let top: usize = scratch;
  store<u32>(top, 0, F_PC << 2);
  store<u32>(top, KA | KX, F_KNOWN << 2);
  store<u32>(top, 0, F_A << 2);
  store<u32>(top, 0, F_X << 2);
  let frames: u32 = 1;
  let steps: u32 = 0;
  let forked = false;
  const FB: usize = L.FRAME_WORDS << 2;
  while (frames > 0) {
    frames--;
    const f = scratch + <usize>frames * FB;
    let pc = load<u32>(f, F_PC << 2);
    let known = load<u32>(f, F_KNOWN << 2);
    let a = load<u32>(f, F_A << 2);
    let x = load<u32>(f, F_X << 2);
    const m = f + (F_M << 2);
    let going = true;
    let join = true; // a popped frame starts at a jump's target
    while (going) {
      if (join) {
        join = false;
        // Paths can only meet after a fork: a proof without one skips the memo.
        if (forked && seen(memo, cap, pc, known, a, x, m)) break;
      }
      if (++steps > <u32>L.PROVE_STEPS) {
        unknown();
        return;
      }
      const c = O.code(p, pc);
      const k = O.kOf(p, pc);
      const ka = (known & KA) != 0;
      const kx = (known & KX) != 0;
      pc++;
      switch (c) {
        case O.LD_W_ABS:
          if (k == 0) { a = nr; known |= KA; }
          else if (k == 4) { a = arch; known |= KA; }
          else known &= ~KA;
          break;
        case O.LD_W_LEN: a = L.DATA_BYTES; known |= KA; break;
        case O.LDX_W_LEN: x = L.DATA_BYTES; known |= KX; break;
        case O.LD_IMM: a = k; known |= KA; break;
        case O.LDX_IMM: x = k; known |= KX; break;
        case O.LD_MEM:
          a = load<u32>(m + (<usize>k << 2));
          known = (known & ~KA) | ((known >> (2 + k)) & 1);
          break;
        case O.LDX_MEM:
          x = load<u32>(m + (<usize>k << 2));
          known = (known & ~KX) | (((known >> (2 + k)) & 1) << 1);
          break;
        case O.ST:
          store<u32>(m + (<usize>k << 2), a);
          known = (known & ~(4 << k)) | ((known & KA) << (2 + k));
          break;
        case O.STX:
          store<u32>(m + (<usize>k << 2), x);
          known = (known & ~(4 << k)) | (((known & KX) >> 1) << (2 + k));
          break;
        case O.TAX: x = a; known = (known & ~KX) | ((known & KA) << 1); break;
        case O.TXA: a = x; known = (known & ~KA) | ((known & KX) >> 1); break;
        case O.RET_K:
          going = false;
          if (!returns(k)) return;
          break;
        case O.RET_A:
          going = false;
          if (!ka) { unknown(); return; }
          if (!returns(a)) return;
          break;
        case O.JA: pc += k; join = true; break;
        default:
          if (O.isCondJump(c)) {
            const byX = (c & 0x08) != 0;
            const b = byX ? x : k;
            const kb = byX ? kx : true;
            let t: i32 = -1; // -1 unknown, 0 false, 1 true
            if (ka && kb) {
              const op = c & 0xf0;
              const yes = op == 0x10 ? a == b : op == 0x20 ? a > b : op == 0x30 ? a >= b : (a & b) != 0;
              t = yes ? 1 : 0;
            } else if (kb) {
              const op = c & 0xf0;
              // Always true or false whatever A is.
              if (op == 0x30 && b == 0) t = 1;
              else if (op == 0x20 && b == 0xffffffff) t = 0;
              else if (op == 0x40 && b == 0) t = 0;
            }
            const jt = O.jt(p, pc - 1);
            const jf = O.jf(p, pc - 1);
            join = true;
            if (t == 1) pc += jt;
            else if (t == 0) pc += jf;
            else if (jt == jf) pc += jt;
            else {
              // Explore the false way later: push it with this state.
              // (The popped frame f is slot `frames`: it keeps its M[].)
              saveFrame(f, pc + jf, known, a, x);
              frames++;
              forked = true;
              // Continue the true way in the next frame, with a copy of M[].
              const h = scratch + <usize>frames * FB;
              memory.copy(h + (F_M << 2), m, 16 << 2);
              pc += jt;
              saveFrame(h, pc, known, a, x);
              going = false;
              frames++;
            }
          } else {
            // ALU
            if (c == O.DIV_X && (!kx || x == 0)) {
              // The kernel's program returns 0 on a division by X = 0.
              if (!returns(0)) return;
              if (kx) { going = false; break; }
            }
            const r = alu(c, a, ka, kx ? x : 0, kx, k);
            a = <u32>r;
            if ((r >> 32) != 0) known |= KA;
            else known &= ~KA;
          }
      }
    }
  }
  if (first) unknown(); // no path returned (cannot happen for a checked program)
}

// Writes a state as a frame (the loop pops the last one next).
function saveFrame(h: usize, pc: u32, known: u32, a: u32, x: u32): void {
  store<u32>(h, pc, F_PC << 2);
  store<u32>(h, known, F_KNOWN << 2);
  store<u32>(h, a, F_A << 2);
  store<u32>(h, x, F_X << 2);
}

/** An ALU instruction over A: the new A in the low word, 1 in the high word when it is known. */
function alu(c: u32, a: u32, ka: bool, x: u32, kx: bool, k: u32): u64 {
  const byX = (c & 0x08) != 0 && c != O.NEG;
  const b = byX ? x : k;
  const kb = byX ? kx : true;
  const op = c & 0xf0;
  if (ka && kb) {
    let r: u32 = 0;
    switch (op) {
      case 0x00: r = a + b; break;
      case 0x10: r = a - b; break;
      case 0x20: r = a * b; break;
      case 0x30: r = b == 0 ? 0 : a / b; break;
      case 0x40: r = a | b; break;
      case 0x50: r = a & b; break;
      case 0x60: r = byX ? a << (b & 31) : a << b; break;
      case 0x70: r = byX ? a >>> (b & 31) : a >>> b; break;
      case 0x80: r = 0 - a; break;
      case 0xa0: r = a ^ b; break;
    }
    return (<u64>1 << 32) | <u64>r;
  }
  // A unknown (or X unknown): a few results are known anyway.
  if (kb) {
    if ((op == 0x20 || op == 0x50) && b == 0) return <u64>1 << 32; // A * 0, A & 0
    if (op == 0x40 && b == 0xffffffff) return (<u64>1 << 32) | 0xffffffff; // A | ~0
  }
  if (ka && !kb && a == 0 && (op == 0x20 || op == 0x50 || op == 0x30 || op == 0x60 || op == 0x70)) {
    // 0 * X, 0 & X, 0 / X (or the kernel's 0 on X = 0), 0 << X, 0 >> X
    return <u64>1 << 32;
  }
  return 0;
}
