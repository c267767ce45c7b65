// fast-check arbitraries of values of every JS type, for the fuzz tests
// (test/fuzz-*.test.ts), and the one check they all make of an outcome: a
// SystabError with a documented code, or an error that the value itself (or a
// test handler) threw, never a raw TypeError/RangeError/SyntaxError.
//
// Values come boxed ({ label, make }): fast-check prints the label (a Proxy
// that throws on every access cannot be printed), and make() builds a fresh
// value each time (a getter that changes on its second read must start over).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import fc from 'fast-check';
import { SystabError, type Table } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { wasmHandlers } from './wasm.js';

// ---- fast-check parameters ----

/** Fixed, so a failure reproduces; FUZZ_SEED overrides it. fast-check prints it (and the path) on failure. */
export const SEED = Number(process.env.FUZZ_SEED ?? 0x5157ab);
/** FUZZ_RUNS multiplies every property's runs (e.g. FUZZ_RUNS=10 for a long soak). */
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);

export function fuzzParams<T>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: true };
}

// ---- the documented error codes, read from src/errors.ts ----

const errorsSource = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8');
const typeBody = /export type SystabErrorCode =([\s\S]*?);/.exec(errorsSource)?.[1] ?? '';
/** Every code of SystabErrorCode. */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set([...typeBody.matchAll(/'([A-Z]+)'/g)].map((m) => m[1]!));
if (DOCUMENTED_CODES.size < 10) throw new Error('fuzz-values: could not read the SystabErrorCode union from src/errors.ts');

// ---- errors the fuzz values and test handlers throw themselves ----

/** Thrown by every hostile Proxy trap and hostile getter. */
export class HostileError extends Error {
  constructor(what: string) {
    super(`hostile value: ${what}`);
    this.name = 'HostileError';
  }
}
/** Thrown by the test's throwing handlers. */
export class HandlerError extends Error {
  constructor() {
    super('thrown by a test handler');
    this.name = 'HandlerError';
  }
}
/** A non-Error value a test handler throws. */
export const THROWN_VALUE = 'a string thrown by a test handler';

/** True for an error a fuzz value or a test handler threw (which systab must pass on unchanged). */
export function isOwnError(e: unknown): boolean {
  if (e instanceof HostileError || e instanceof HandlerError || e === THROWN_VALUE) return true;
  // A WebAssembly handler that traps (documented: the trap unwinds to the caller).
  if (e instanceof WebAssembly.RuntimeError && /unreachable/.test(e.message)) return true;
  // Touching a revoked Proxy: the engine throws for the value itself.
  return e instanceof TypeError && /revoked/.test(e.message);
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ''}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}`;
  return `thrown ${typeof e}: ${String(e)}`;
}

/** Fails unless `e` is a SystabError with a documented code (one of `codes` if given) or an error the value itself threw. */
export function expectAllowedError(e: unknown, context: string, codes?: readonly string[]): void {
  if (isOwnError(e)) return;
  if (!(e instanceof SystabError) || !DOCUMENTED_CODES.has(e.code) || e.name !== 'SystabError') {
    expect.fail(`${context}: raw error ${describeError(e)}`);
  }
  if (codes !== undefined && !codes.includes(e.code)) expect.fail(`${context}: ${e.code} (${e.message}), expected one of ${codes.join(', ')}`);
}

/** Fails unless `e` is a SystabError with exactly this code. */
export function expectCode(e: unknown, code: string, context: string): void {
  if (!(e instanceof SystabError)) expect.fail(`${context}: expected SystabError ${code}, got ${describeError(e)}`);
  if (e.code !== code) expect.fail(`${context}: expected ${code}, got ${e.code} (${e.message})`);
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `f` and says how it ended (a promise it returns gets a rejection handler: its outcome is judged where it matters). */
export function attempt(f: () => unknown): Outcome {
  try {
    const value = f();
    if (value instanceof Promise) value.catch(() => {});
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Awaits `p`, failing the test (a hang) after `ms`. */
export async function settle(p: unknown, ms: number, what: string): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} did not settle within ${ms} ms (a hang)`)), ms)));
  try {
    return { ok: true, value: await Promise.race([p, hang]) };
  } catch (error) {
    if (error instanceof Error && /a hang\)$/.test(error.message)) expect.fail(error.message);
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** verify() passes, with a message naming where. */
export function expectIntact(t: Table<string, number | Promise<number>>, context: string): void {
  const r = attempt(() => t.verify());
  if (!r.ok) expect.fail(`${context}: verify() failed: ${describeError(r.error)}`);
}

/** What a value looks like in a report: numbers with sign and n for bigints. */
export function showValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '...' : v);
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'function';
  return typeof v;
}

// ---- boxed values ----

export interface Box {
  readonly label: string;
  make(): unknown;
}

export function box(label: string, make: () => unknown): Box {
  return { label, make, [fc.toStringMethod]: () => label } as Box;
}
const constant = (label: string, v: unknown): Box => box(label, () => v);

/** A Proxy whose every trap throws HostileError (over a function target: callable, constructible, typeof 'function' unless `object`). */
export function throwingProxy(object = true): unknown {
  const handler: ProxyHandler<object> = new Proxy(
    {},
    {
      get:
        (_, trap) =>
        () => {
          throw new HostileError(`Proxy trap ${String(trap)}`);
        },
    },
  );
  return new Proxy(object ? {} : function () {}, handler);
}

export function revokedProxy(): unknown {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An object whose `key` reads as `first` the first time and `later` after that. */
export function flipping(key: string, first: unknown, later: unknown, base: object = {}): object {
  let reads = 0;
  return Object.defineProperty(base, key, { enumerable: true, configurable: true, get: () => (reads++ === 0 ? first : later) });
}

/** Every call name of linux-x86_64 (real names of real calls). */
export const CALL_NAMES = Object.keys(x86_64.names);

class Plain {
  x = 1;
}

const numbers: Box[] = [
  ['-0', -0], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['2^53+1', 2 ** 53 + 1], ['2^53', 2 ** 53],
  ['-(2^53)-1', -(2 ** 53) - 1], ['1.5', 1.5], ['-1.5', -1.5], ['0', 0], ['1', 1], ['-1', -1], ['2^31', 2 ** 31], ['2^32', 2 ** 32],
  ['-(2^31)-1', -(2 ** 31) - 1], ['1e300', 1e300], ['MIN_VALUE', Number.MIN_VALUE], ['-4095', -4095], ['4096', 4096], ['99999', 99999],
].map(([l, v]) => constant(l as string, v));

const bigints: Box[] = [
  ['0n', 0n], ['1n', 1n], ['-1n', -1n], ['2^53+1n', 2n ** 53n + 1n], ['2^63n', 2n ** 63n], ['2^64n', 2n ** 64n], ['2^64+5n', 2n ** 64n + 5n], ['-(2^65)n', -(2n ** 65n)],
].map(([l, v]) => constant(l as string, v));

const LONG = 'x'.repeat(100_000);
const strings: Box[] = [
  ['""', ''], ['"0"', '0'], ['"1"', '1'], ['"64"', '64'], ['"-1"', '-1'], ['"1.5"', '1.5'], ['"0x1"', '0x1'], ['" 1"', ' 1'], ['"1e3"', '1e3'],
  ['"01"', '01'], ['"NaN"', 'NaN'], ['"write"', 'write'], ['"read"', 'read'], ['"openat"', 'openat'], ['"fd_write"', 'fd_write'],
  ['"__proto__"', '__proto__'], ['"constructor"', 'constructor'], ['"toString"', 'toString'], ['"*"', '*'], ['long string', LONG],
  ['lone surrogate', '\uD800'], ['"é" x21 (42 bytes)', 'é'.repeat(21)], ['"x" x40', 'x'.repeat(40)], ['"\\0"', '\0'], ['"99999999999999999999"', '99999999999999999999'],
].map(([l, v]) => constant(l as string, v));

const symbols: Box[] = [box('Symbol()', () => Symbol()), box('Symbol(write)', () => Symbol('write')), constant('Symbol.iterator', Symbol.iterator)];

const functions: Box[] = [
  box('() => 0', () => () => 0),
  box('() => 7', () => () => 7),
  box('() => "x"', () => () => 'x'),
  box('() => undefined', () => () => undefined),
  box('() => 5n', () => () => 5n),
  box('() => 2^60n', () => () => 2n ** 60n),
  box('() => NaN', () => () => NaN),
  box('() => 1.5', () => () => 1.5),
  box('() => {}', () => () => ({})),
  box('() => Symbol()', () => () => Symbol()),
  box('async () => 1', () => async () => 1),
  box('async () => "x"', () => async () => 'x'),
  // A rejected promise that is marked handled, so the test run reports no unhandled rejection.
  box('async () => throws', () => () => {
    const p = Promise.reject(new HandlerError());
    p.catch(() => {});
    return p;
  }),
  box('() => throws HandlerError', () => () => {
    throw new HandlerError();
  }),
  box('() => throws a string', () => () => {
    throw THROWN_VALUE;
  }),
  box('() => a thenable of 1', () => () => ({ then: (ok: (v: number) => void) => ok(1) })),
  box('function* () {}', () => function* () {}),
  box('bound () => 3', () => (() => 3).bind(null)),
  box('(below) => below', () => (below: unknown) => below),
  box('throwing Proxy function', () => throwingProxy(false)),
];

const arrays: Box[] = [
  box('[]', () => []),
  box('[1, 2]', () => [1, 2]),
  box('[, "write"] (a hole)', () => [, 'write']),
  box('new Array(2) (holes)', () => new Array(2)),
  box('["write"]', () => ['write']),
  box('["write", "write"]', () => ['write', 'write']),
  box('[Symbol()]', () => [Symbol()]),
  box('[[]]', () => [[]]),
  box('[null]', () => [null]),
  box('[1.5]', () => [1.5]),
  box('["nope"]', () => ['nope']),
  box('[99999]', () => [99999]),
  box('array whose element reads "write", then 5', () => flipping('0', 'write', 5, [])),
  box('array with a throwing element getter', () =>
    Object.defineProperty([], '0', {
      enumerable: true,
      get: () => {
        throw new HostileError('element getter');
      },
    }),
  ),
  box('frozen ["read"]', () => Object.freeze(['read'])),
];

const objects: Box[] = [
  box('{}', () => ({})),
  box('{ fn: () => 1 }', () => ({ fn: () => 1 })),
  box('{ fn: () => 1n, bigint: true }', () => ({ fn: () => 1n, bigint: true })),
  box('{ wasm: () => 1n } (a JS function)', () => ({ wasm: () => 1n })),
  box('{ wasm: wasm add }', () => ({ wasm: wasmHandlers().add })),
  box('{ fn: 1 }', () => ({ fn: 1 })),
  box('Object.create(null)', () => Object.create(null)),
  box('class instance', () => new Plain()),
  box('new Date(0)', () => new Date(0)),
  box('new Map()', () => new Map()),
  box('new Int32Array(2)', () => new Int32Array(2)),
  box('frozen { fn }', () => Object.freeze({ fn: () => 2 })),
  box('{ valueOf: () => 1 }', () => ({ valueOf: () => 1 })),
  box('{ toString throws }', () => ({
    toString() {
      throw new HostileError('toString');
    },
  })),
  box('{ [Symbol.toPrimitive] throws }', () => ({
    [Symbol.toPrimitive]() {
      throw new HostileError('toPrimitive');
    },
  })),
  box('Promise.resolve(1)', () => Promise.resolve(1)),
  box('{ fn } whose fn is a function, then a string', () => flipping('fn', () => 3, 'not a function')),
  box('{ fn } whose fn getter throws', () => Object.defineProperty({}, 'fn', { enumerable: true, get: () => { throw new HostileError('fn getter'); } })),
  box('throwing Proxy', () => throwingProxy(true)),
  box('revoked Proxy', () => revokedProxy()),
];

const others: Box[] = [constant('undefined', undefined), constant('null', null), constant('true', true), constant('false', false)];

// WebAssembly functions with i64 parameters, which throw a TypeError when JS
// calls them with numbers: only where a `{ wasm }` handler goes.
const wasmFunctions: Box[] = [box('wasm add', () => wasmHandlers().add), box('wasm trap', () => wasmHandlers().trap)];

/** Every kind of value, fixed ones and generated ones. */
export const anyValue: fc.Arbitrary<Box> = fc.oneof(
  fc.constantFrom(...numbers),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 }).map((n) => constant(String(n), n)),
  fc.double().map((n) => constant(Object.is(n, -0) ? '-0' : String(n), n)),
  fc.constantFrom(...bigints),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => constant(`${n}n`, n)),
  fc.constantFrom(...strings),
  fc.string({ maxLength: 12 }).map((s) => constant(JSON.stringify(s), s)),
  fc.constantFrom(...CALL_NAMES).map((s) => constant(JSON.stringify(s), s)),
  fc.constantFrom(...symbols),
  fc.constantFrom(...functions),
  fc.constantFrom(...arrays),
  fc.constantFrom(...objects),
  fc.constantFrom(...others),
);

/** anyValue, and WebAssembly functions (for `{ wasm }` positions). */
export const anyValueOrWasm: fc.Arbitrary<Box> = fc.oneof({ weight: 12, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constantFrom(...wasmFunctions) });

/** Functions only (handlers of every kind). */
export const anyFunction: fc.Arbitrary<Box> = fc.constantFrom(...functions);

/** A value, or (weight `omit`) the key left out: undefined marks "omit". */
export function optional(arb: fc.Arbitrary<Box>, omitWeight = 1): fc.Arbitrary<Box | undefined> {
  return fc.oneof({ weight: omitWeight, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: arb });
}
