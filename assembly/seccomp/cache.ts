// Fills a section's action cache at install: per number, each filter's proof
// (prove.ts), then the stack's. The stack's action is constant when one
// filter's constant action j wins whatever the others return: every newer
// filter's lowest possible action is above j's, and every older one's is at
// or above it (an older filter loses a tie).
import * as L from './layout';
import * as O from './opcodes';
import { clearMemo, prove, provedConstant, provedLowest, provedValue } from './prove';

/** Proofs of one number, one record per filter: constant, value, lowest. */
export function fillCache(set: usize, sec: u32, scratch: usize, proofs: usize, memo: usize, cap: u32): void {
  const s = set + <usize>load<u32>(set + (L.S_SECTIONS << 2)) + (<usize>sec * (L.A_WORDS << 2));
  const arch = load<u32>(s + (L.A_ARCH << 2));
  const base = load<u32>(s + (L.A_BASE << 2));
  const count = load<u32>(s + (L.A_COUNT << 2));
  const cache = set + <usize>load<u32>(s + (L.A_CACHE << 2));
  const n = load<u32>(set + (L.S_FILTERS << 2));
  const dir = set + <usize>load<u32>(set + (L.S_DIR << 2));
  clearMemo(memo, cap);
  for (let i: u32 = 0; i < count; i++) {
    for (let f: u32 = 0; f < n; f++) {
      const d = dir + (<usize>f * (L.D_WORDS << 2));
      prove(set + <usize>load<u32>(d + (L.D_INSNS << 2)), load<u32>(d + (L.D_LEN << 2)), base + i, arch, scratch, memo, cap);
      const r = proofs + (<usize>f * 12);
      store<u32>(r, provedConstant());
      store<u32>(r, provedValue(), 4);
      store<i32>(r, provedLowest(), 8);
    }
    store<u32>(cache + (<usize>i << 2), combine(proofs, n));
  }
}

/** The stack's constant action from its filters' proofs (newest first), or NOT_CONST. */
function combine(proofs: usize, n: u32): u32 {
  // The candidate: the lowest constant action, the newest on a tie.
  let j: i32 = -1;
  let best: i32 = i32.MAX_VALUE;
  for (let f: u32 = 0; f < n; f++) {
    const r = proofs + (<usize>f * 12);
    if (load<u32>(r) == 0) continue;
    const act = <i32>(load<u32>(r, 4) & O.ACTION_FULL);
    if (j < 0 || act < best) {
      j = <i32>f;
      best = act;
    }
  }
  if (j < 0) return L.NOT_CONST;
  for (let f: u32 = 0; f < n; f++) {
    if (<i32>f == j) continue;
    const low = load<i32>(proofs + (<usize>f * 12), 8);
    if (<i32>f < j ? low <= best : low < best) return L.NOT_CONST;
  }
  const v = load<u32>(proofs + (<usize>j * 12), 4);
  return O.normalise(v);
}
