// Calls with exact 64-bit arguments and result (call64(), and WebAssembly
// callers of handlers that take them): bigint or WebAssembly handlers get
// the values exact; others get numbers, refused where they would round.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { describeSlot } from './slots.js';
import { exact, resolve, type Code } from './code.js';
import { hooked, missingCall, missingOor, type Policy } from './policy.js';
import { checkNr, toBig, toResult64 } from './results.js';
import type { View } from './view.js';
import { ANY, carryingAs, type Carrier } from './proxy.js';

/** Table.call64(): like call(), with exact 64-bit arguments and result. `t` is the Table, for calls that take numbers after all. */
export function call64(t: { readonly v: View; readonly carrier: Carrier; call(nr: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): unknown }, p: Policy, c: Code, nr: number, a0: bigint | number = 0n, a1: bigint | number = 0n, a2: bigint | number = 0n, a3: bigint | number = 0n, a4: bigint | number = 0n, a5: bigint | number = 0n): bigint {
  const args = [a0, a1, a2, a3, a4, a5].map((a, i) => toBig(a, i));
  const slot = checkNr(t.v.map, nr);
  if (slot < 0) return toResult64(missingOor(p, nr, args.map(Number)), t.v.map, -1);
  const word = Atomics.load(t.v.i32, t.v.at.slots + slot);
  const id = word & L.ID_MASK;
  if (id === 0 || (word & L.SLOW) !== 0) return toResult64(missingCall(p, nr, slot, word, args.map(Number)), t.v.map, slot);
  const entry = exact(c, id);
  if (entry !== undefined) {
    if ((entry.kind & L.HK_WASM) !== 0) resolve(c, id); // puts it in this thread's core table
    // Hooks see the arguments as numbers (for display); the handler gets them exact.
    const run = (): unknown => ((entry.kind & L.HK_WASM) !== 0 ? t.v.core.callWasm64(id, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!) : (entry.fn as Function)(...args));
    return hooked(p, nr, slot, word, args.map(Number), run, (r) => toResult64(r, t.v.map, slot), args);
  }
  const nums = args.map((a, i) => {
    if (a > BigInt(Number.MAX_SAFE_INTEGER) || a < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SystabError('EBADARG', `argument ${i} (${a}n) of ${describeSlot(t.v.map, slot)} does not fit the handler's numbers exactly; declare the handler with bigint: true`);
    }
    return Number(a);
  });
  // A wrap or carried call may answer a promise here: call64() answers exact integers only.
  return toResult64(carryingAs(t.carrier, ANY, () => t.call(nr, nums[0], nums[1], nums[2], nums[3], nums[4], nums[5])), t.v.map, slot);
}
