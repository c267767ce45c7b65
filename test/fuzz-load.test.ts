// Fuzz of registration: load, provide, reserve, release, module(token) and
// unload options, with values of every JS type in every position of a spec,
// and getters that answer differently on a second read. Every outcome is a
// documented SystabError (or the value's own error); a failed change leaves
// every call answering as before (no registration lost), a successful one
// can be undone, and the table verifies after each.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTable, SystabError, type Module, type ModuleSpec, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { anyFunction, anyValue, anyValueOrWasm, attempt, box, expectAllowedError, expectIntact, flipping, fuzzParams, settle, showValue, throwingProxy, type Box, type Outcome } from './helpers/fuzz-values.js';

// read 0, write 1, open 2, close 3, lseek 8, getpid 39, socket 41, connect 42
const PROBE = [0, 1, 2, 3, 8, 39, 41, 42, 110];

interface World {
  t: Table;
  bystander: Module;
}

/** A table with a bystander module (read, getpid), a wrap over its read, and a reservation (socket for "net"). */
function world(): World {
  const t = createTable({ abi, maxHandlers: 64, maxModules: 16 });
  const bystander = t.load({ name: 'bystander', handlers: { read: () => 100, getpid: () => 4242 } });
  t.load({ name: 'tracer', wraps: { read: (below) => (...a) => (below(...a) as number) + 1 } });
  t.reserve('net', ['socket']);
  return { t, bystander };
}

/** What every probed number answers, and whether the bystander is loaded: the state a failed change must leave alone. */
function state(w: World): string {
  const calls = PROBE.map((nr) => {
    const o = attempt(() => w.t.call(nr));
    return o.ok ? showValue(o.value) : o.error instanceof SystabError ? o.error.code : 'other error';
  });
  return JSON.stringify({ calls, bystander: w.bystander.loaded });
}

/** Every probed call answers something allowed (a number, a promise, or a documented error). */
function expectCallsAllowed(w: World, context: string): void {
  for (const nr of PROBE) {
    const o = attempt(() => w.t.call(nr));
    if (!o.ok) expectAllowedError(o.error, `${context}: then call(${nr})`);
  }
}

// ---- specs with one bad part ----

/** A good spec, as a template whose parts the fuzzer replaces. */
function goodSpec(): Record<string, unknown> {
  return { name: 'fz', handlers: { write: () => 1, close: { fn: () => 3 } }, wraps: { open: (below: (...a: number[]) => number) => (...a: number[]) => below(...a) } };
}

type Mutation = { label: string; apply(spec: Record<string, unknown>, v: unknown): unknown };
const MUTATIONS: Mutation[] = [
  { label: 'the spec', apply: (_s, v) => v },
  { label: 'name', apply: (s, v) => ((s.name = v), s) },
  { label: 'handlers', apply: (s, v) => ((s.handlers = v), s) },
  { label: 'wraps', apply: (s, v) => ((s.wraps = v), s) },
  { label: 'replace', apply: (s, v) => ((s.replace = v), s) },
  { label: 'handlers.write', apply: (s, v) => (((s.handlers as Record<string, unknown>).write = v), s) },
  { label: 'handlers.close.fn', apply: (s, v) => ((((s.handlers as Record<string, unknown>).close as Record<string, unknown>).fn = v), s) },
  { label: 'handlers.close.bigint', apply: (s, v) => ((((s.handlers as Record<string, unknown>).close as Record<string, unknown>).bigint = v), s) },
  { label: 'handlers.lseek = { wasm }', apply: (s, v) => (((s.handlers as Record<string, unknown>).lseek = { wasm: v }), s) },
  { label: 'wraps.open', apply: (s, v) => (((s.wraps as Record<string, unknown>).open = v), s) },
  { label: 'a key of handlers', apply: (s, v) => (typeof v === 'string' ? (((s.handlers as Record<string, unknown>)[v] = () => 9), s) : s) },
  { label: 'the value a wrap factory returns', apply: (s, v) => (((s.wraps as Record<string, unknown>).open = () => v), s) },
];
// Getters that give a good value on the first read and the fuzzed one after.
const FLIPS: Mutation[] = [
  { label: 'name getter (then fuzzed)', apply: (s, v) => flipping('name', 'fz', v, withoutKey(s, 'name')) },
  { label: 'handlers getter (then fuzzed)', apply: (s, v) => flipping('handlers', s.handlers, v, withoutKey(s, 'handlers')) },
  { label: 'wraps getter (then fuzzed)', apply: (s, v) => flipping('wraps', s.wraps, v, withoutKey(s, 'wraps')) },
  { label: 'replace getter (false, then fuzzed)', apply: (s, v) => flipping('replace', false, v, withoutKey(s, 'replace')) },
  { label: 'handlers.write getter (then fuzzed)', apply: (s, v) => ((s.handlers = flipping('write', () => 1, v, withoutKey(s.handlers as Record<string, unknown>, 'write'))), s) },
  { label: 'handlers.close.fn getter (then fuzzed)', apply: (s, v) => (((s.handlers as Record<string, unknown>).close = flipping('fn', () => 3, v)), s) },
  { label: 'handlers.close.bigint getter (false, then fuzzed)', apply: (s, v) => (((s.handlers as Record<string, unknown>).close = flipping('bigint', false, v, { fn: () => 3 })), s) },
  { label: 'wraps.open getter (then fuzzed)', apply: (s, v) => ((s.wraps = flipping('open', (below: (...a: number[]) => number) => below, v)), s) },
];
function withoutKey(o: Record<string, unknown>, k: string): Record<string, unknown> {
  const c = { ...o };
  delete c[k];
  return c;
}

const mutation = fc.constantFrom(...MUTATIONS, ...FLIPS);
const mutations = fc.array(fc.tuple(mutation, anyValue), { minLength: 1, maxLength: 2 });
const wasmMutation = fc.tuple(fc.constant(MUTATIONS.find((m) => m.label.includes('wasm'))!), anyValueOrWasm).map((x) => [x]);
const specLabel = (ms: [Mutation, Box][]): string => ms.map(([m, b]) => `${m.label} = ${b.label}`).join('; ');
function buildSpec(ms: [Mutation, Box][]): unknown {
  let spec: unknown = goodSpec();
  for (const [m, b] of ms) {
    if (spec === null || typeof spec !== 'object') break;
    try {
      spec = m.apply(spec as Record<string, unknown>, b.make());
    } catch {
      // The part is not there any more (an earlier change replaced its parent): leave the spec as it is.
    }
  }
  return spec;
}

describe('fuzz: load()', () => {
  it('a spec with bad parts loads nothing or loads something that works and unloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 8, arbitrary: mutations }, { weight: 1, arbitrary: wasmMutation }), async (ms) => {
        const w = world();
        const before = state(w);
        const context = `load(${specLabel(ms)})`;
        const spec = buildSpec(ms);
        const o = attempt(() => w.t.load(spec as ModuleSpec));
        expectIntact(w.t, context);
        if (!o.ok) {
          expectAllowedError(o.error, context, ['EBADSPEC', 'EBADHANDLER', 'ENONAME', 'EEXIST', 'ERESERVED', 'ENOTOWNER', 'EFULL']);
          expect(state(w), `${context}: a failed load changed the table`).toBe(before);
          return;
        }
        // Loaded: the module is what was read the first time, and every call answers something allowed.
        const m = o.value as Module;
        expect(typeof m.name, `${context}: name`).toBe('string');
        expect(m.loaded, context).toBe(true);
        expect(w.t.module(m.token).name, `${context}: the token's name`).toBe(m.name);
        expectCallsAllowed(w, context);
        expect(w.bystander.loaded, context).toBe(true);
        const u = await settle(m.unload({ timeout: 1000 }), 3000, `${context}: unload`);
        if (!u.ok) expect.fail(`${context}: unload threw ${String(u.error)}`);
        expect(state(w), `${context}: load then unload is not the identity`).toBe(before);
        expectIntact(w.t, `${context}: after unload`);
      }),
      fuzzParams(1000),
    );
  });

  it('a getter of `fn` that answers a function and then a string does not load a broken handler (finding 14)', () => {
    const w = world();
    const o = attempt(() => w.t.load({ name: 'fz', handlers: { write: flipping('fn', () => 3, 'not a function') as never } }));
    if (o.ok) expect(w.t.call(1)).toBe(3);
    else expectAllowedError(o.error, 'load', ['EBADHANDLER']);
    expectIntact(w.t, 'flipping fn');
  });

  it('reads each part of a spec exactly once', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (withWraps, withReplace, objectEntry) => {
        const reads = new Map<string, number>();
        const counted = <T>(o: Record<string, unknown>, key: string, v: T, path: string): void => {
          Object.defineProperty(o, key, { enumerable: true, get: () => (reads.set(path, (reads.get(path) ?? 0) + 1), v) });
        };
        const entry: Record<string, unknown> = {};
        counted(entry, 'fn', () => 1, 'handlers.write.fn');
        counted(entry, 'bigint', false, 'handlers.write.bigint');
        const handlers: Record<string, unknown> = {};
        counted(handlers, 'write', objectEntry ? entry : () => 1, 'handlers.write');
        const spec: Record<string, unknown> = {};
        counted(spec, 'name', 'fz', 'name');
        counted(spec, 'handlers', handlers, 'handlers');
        if (withWraps) {
          const wraps: Record<string, unknown> = {};
          counted(wraps, 'read', (below: unknown) => below, 'wraps.read');
          counted(spec, 'wraps', wraps, 'wraps');
        }
        if (withReplace) counted(spec, 'replace', false, 'replace');
        const t = createTable({ abi });
        t.load(spec as unknown as ModuleSpec);
        const twice = [...reads].filter(([, n]) => n !== 1);
        expect(twice, 'parts read more than once').toEqual([]);
        expect(t.call(1)).toBe(1);
        expectIntact(t, 'counted reads');
      }),
      fuzzParams(20),
    );
  });

  it('replace and bigint take true or false; anything else is EBADSPEC, not a silent false', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom('replace', 'bigint'), (b, where) => {
        const v = b.make();
        fc.pre(v !== undefined && typeof v !== 'boolean');
        const w = world();
        const before = state(w);
        const spec: unknown = where === 'replace' ? { name: 'bystander', handlers: { read: () => 5 }, replace: v } : { name: 'fz', handlers: { lseek: { fn: (x: bigint) => x, bigint: v } } };
        const o = attempt(() => w.t.load(spec as ModuleSpec));
        if (o.ok) expect.fail(`${where}: ${b.label} was taken as a boolean`);
        expectAllowedError(o.error, `${where}: ${b.label}`, ['EBADSPEC']);
        expect(state(w)).toBe(before);
      }),
      fuzzParams(200),
    );
  });

  it('module names are well-formed Unicode: two different lone surrogates are two names, or both are EBADSPEC', () => {
    const t = createTable({ abi });
    const a = attempt(() => t.load({ name: '\uD800', handlers: { read: () => 1 } }));
    const b = attempt(() => t.load({ name: '\uDC00', handlers: { write: () => 2 } }));
    if (a.ok && b.ok) {
      expect([(a.value as Module).name, (b.value as Module).name]).toEqual(['\uD800', '\uDC00']);
    } else {
      for (const o of [a, b]) expectAllowedError(o.ok ? undefined : o.error, 'lone surrogate name', ['EBADSPEC']);
    }
    // Never one module under two names: a replace of one never takes the other's slots.
    const r = attempt(() => t.load({ name: '\uDC00', handlers: { write: () => 3 }, replace: true }));
    if (r.ok && a.ok) expect(t.call(0)).toBe(1);
    expectIntact(t, 'lone surrogates');
  });
});

describe('fuzz: provide()', () => {
  it('bad specs are documented errors, and code provided here never changes what calls answer on this thread', () => {
    fc.assert(
      fc.property(mutations, fc.constantFrom('fz', 'bystander'), (ms, name) => {
        const w = world();
        const before = state(w);
        const spec = buildSpec(ms);
        if (spec !== null && typeof spec === 'object' && !Object.getOwnPropertyDescriptor(spec, 'name')?.get && attempt(() => (spec as { name: unknown }).name === 'fz').ok) {
          // Also for the name of a module loaded here.
          if ((spec as { name: unknown }).name === 'fz') (spec as { name: unknown }).name = name;
        }
        const context = `provide(${specLabel(ms)})`;
        const o = attempt(() => w.t.provide(spec as ModuleSpec));
        if (!o.ok) expectAllowedError(o.error, context, ['EBADSPEC', 'EBADHANDLER', 'ENONAME']);
        expect(state(w), context).toBe(before);
        expectIntact(w.t, context);
      }),
      fuzzParams(500),
    );
  });
});

describe('fuzz: reserve() and release()', () => {
  const names = fc.oneof(anyValue, fc.constantFrom('net', 'fz', 'bystander').map((n) => box(JSON.stringify(n), () => n)));
  const calls = fc.oneof(
    { weight: 2, arbitrary: anyValue },
    { weight: 1, arbitrary: fc.array(fc.oneof(anyValue, fc.constantFrom('socket', 'connect', 'write', 'read', 41, 42).map((n) => box(String(n), () => n))), { maxLength: 3 }).map((l) => box(`[${l.map((b) => b.label).join(', ')}]`, () => l.map((b) => b.make()))) },
  );
  it('reserve(name, calls): a documented error changes nothing; a reservation answers ENOSYS and can be released', () => {
    fc.assert(
      fc.property(names, calls, (nb, cb) => {
        const w = world();
        const before = state(w);
        const name = nb.make();
        const list = cb.make();
        const context = `reserve(${nb.label}, ${cb.label})`;
        const o = attempt(() => w.t.reserve(name as string, list as string[]));
        expectIntact(w.t, context);
        if (!o.ok) {
          expectAllowedError(o.error, context, ['EBADSPEC', 'ENONAME', 'EEXIST', 'EFULL']);
          expect(state(w), context).toBe(before);
          return;
        }
        expectCallsAllowed(w, context);
        const r = attempt(() => w.t.release(name as string));
        if (!r.ok) expectAllowedError(r.error, `${context}; release`, ['ENOTLOADED']);
        if (name !== 'net' && name !== 'bystander') {
          expect(r.ok, `${context}; release: ${r.ok ? '' : String(r.error)}`).toBe(true);
          expect(state(w), `${context}; release`).toBe(before);
        }
        expectIntact(w.t, `${context}; release`);
      }),
      fuzzParams(400),
    );
  });

  it('release(name, calls?): a documented error changes nothing', () => {
    fc.assert(
      fc.property(names, fc.option(calls, { nil: undefined }), (nb, cb) => {
        const w = world();
        const before = state(w);
        const name = nb.make();
        const list = cb?.make();
        const context = `release(${nb.label}, ${cb?.label ?? '(none)'})`;
        const o = attempt(() => (cb === undefined ? w.t.release(name as string) : w.t.release(name as string, list as string[])));
        expectIntact(w.t, context);
        if (!o.ok) {
          expectAllowedError(o.error, context, ['EBADSPEC', 'ENONAME', 'ENOTLOADED', 'ENOTOWNER']);
          expect(state(w), context).toBe(before);
        } else {
          expectCallsAllowed(w, context);
          // Only "net"'s socket reservation could go; everything else answers as before.
          const after = JSON.parse(state(w)) as { calls: string[] };
          const was = JSON.parse(before) as { calls: string[] };
          expect(after.calls.filter((_, i) => PROBE[i] !== 41), context).toEqual(was.calls.filter((_, i) => PROBE[i] !== 41));
        }
      }),
      fuzzParams(400),
    );
  });
});

describe('fuzz: unload() options', () => {
  const timeouts = fc.oneof(anyValue, fc.constantFrom(0, 1, 100, 1e9).map((n) => box(String(n), () => n)));
  const options = fc.oneof(
    { weight: 1, arbitrary: anyValue },
    { weight: 2, arbitrary: fc.record({ timeout: fc.option(timeouts, { nil: undefined }), force: fc.option(anyValue, { nil: undefined }) }).map((r) => box(`{ timeout: ${r.timeout?.label ?? '-'}, force: ${r.force?.label ?? '-'} }`, () => ({ ...(r.timeout ? { timeout: r.timeout.make() } : {}), ...(r.force ? { force: r.force.make() } : {}) }))) },
  );
  it('unload(options) returns a promise; good options unload, bad ones reject EBADSPEC and leave the module loaded', async () => {
    await fc.assert(
      fc.asyncProperty(options, async (ob) => {
        const w = world();
        const m = w.t.load({ name: 'fz', handlers: { write: () => 1 } });
        const before = state(w);
        const opts = ob.make();
        const context = `unload(${ob.label})`;
        const sync = attempt(() => m.unload(opts as never));
        if (!sync.ok) expect.fail(`${context}: threw instead of rejecting: ${String(sync.error)}`);
        expect(sync.value, context).toBeInstanceOf(Promise);
        const o: Outcome = await settle(sync.value, 3000, context);
        expectIntact(w.t, context);
        const read = (k: 'timeout' | 'force'): unknown => (opts !== null && typeof opts === 'object' ? (opts as Record<string, unknown>)[k] : undefined);
        const good =
          opts === undefined ||
          (opts !== null && typeof opts === 'object' && attempt(() => read('timeout')).ok && (read('timeout') == null /* ?? takes null for "omitted" */ || (typeof read('timeout') === 'number' && (read('timeout') as number) >= 0)) && (read('force') == null || typeof read('force') === 'boolean'));
        if (o.ok) {
          expect(good, `${context}: bad options unloaded`).toBe(true);
          expect(m.loaded, context).toBe(false);
          expect(w.t.call(1), context).toBe(abi.enosys);
        } else {
          expectAllowedError(o.error, context, ['EBADSPEC']);
          expect(m.loaded, `${context}: a rejected unload unloaded`).toBe(true);
          expect(state(w), context).toBe(before);
        }
        expect(w.bystander.loaded, context).toBe(true);
      }),
      fuzzParams(300),
    );
  });
});

describe('fuzz: module(token)', () => {
  const edits: [string, (tok: string) => string][] = [
    ['as is', (s) => s],
    ['id + 1', (s) => s.replace(/^\d+/, (d) => String(Number(d) + 1))],
    ['gen + 1', (s) => s.replace(/^(\d+)\.(-?\d+)/, (_, a, g) => `${a}.${Number(g) + 1}`)],
    ['last char changed', (s) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0')],
    ['a space after', (s) => `${s} `],
    ['id 0', (s) => s.replace(/^\d+/, '0')],
    ['huge id', (s) => s.replace(/^\d+/, '99999999999999999999')],
    ['uppercase', (s) => s.toUpperCase()],
  ];
  it('a token names its live module, or is EBADSPEC / ENOTLOADED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyValue.map((b) => ({ b, edit: undefined })), fc.constantFrom(...edits).map((edit) => ({ b: undefined, edit }))), fc.boolean(), async ({ b, edit }, unloadFirst) => {
        const w = world();
        const m = w.t.load({ name: 'fz', handlers: { write: () => 1 } });
        if (unloadFirst) await m.unload();
        const token = edit ? edit[1](m.token) : b!.make();
        const context = `module(${edit ? `token ${edit[0]}` : b!.label})${unloadFirst ? ' after unload' : ''}`;
        const o = attempt(() => w.t.module(token as string));
        if (!o.ok) {
          expectAllowedError(o.error, context, ['EBADSPEC', 'ENOTLOADED']);
          return;
        }
        const h = o.value as Module;
        expect(unloadFirst, `${context}: a handle for an unloaded module`).toBe(false);
        expect([h.name, h.loaded, h.token], context).toEqual(['fz', true, m.token]);
        await h.unload();
        expect(m.loaded, context).toBe(false);
        expectIntact(w.t, context);
      }),
      fuzzParams(300),
    );
  });
});

describe('fuzz: wrap factories and handlers of every kind', () => {
  it('a wrap factory of any kind either loads a wrap that answers something allowed, or loads nothing', async () => {
    await fc.assert(
      fc.asyncProperty(anyFunction, anyValue, async (fb, rb) => {
        const w = world();
        const before = state(w);
        const made = fb.make();
        const r = rb.make();
        const factory = typeof made === 'function' ? (below: unknown) => (made as (b: unknown) => unknown)(below) : () => r;
        const context = `wraps: { write: ${fb.label} }, then calls answering ${rb.label}`;
        const o = attempt(() => w.t.load({ name: 'fz', wraps: { write: factory as never, read: (() => () => r) as never } }));
        expectIntact(w.t, context);
        if (!o.ok) {
          expectAllowedError(o.error, context);
          expect(state(w), context).toBe(before);
          return;
        }
        expectCallsAllowed(w, context);
        await settle((o.value as Module).unload({ timeout: 1000 }), 3000, `${context}: unload`);
        expect(state(w), context).toBe(before);
      }),
      fuzzParams(400),
    );
  });

  it('a Proxy spec that throws on every access is its own error and changes nothing', () => {
    const w = world();
    const before = state(w);
    for (const f of [() => w.t.load(throwingProxy() as ModuleSpec), () => w.t.provide(throwingProxy() as ModuleSpec), () => w.t.load({ name: 'fz', handlers: throwingProxy() as never })]) {
      const o = attempt(f);
      expect(o.ok).toBe(false);
      if (!o.ok) expectAllowedError(o.error, 'throwing Proxy');
      expect(state(w)).toBe(before);
      expectIntact(w.t, 'throwing Proxy');
    }
  });
});
