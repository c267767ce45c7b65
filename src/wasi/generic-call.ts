// Calls a native implementation's function (node:wasi's) that takes an i64
// through a call site V8 cannot specialise. Node 20's V8, at a call site that
// has only seen such a function, calls its fast C++ entry, which takes an i64
// only as a number: the guest's BigInt deoptimizes the caller, which V8
// optimizes again and deoptimizes again for as long as the program runs (any
// JS function around node:wasi's fd_seek or clock_time_get, even one that only
// calls it, spends its time there: 1.2x-1.6x of the same function called
// generically). A call site that has seen two functions is megamorphic for
// good, and V8 then calls the generic entry, which takes the BigInt.

type Fn = (...a: unknown[]) => unknown;

// One caller per arity, so the call passes exactly the guest's arguments
// (node:wasi checks their count). Each is one function, so its call site's
// feedback is one, shared by every function it calls.
const callers: ((f: Fn, ...a: unknown[]) => unknown)[] = [
  (f) => f(),
  (f, a) => f(a),
  (f, a, b) => f(a, b),
  (f, a, b, c) => f(a, b, c),
  (f, a, b, c, d) => f(a, b, c, d),
  (f, a, b, c, d, e) => f(a, b, c, d, e),
  (f, a, b, c, d, e, g) => f(a, b, c, d, e, g),
  (f, a, b, c, d, e, g, h) => f(a, b, c, d, e, g, h),
  (f, a, b, c, d, e, g, h, i) => f(a, b, c, d, e, g, h, i),
  (f, a, b, c, d, e, g, h, i, j) => f(a, b, c, d, e, g, h, i, j),
];
const warmed: boolean[] = [];
const zero = (): number => 0;
const one = (): number => 1;

/** @internal Whether V8 may call `f` through a fast C++ entry: a native or bound function (not JS source). */
export function isNative(f: Function): boolean {
  try {
    return /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(f));
  } catch {
    return false;
  }
}

/** @internal `f` called through its arity's caller (see above), which V8 calls generically. */
export function genericCall(f: Fn, arity: number): Fn {
  const call = callers[arity]!;
  if (warmed[arity] !== true) {
    // Two functions seen once V8 records feedback for the caller (after some
    // calls): megamorphic. Once per arity, on first use.
    for (let i = 0; i < 256; i++) call(i & 1 ? one : zero);
    warmed[arity] = true;
  }
  // In an array's element: a value V8 cannot fold into the code as a constant target.
  return behind[arity]!([f], call);
}

// `f` behind `call`, one literal per arity (no rest arguments on the way).
type Call = (f: Fn, ...a: unknown[]) => unknown;
const behind: ((f: Fn[], call: Call) => Fn)[] = [
  (f, call) => () => call(f[0]!),
  (f, call) => (a) => call(f[0]!, a),
  (f, call) => (a, b) => call(f[0]!, a, b),
  (f, call) => (a, b, c) => call(f[0]!, a, b, c),
  (f, call) => (a, b, c, d) => call(f[0]!, a, b, c, d),
  (f, call) => (a, b, c, d, e) => call(f[0]!, a, b, c, d, e),
  (f, call) => (a, b, c, d, e, g) => call(f[0]!, a, b, c, d, e, g),
  (f, call) => (a, b, c, d, e, g, h) => call(f[0]!, a, b, c, d, e, g, h),
  (f, call) => (a, b, c, d, e, g, h, i) => call(f[0]!, a, b, c, d, e, g, h, i),
  (f, call) => (a, b, c, d, e, g, h, i, j) => call(f[0]!, a, b, c, d, e, g, h, i, j),
];
