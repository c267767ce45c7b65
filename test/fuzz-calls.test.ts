// Fuzz of the calling side: call, call64, callAsync, tryCall and dispatch,
// against handlers of every kind (plain, async, throwing, bigint: true,
// WebAssembly, wraps over them, reservations, missing calls under every
// policy and traps), with hook switches, enter hooks and arguments and
// results of every JS type. Every outcome must be the documented result, the
// ABI's ENOSYS, the handler's own error, or a SystabError with the documented
// code; the table verifies after each, and a bystander handler keeps working.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createTable, SystabError, type Module, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { wasmHandlers } from './helpers/wasm.js';
import { wasmCaller } from './helpers/wasm.js';
import {
  anyValue,
  attempt,
  box,
  expectAllowedError,
  expectIntact,
  fuzzParams,
  HandlerError,
  isOwnError,
  settle,
  showValue,
  type Box,
  type Outcome,
} from './helpers/fuzz-values.js';

const WRITE = 1; // the slot under test
const GETPID = 39; // a bystander: 4242 throughout
const OOR = 99999;
const ENOSYS = abi.enosys;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

type Kind = 'plain' | 'async' | 'throws' | 'bigint' | 'wasm' | 'wrap' | 'wrapBelow' | 'wrapBigint' | 'reserved' | 'enosys' | 'throw' | 'log-once' | 'trap' | 'oor-trap';
const KINDS: Kind[] = ['plain', 'async', 'throws', 'bigint', 'wasm', 'wrap', 'wrapBelow', 'wrapBigint', 'reserved', 'enosys', 'throw', 'log-once', 'trap', 'oor-trap'];
const EXACT: Kind[] = ['bigint', 'wasm', 'wrapBigint']; // handlers that take exact 64-bit values (wrapBigint: a wrap over one)
const NUMBERS: Kind[] = ['plain', 'async', 'throws', 'wrap', 'wrapBelow', 'wrapBigint']; // JS handlers and wraps taking numbers
const MISSING: Kind[] = ['reserved', 'enosys', 'throw', 'log-once', 'trap', 'oor-trap'];

interface World {
  t: Table<string, number | Promise<number>>;
  nr: number;
  received: unknown[][]; // arguments the handler under test got
  m: Module | undefined; // the module under test, if the kind loads one
}

/** A table with the bystander and the handler under test, which answers `r` (its kind permitting). */
function world(kind: Kind, r: unknown, async = false): World {
  const t = createTable({ abi, async });
  t.load({ name: 'bystander', handlers: { getpid: () => 4242 } });
  const received: unknown[][] = [];
  const rec = (...a: unknown[]): void => void received.push(a);
  const answer = (...a: unknown[]): unknown => (rec(...a), r);
  let m: Module | undefined;
  switch (kind) {
    case 'plain':
      m = t.load({ name: 'm', handlers: { write: answer as never } });
      break;
    case 'async':
      m = t.load({ name: 'm', handlers: { write: (async (...a: unknown[]) => answer(...a)) as never } });
      break;
    case 'throws':
      m = t.load({ name: 'm', handlers: { write: () => { throw new HandlerError(); } } });
      break;
    case 'bigint':
      m = t.load({ name: 'm', handlers: { write: { bigint: true, fn: answer as never } } });
      break;
    case 'wasm':
      m = t.load({ name: 'm', handlers: { write: { wasm: wasmHandlers().add } } });
      break;
    case 'wrap':
      t.load({ name: 'base', handlers: { write: () => 11 } });
      m = t.load({ name: 'm', wraps: { write: () => answer as never } });
      break;
    case 'wrapBelow':
      t.load({ name: 'base', handlers: { write: answer as never } });
      m = t.load({ name: 'm', wraps: { write: (below) => (...a) => below(...a) } });
      break;
    case 'wrapBigint':
      t.load({ name: 'base', handlers: { write: { bigint: true, fn: answer as never } } });
      m = t.load({ name: 'm', wraps: { write: (below) => (...a) => below(...a) } });
      break;
    case 'reserved':
      t.reserve('net', ['write']);
      break;
    case 'enosys':
    case 'throw':
    case 'log-once':
      t.setMissing(['write'], kind);
      break;
    case 'trap':
      t.setMissing(['write'], answer as never);
      break;
    case 'oor-trap':
      t.setMissing('*', answer as never);
      break;
  }
  return { t, nr: kind === 'oor-trap' ? OOR : WRITE, received, m };
}

// ---- expected outcomes ----

type Expect =
  | { value: unknown } // exactly this result (Object.is; bigints by value)
  | { code: string } // a SystabError with this code
  | { own: true } // the handler's own error, passed on unchanged
  | { promise: true }; // a promise (an async handler's, returned as is)

const isThenable = (r: unknown): boolean => r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function';
const isHostile = (r: unknown): boolean => {
  // A value that throws when systab looks at it (its .then): its own error is an answer too.
  try {
    void (r !== null && typeof r === 'object' && (r as { then?: unknown }).then);
    return false;
  } catch {
    return true;
  }
};
const safeBig = (r: unknown): r is bigint => typeof r === 'bigint' && r <= SAFE && r >= -SAFE;
const isIntNumber = (a: unknown): a is number => typeof a === 'number' && Number.isInteger(a);

/** What call() may answer for a JS handler (or a wrap) that returned `r`; `promises`: the table is async (or this is tryCall()). */
function callResult(r: unknown, promises = false): Expect[] {
  if (typeof r === 'number') return [{ value: r }];
  if (isHostile(r)) return [{ own: true }];
  if (isThenable(r)) return promises ? [{ value: r }] : [{ code: 'EASYNC' }];
  return [{ code: 'EBADRESULT' }];
}

/** What a missing-call trap's answer `r` must give: a number, or EBADRESULT as for handlers. */
function trapResult(r: unknown): Expect[] {
  if (typeof r === 'number') return [{ value: r }];
  return [{ code: 'EBADRESULT' }];
}

/** The args call() passes on: undefined -> 0. */
const defaulted = (args: unknown[]): unknown[] => Array.from({ length: 6 }, (_, i) => (args[i] === undefined ? 0 : args[i]));

function expectCall(kind: Kind, r: unknown, args: unknown[], skip: unknown, promises = false): Expect[] {
  const a = defaulted(args);
  const badExact = EXACT.includes(kind) && a.some((x) => !isIntNumber(x) && typeof x !== 'bigint');
  // A bigint for a JS handler or wrap taking numbers is refused before anything runs (hooks included).
  if (NUMBERS.includes(kind) && a.some((x) => typeof x === 'bigint')) return [{ code: 'EBADARG' }];
  // An enter hook that returns a number answers for the handler.
  if (typeof skip === 'number') return badExact ? [{ value: skip }, { code: 'EBADARG' }] : [{ value: skip }];
  // Handlers that take exact values get BigInt(argument): only integers convert.
  if (badExact) return [{ code: 'EBADARG' }];
  switch (kind) {
    case 'plain':
    case 'wrap':
    case 'wrapBelow':
      return callResult(r, promises);
    case 'async':
      return promises ? [{ promise: true }] : [{ code: 'EASYNC' }];
    case 'throws':
      return [{ own: true }];
    case 'bigint':
    case 'wrapBigint':
      if (typeof r === 'bigint') return safeBig(r) ? [{ value: Number(r) }] : [{ code: 'EBADRESULT' }];
      return callResult(r, promises);
    case 'wasm': {
      const [x, y] = a as number[];
      // Exact up to 2^53; beyond it a number cannot say what WebAssembly computed.
      if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return [{ value: Number(BigInt.asIntN(64, BigInt(x!) + BigInt(y!))) }];
      return [{ value: 'any number' }, { code: 'EBADARG' }];
    }
    case 'reserved':
    case 'enosys':
    case 'log-once':
      return [{ value: ENOSYS }];
    case 'throw':
      return [{ code: 'ENOSYS' }];
    case 'trap':
    case 'oor-trap':
      return trapResult(r);
  }
}

/** call64()'s arguments: bigints, or numbers that are safe integers. */
const badArg64 = (a: unknown): boolean => a !== undefined && typeof a !== 'bigint' && !(typeof a === 'number' && Number.isSafeInteger(a));

/** An integer number as a 64-bit result: exact, or (beyond 64 bits) cut to 64 bits or EBADRESULT; never a bigint of more than 64 bits. */
function intTo64(r: number): Expect[] {
  if (!Number.isInteger(r)) return [{ code: 'EBADRESULT' }];
  const b = BigInt(r);
  return b === BigInt.asIntN(64, b) ? [{ value: b }] : [{ value: BigInt.asIntN(64, b) }, { code: 'EBADRESULT' }];
}

/** What call64() may answer for a result `r` that came back through call() (plain handlers, wraps, traps). */
function numberTo64(r: unknown): Expect[] {
  if (typeof r === 'number') return intTo64(r);
  if (isHostile(r)) return [{ own: true }];
  if (safeBig(r)) return [{ value: r }, { code: 'EBADRESULT' }];
  return [{ code: 'EBADRESULT' }]; // a promise included: call64() answers a bigint there and then
}

function expectCall64(kind: Kind, r: unknown, args: unknown[], skip: unknown): Expect[] {
  if (args.some(badArg64)) return [{ code: 'EBADARG' }];
  const big = Array.from({ length: 6 }, (_, i) => (args[i] === undefined ? 0n : BigInt.asIntN(64, BigInt(args[i] as bigint | number))));
  const exact = kind === 'bigint' || kind === 'wasm';
  if (!exact && !MISSING.includes(kind) && big.some((b) => b > SAFE || b < -SAFE)) return [{ code: 'EBADARG' }];
  if (typeof skip === 'number') return intTo64(skip);
  switch (kind) {
    case 'plain':
    case 'wrap':
    case 'wrapBelow':
      return numberTo64(r);
    case 'trap':
    case 'oor-trap':
      // A trap's answer is a number or EBADRESULT (systab never looks inside it).
      return typeof r === 'number' ? intTo64(r) : [{ code: 'EBADRESULT' }];
    case 'wrapBigint':
      // Through the wrap (not exact): call()'s answer, then to a bigint.
      if (typeof r === 'bigint') return safeBig(r) ? [{ value: r }] : [{ code: 'EBADRESULT' }];
      return numberTo64(r);
    case 'async':
      return [{ code: 'EBADRESULT' }];
    case 'throws':
      return [{ own: true }];
    case 'bigint':
      if (typeof r === 'bigint') return [{ value: BigInt.asIntN(64, r) }];
      if (typeof r === 'number') return intTo64(r);
      return [{ code: 'EBADRESULT' }];
    case 'wasm':
      return [{ value: BigInt.asIntN(64, big[0]! + big[1]!) }];
    case 'reserved':
    case 'enosys':
    case 'log-once':
      return [{ value: BigInt(ENOSYS) }];
    case 'throw':
      return [{ code: 'ENOSYS' }];
  }
}

function matches(o: Outcome, e: Expect): boolean {
  if ('value' in e) {
    if (!o.ok) return false;
    if (e.value === 'any number') return typeof o.value === 'number';
    if (e.value === 'anything') return true;
    return typeof e.value === 'bigint' ? o.value === e.value : Object.is(o.value, e.value);
  }
  if ('promise' in e) return o.ok && o.value instanceof Promise;
  if ('own' in e) return !o.ok && isOwnError(o.error);
  return !o.ok && o.error instanceof SystabError && o.error.code === e.code;
}

function show(o: Outcome): string {
  if (o.ok) return `returned ${showValue(o.value)}`;
  const e = o.error;
  return e instanceof SystabError ? `threw ${e.code}: ${e.message}` : e instanceof Error ? `threw ${e.constructor.name}: ${e.message}` : `threw ${showValue(e)}`;
}
const showExpect = (e: Expect): string => ('value' in e ? `returns ${showValue(e.value)}` : 'code' in e ? e.code : 'own' in e ? "the handler's own error" : 'a promise');

function check(o: Outcome, expected: Expect[], context: string): void {
  if (!o.ok) expectAllowedError(o.error, context);
  if (!expected.some((e) => matches(o, e))) expect.fail(`${context}: ${show(o)}; expected ${expected.map(showExpect).join(' or ')}`);
}

/** The table verifies and the bystander answers 4242 on every path. */
function expectUsable(w: World, context: string): void {
  expectIntact(w.t, context);
  expect(w.t.call(GETPID), context).toBe(4242);
  expect(w.t.call64(GETPID), context).toBe(4242n);
}

// ---- arbitraries ----

const smallInt = fc.integer({ min: -5, max: 300 }).map((n) => box(String(n), () => n));
const argBox = fc.oneof({ weight: 3, arbitrary: smallInt }, { weight: 2, arbitrary: anyValue });
const argList = fc.array(argBox, { maxLength: 7 });
const resultBox = fc.oneof({ weight: 1, arbitrary: smallInt }, { weight: 3, arbitrary: anyValue });
const enterArb = fc.oneof(fc.constant<'off'>('off'), fc.constant<'pass'>('pass'), resultBox);
const hookState = fc.record({ count: fc.boolean(), exit: fc.boolean(), enter: enterArb });

function setHooks(w: World, h: { count: boolean; exit: boolean; enter: 'off' | 'pass' | Box }): unknown {
  const enter = h.enter !== 'off';
  if (h.count || h.exit || enter) w.t.hooks(['write'], { count: h.count, exit: h.exit, enter });
  const skip = typeof h.enter === 'object' ? h.enter.make() : undefined;
  if (enter) w.t.onEnter(() => skip as number | void);
  if (h.exit) w.t.onExit(() => {});
  // An enter hook that returns a number skips the handler (and applies to slot numbers only).
  return w.nr === WRITE ? skip : undefined;
}

let warn: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // log-once
});
afterAll(() => warn.mockRestore());

// One property per method and group of handler kinds, so that each fault
// shows up in its own test.
const GROUPS: [string, Kind[]][] = [
  ['JS handlers and wraps', ['plain', 'async', 'throws', 'wrap', 'wrapBelow']],
  ['exact handlers (bigint: true, WebAssembly, a wrap over bigint)', ['bigint', 'wasm', 'wrapBigint']],
  ['missing calls (reservation, enosys, throw, log-once)', ['reserved', 'enosys', 'throw', 'log-once']],
  ['missing-call traps (setMissing(..., fn), a number and out of range)', ['trap', 'oor-trap']],
];
const hookLabel = (h: { count: boolean; exit: boolean; enter: 'off' | 'pass' | Box }): string => JSON.stringify({ ...h, enter: typeof h.enter === 'object' ? h.enter.label : h.enter });

describe.each(GROUPS)('fuzz: calls to %s', (_, kinds) => {
  it('call() answers as documented', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), resultBox, argList, hookState, fc.boolean(), (kind, rb, argBoxes, hooks, async) => {
        const r = rb.make();
        const w = world(kind, r, async);
        const skip = setHooks(w, hooks);
        const args = argBoxes.map((b) => b.make());
        const context = `call(${w.nr}, ${args.map(showValue).join(', ')}) to a ${kind} handler answering ${rb.label}, hooks ${hookLabel(hooks)}, async ${async}`;
        const o = attempt(() => (w.t.call as (...a: unknown[]) => unknown)(w.nr, ...args));
        check(o, expectCall(kind, r, args, skip, async), context);
        // Plain handlers get their arguments as given; exact ones get BigInt of each.
        if (o.ok && skip === undefined && w.received.length === 1) {
          const got = w.received[0]!;
          const want = defaulted(args);
          if (kind === 'bigint' || kind === 'wrapBigint') expect(got, context).toEqual(want.map((a) => BigInt(a as number)));
          else if (kind === 'plain' || kind === 'wrap' || kind === 'wrapBelow') got.forEach((g, i) => expect(Object.is(g, want[i]), `${context}: argument ${i}`).toBe(true));
        }
        expectUsable(w, context);
      }),
      fuzzParams(500),
    );
  });

  it('call64() answers as documented', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), resultBox, argList, hookState, (kind, rb, argBoxes, hooks) => {
        const r = rb.make();
        const w = world(kind, r);
        const skip = setHooks(w, hooks);
        const args = argBoxes.slice(0, 6).map((b) => b.make());
        const context = `call64(${w.nr}, ${args.map(showValue).join(', ')}) to a ${kind} handler answering ${rb.label}, hooks ${hookLabel(hooks)}`;
        const o = attempt(() => (w.t.call64 as (...a: unknown[]) => unknown)(w.nr, ...args));
        check(o, expectCall64(kind, r, args, skip), context);
        if (o.ok && kind === 'bigint' && skip === undefined) {
          expect(w.received[0], context).toEqual(Array.from({ length: 6 }, (_, i) => (args[i] === undefined ? 0n : BigInt.asIntN(64, BigInt(args[i] as bigint)))));
        }
        expectUsable(w, context);
      }),
      fuzzParams(500),
    );
  });

  it('callAsync() never throws and settles as call() answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), resultBox, argList, hookState, async (kind, rb, argBoxes, hooks) => {
        const r = rb.make();
        const w = world(kind, r);
        const skip = setHooks(w, hooks);
        const args = argBoxes.map((b) => b.make());
        const context = `callAsync(${w.nr}, ${args.map(showValue).join(', ')}) to a ${kind} handler answering ${rb.label}, hooks ${hookLabel(hooks)}`;
        const sync = attempt(() => (w.t.callAsync as (...a: unknown[]) => unknown)(w.nr, ...args));
        if (!sync.ok) expect.fail(`${context}: threw instead of rejecting: ${show(sync)}`);
        expect(sync.value, context).toBeInstanceOf(Promise);
        const o = await settle(sync.value, 2000, context);
        // The promise of an async handler (or a thenable) is adopted: it settles with what that settles with.
        const want = expectCall(kind, r, args, skip, true).flatMap((e): Expect[] => ('promise' in e ? [{ value: isThenable(r) ? 'anything' : r }, { own: true }] : 'value' in e && isThenable(e.value) ? [{ value: 1 }] : [e]));
        check(o, want, context);
        expectUsable(w, context);
      }),
      fuzzParams(300),
    );
  });

  it('tryCall() with an array of arguments answers a call run here as call() does (never "not taken")', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), resultBox, argList, fc.constantFrom(undefined, 0, 1, 50, Infinity), (kind, rb, argBoxes, spin) => {
        const r = rb.make();
        const w = world(kind, r);
        const argv = argBoxes.map((b) => b.make());
        const context = `tryCall(${w.nr}, [${argv.map(showValue).join(', ')}], ${spin}) to a ${kind} handler answering ${rb.label}`;
        const o = attempt(() => w.t.tryCall(w.nr, argv as number[], spin));
        check(o, expectCall(kind, r, argv.slice(0, 6), undefined, true), context);
        expectUsable(w, context);
      }),
      fuzzParams(500),
    );
  });

  it('dispatch answers the same on the first call (JS slow path) as on later ones (resolved in the core), as documented', () => {
    const big = fc.oneof(fc.bigInt({ min: -300n, max: 300n }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }));
    fc.assert(
      fc.property(fc.constantFrom(...kinds), resultBox, fc.array(big, { minLength: 6, maxLength: 6 }), hookState, fc.boolean(), (kind, rb, args, hooks, viaGuest) => {
        const r = rb.make();
        const w = world(kind, r);
        const skip = setHooks(w, hooks);
        const a = args as [bigint, bigint, bigint, bigint, bigint, bigint];
        const run = viaGuest ? wasmCaller(w.t.dispatch) : w.t.dispatch;
        const context = `dispatch(${w.nr}, ${a.map((x) => `${x}n`).join(', ')}) ${viaGuest ? 'from a guest' : 'from JS'} to a ${kind} handler answering ${rb.label}, hooks ${hookLabel(hooks)}`;
        const first = attempt(() => run(w.nr, ...a));
        const second = attempt(() => run(w.nr, ...a));
        for (const [o, which] of [[first, 'first'], [second, 'second']] as const) {
          if (!o.ok) expectAllowedError(o.error, `${context} (${which} call)`);
          else expect(typeof o.value, `${context} (${which} call)`).toBe('bigint');
        }
        const same = first.ok && second.ok ? first.value === second.value : !first.ok && !second.ok && sameError(first.error, second.error);
        if (!same) expect.fail(`${context}: first call ${show(first)}, second ${show(second)}`);
        // Where the answer is known exactly.
        const n64 = a.map((x) => BigInt.asIntN(64, x));
        let want: Expect[] | undefined;
        if (typeof skip === 'number') want = undefined;
        else if (kind === 'wasm') want = [{ value: BigInt.asIntN(64, n64[0]! + n64[1]!) }];
        else if (kind === 'throws') want = [{ own: true }];
        else if (kind === 'async') want = [{ code: 'EBADRESULT' }];
        else if (kind === 'throw') want = [{ code: 'ENOSYS' }];
        else if (kind === 'reserved' || kind === 'enosys' || kind === 'log-once') want = [{ value: BigInt(ENOSYS) }];
        else if (kind === 'bigint') want = typeof r === 'bigint' ? [{ value: BigInt.asIntN(64, r) }] : typeof r === 'number' ? intTo64(r) : [{ code: 'EBADRESULT' }];
        else if (Number.isSafeInteger(r)) want = [{ value: BigInt(r as number) }];
        else if (typeof r !== 'number' && typeof r !== 'bigint') want = [{ code: 'EBADRESULT' }, { own: true }];
        if (want !== undefined) check(first, want, context);
        expectUsable(w, context);
      }),
      fuzzParams(500),
    );
  });
});

describe('fuzz: tryCall() arguments', () => {
  const argsArg = fc.oneof({ weight: 1, arbitrary: argList.map((l) => box(`[${l.map((b) => b.label).join(', ')}]`, () => l.map((b) => b.make()))) }, { weight: 3, arbitrary: anyValue });
  const spinArg = fc.oneof(fc.constant(undefined), fc.constantFrom(0, 1, 50).map((n) => box(String(n), () => n)), anyValue);
  it('takes an array of arguments and microseconds >= 0; anything else is EBADSPEC', () => {
    fc.assert(
      fc.property(resultBox, argsArg, spinArg, (rb, ab, sb) => {
        const r = rb.make();
        const w = world('plain', r);
        const argv = ab.make();
        const spin = sb?.make();
        const context = `tryCall(1, ${ab.label}, ${sb?.label ?? '(none)'}) to a handler answering ${rb.label}`;
        const o = attempt(() => (w.t.tryCall as (...a: unknown[]) => unknown)(w.nr, argv, ...(sb === undefined ? [] : [spin])));
        const goodArgs = argv === undefined || safeIsArray(argv);
        const goodSpin = spin === undefined || (typeof spin === 'number' && spin >= 0);
        if (!goodArgs || !goodSpin) check(o, [{ code: 'EBADSPEC' }, { own: true }], context); // a hostile value may throw its own error first
        else {
          // An array whose elements throw when read: their own error is the answer.
          let want: Expect[];
          try {
            want = expectCall('plain', r, Array.from((argv ?? []) as unknown[]).slice(0, 6), undefined, true);
          } catch {
            want = [{ own: true }];
          }
          check(o, want, context);
        }
        expectUsable(w, context);
      }),
      fuzzParams(1000),
    );
  });
});

function safeIsArray(v: unknown): boolean {
  try {
    return Array.isArray(v);
  } catch {
    return false; // a revoked Proxy
  }
}

function sameError(a: unknown, b: unknown): boolean {
  if (a instanceof SystabError && b instanceof SystabError) return a.code === b.code;
  return isOwnError(a) && isOwnError(b) && (a as object).constructor === (b as object).constructor;
}
describe('fuzz: handlers that throw or answer late leave nothing behind', () => {
  it('after any call, an unload of the module under test resolves (no depth or in-flight count left over)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Kind>('plain', 'async', 'throws', 'bigint', 'wasm', 'wrapBelow'), resultBox, argList, fc.constantFrom('call', 'call64', 'dispatch', 'callAsync'), async (kind, rb, argBoxes, method) => {
        const r = rb.make();
        const w = world(kind, r);
        const m = w.t.module(w.m!.token); // a handle through the owner token
        const args = argBoxes.map((b) => b.make());
        const context = `${method} to a ${kind} handler answering ${rb.label}, then unload`;
        const o = attempt(() => {
          if (method === 'dispatch') return w.t.dispatch(WRITE, 1n, 2n, 3n, 0n, 0n, 0n);
          return (w.t[method] as (...a: unknown[]) => unknown)(WRITE, ...args.slice(0, method === 'call64' ? 6 : 7));
        });
        // (The call's own answer is judged above; here only what it leaves behind.)
        if (o.ok && o.value instanceof Promise) await settle(o.value, 2000, context);
        const u = await settle(m.unload({ timeout: 1000 }), 3000, `${context}: unload`);
        if (!u.ok) expect.fail(`${context}: unload ${show(u)}`);
        expect(w.m!.loaded, context).toBe(false);
        // What was below the unloaded module answers now: the base handler under the wrap, else ENOSYS.
        check(attempt(() => w.t.call(WRITE)), kind === 'wrapBelow' ? callResult(r) : [{ value: ENOSYS }], `${context}: call after unload`);
        const mods = w.t.load({ name: 'after', handlers: { getppid: () => 2 } });
        expect(w.t.call(110), context).toBe(2);
        await settle(mods.unload({ timeout: 1000 }), 3000, `${context}: unload of after`);
        expectUsable(w, context);
      }),
      fuzzParams(300),
    );
  });
});
