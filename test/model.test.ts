// Model-based test: random sequences of load / replace / wrap / unload /
// reserve / release / hooks against a plain reference model (per slot, a
// stack of { module, kind, value }). After every operation every call agrees
// with the model (from JS and from WebAssembly), every handle's `loaded`
// agrees, verify() passes, and every error is the one the model predicts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTable, SystabError, type Handler, type Module, type ModuleSpec, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { wasmCaller, type Run } from './helpers/wasm.js';

const NAMES = ['read', 'write', 'open', 'close', 'stat', 'fstat'] as const; // numbers 0-5
const MISSING = 6; // lstat: nobody ever loads it
// Beyond the table: just past its end (where a cache with a second lane in the
// same array would alias slots 0-6), far past it, and below it.
const OUT_OF_RANGE = [...Array.from({ length: 7 }, (_, s) => abi.count + s), 1000, -1];
const MODULES = ['a', 'b', 'c'] as const;
const ENOSYS = abi.enosys;

// ---- operations ----

type KeyStyle = 'name' | 'number' | 'string';
type Op =
  | { op: 'load'; module: string; replace: boolean; entries: { slot: number; wrap: boolean; key: KeyStyle }[] }
  | { op: 'unload'; handle: number }
  | { op: 'reserve'; module: string; slots: number[] }
  | { op: 'release'; module: string; slots: number[] | undefined }
  | { op: 'hooks'; slots: number[]; count: boolean };

const slot = fc.integer({ min: 0, max: NAMES.length - 1 });
const moduleName = fc.constantFrom(...MODULES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('load' as const),
      module: moduleName,
      replace: fc.boolean(),
      entries: fc.oneof(
        { weight: 1, arbitrary: fc.constant<{ slot: number; wrap: boolean; key: KeyStyle }[]>([]) }, // an empty module: EBADSPEC
        {
          weight: 15,
          arbitrary: fc.uniqueArray(
            fc.record({ slot, wrap: fc.boolean(), key: fc.constantFrom<KeyStyle>('name', 'name', 'number', 'string') }),
            { minLength: 1, maxLength: 3, selector: (e) => e.slot },
          ),
        },
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('unload' as const), handle: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reserve' as const), module: moduleName, slots: fc.array(slot, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), module: moduleName, slots: fc.option(fc.array(slot, { maxLength: 2 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hooks' as const), slots: fc.array(slot, { minLength: 1, maxLength: 3 }), count: fc.boolean() }) },
);

// ---- the reference model ----

interface Item {
  module: string;
  kind: 'plain' | 'wrap' | 'stub';
  value: number; // plain: its result; wrap: what it adds to the result below
}

class Model {
  stacks: Item[][] = NAMES.map(() => []); // bottom first
  current = new Map<string, number>(); // module -> handle index of its live load
  handles: string[] = []; // handle index -> module

  private top(s: number, pred: (i: Item) => boolean): Item | undefined {
    const st = this.stacks[s]!;
    for (let i = st.length - 1; i >= 0; i--) if (pred(st[i]!)) return st[i];
    return undefined;
  }
  private hasRecord(m: string): boolean {
    return this.current.has(m) || this.stacks.some((st) => st.some((i) => i.module === m && i.kind === 'stub'));
  }

  /** Returns the predicted error code, or undefined after applying the load. */
  load(m: string, replace: boolean, entries: { slot: number; wrap: boolean; value: number }[]): string | undefined {
    if (entries.length === 0) return 'EBADSPEC';
    const loaded = this.current.has(m);
    if (loaded && !replace) return 'EEXIST';
    type Plan = { e: (typeof entries)[number]; item: Item; replaces?: Item; above?: Item | null; top?: boolean };
    const plans: Plan[] = [];
    for (const e of entries) {
      const item: Item = { module: m, kind: e.wrap ? 'wrap' : 'plain', value: e.value };
      const own = loaded ? this.top(e.slot, (i) => i.module === m && i.kind === item.kind) : undefined;
      if (own) plans.push({ e, item, replaces: own });
      else if (e.wrap) plans.push({ e, item, top: true });
      else {
        const base = this.top(e.slot, (i) => i.kind !== 'wrap');
        if (base === undefined) plans.push({ e, item, above: null });
        else if (base.kind === 'stub') {
          if (base.module !== m) return 'ERESERVED';
          plans.push({ e, item, above: base });
        } else return replace ? 'ENOTOWNER' : 'EEXIST';
      }
    }
    const old = this.stacks.flatMap((st) => st.filter((i) => i.module === m && i.kind !== 'stub'));
    const kept = new Set<Item>();
    for (const p of plans) {
      const st = this.stacks[p.e.slot]!;
      if (p.replaces) {
        st[st.indexOf(p.replaces)] = p.item;
        kept.add(p.replaces);
      } else if (p.top) st.push(p.item);
      else if (p.above === null) st.unshift(p.item);
      else st.splice(st.indexOf(p.above!) + 1, 0, p.item);
    }
    for (const o of old) {
      if (kept.has(o)) continue;
      for (const st of this.stacks) {
        const at = st.indexOf(o);
        if (at >= 0) st.splice(at, 1);
      }
    }
    this.current.set(m, this.handles.length);
    this.handles.push(m);
    return undefined;
  }

  unload(h: number): string | undefined {
    const m = this.handles[h]!;
    if (this.current.get(m) !== h) return 'ENOTLOADED';
    for (const st of this.stacks) for (let i = st.length - 1; i >= 0; i--) if (st[i]!.module === m && st[i]!.kind !== 'stub') st.splice(i, 1);
    this.current.delete(m);
    return undefined;
  }

  reserve(m: string, slots: number[]): string | undefined {
    const todo: number[] = [];
    for (const s of new Set(slots)) {
      const base = this.top(s, (i) => i.kind !== 'wrap');
      if (base === undefined) todo.push(s);
      else if (!(base.module === m && base.kind === 'stub')) return 'EEXIST';
    }
    for (const s of todo) this.stacks[s]!.unshift({ module: m, kind: 'stub', value: 0 });
    return undefined;
  }

  release(m: string, slots: number[] | undefined): string | undefined {
    if (!this.hasRecord(m)) return 'ENOTLOADED';
    const only = slots === undefined ? undefined : new Set(slots);
    const isMine = (i: Item) => i.module === m && i.kind === 'stub';
    if (only !== undefined) for (const s of only) if (!this.stacks[s]!.some(isMine)) return 'ENOTOWNER';
    for (const [s, st] of this.stacks.entries()) {
      if (only !== undefined && !only.has(s)) continue;
      const at = st.findIndex(isMine);
      if (at >= 0) st.splice(at, 1);
    }
    return undefined;
  }

  /** What call(slot) answers. */
  call(s: number): number {
    const st = this.stacks[s];
    if (st === undefined) return ENOSYS;
    const at = (i: number): number => {
      const item = st[i];
      if (item === undefined || item.kind === 'stub') return ENOSYS;
      if (item.kind === 'plain') return item.value;
      return at(i - 1) + item.value;
    };
    return at(st.length - 1);
  }
}

// ---- running a sequence against the table and the model ----

const keyOf = (s: number, key: KeyStyle): string | number => (key === 'name' ? NAMES[s]! : key === 'number' ? s : String(s));

async function outcome(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    if (e instanceof SystabError) return e.code;
    throw e;
  }
}

function check(t: Table, run: Run, model: Model, handles: Module[], step: string): void {
  t.verify();
  for (let s = 0; s <= MISSING; s++) {
    const want = model.call(s);
    expect(t.call(s), `${step}: call(${s})`).toBe(want);
    expect(run(s), `${step}: dispatch(${s})`).toBe(BigInt(want));
  }
  for (const nr of OUT_OF_RANGE) expect(t.call(nr), `${step}: call(${nr})`).toBe(ENOSYS);
  for (let h = 0; h < handles.length; h++) {
    expect(handles[h]!.loaded, `${step}: handle ${h} loaded`).toBe(model.current.get(model.handles[h]!) === h);
  }
}

async function runSequence(ops: Op[]): Promise<void> {
  const t = createTable({ abi, maxHandlers: 64, maxModules: 8, maxWorkers: 1 });
  const run = wasmCaller(t.dispatch);
  const model = new Model();
  const handles: Module[] = [];
  let serial = 0;
  check(t, run, model, handles, 'start');
  for (const [n, op] of ops.entries()) {
    const step = `op ${n} ${JSON.stringify(op)}`;
    let want: string | undefined;
    let got: string | undefined;
    if (op.op === 'load') {
      const spec: ModuleSpec = { name: op.module, replace: op.replace };
      const handlers: Record<string | number, Handler> = {};
      const wraps: Record<string | number, (below: Handler) => Handler> = {};
      const valueOf = new Map<number, number>();
      for (const e of op.entries) {
        const v = ++serial;
        if (e.wrap) {
          valueOf.set(e.slot, v);
          wraps[keyOf(e.slot, e.key)] = (below) => (...a) => (below(...a) as number) + v;
        } else {
          valueOf.set(e.slot, 1000 * v);
          handlers[keyOf(e.slot, e.key)] = () => 1000 * v;
        }
      }
      if (Object.keys(handlers).length > 0) spec.handlers = handlers;
      if (Object.keys(wraps).length > 0) spec.wraps = wraps;
      // The model sees the entries in the order load() reads them.
      const ordered = [
        ...Object.keys(handlers).map((k) => ({ k, wrap: false })),
        ...Object.keys(wraps).map((k) => ({ k, wrap: true })),
      ].map(({ k, wrap }) => {
        const s = /^\d+$/.test(k) ? Number(k) : NAMES.indexOf(k as (typeof NAMES)[number]);
        return { slot: s, wrap, value: valueOf.get(s)! };
      });
      want = model.load(op.module, op.replace, ordered);
      got = await outcome(() => handles.push(t.load(spec)));
    } else if (op.op === 'unload') {
      if (handles.length === 0) continue;
      const h = op.handle % handles.length;
      want = model.unload(h);
      got = await outcome(() => handles[h]!.unload());
    } else if (op.op === 'reserve') {
      want = model.reserve(op.module, op.slots);
      got = await outcome(() => t.reserve(op.module, op.slots.map((s, i) => (i % 2 ? s : NAMES[s]!))));
    } else if (op.op === 'release') {
      want = model.release(op.module, op.slots);
      got = await outcome(() => t.release(op.module, op.slots?.map((s) => NAMES[s]!)));
    } else {
      t.hooks(op.slots, { count: op.count });
    }
    expect(got, step).toBe(want);
    check(t, run, model, handles, step);
  }
  t.close();
}

describe('model: load / unload / replace / wrap / reserve / release', () => {
  it('agrees with the reference model on 2000 random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => runSequence(ops)),
      { numRuns: 2000, seed: 0x5eed2002, endOnFailure: false },
    );
  });

  it('agrees on a hand-written sequence through every kind of change', async () => {
    await runSequence([
      { op: 'reserve', module: 'b', slots: [1, 2] },
      { op: 'load', module: 'a', replace: false, entries: [{ slot: 0, wrap: false, key: 'name' }, { slot: 1, wrap: true, key: 'number' }] },
      { op: 'load', module: 'b', replace: false, entries: [{ slot: 1, wrap: false, key: 'string' }, { slot: 0, wrap: true, key: 'name' }] },
      { op: 'load', module: 'c', replace: false, entries: [{ slot: 2, wrap: false, key: 'name' }] },
      { op: 'hooks', slots: [0, 1], count: true },
      { op: 'load', module: 'a', replace: true, entries: [{ slot: 1, wrap: true, key: 'name' }, { slot: 3, wrap: false, key: 'name' }] },
      { op: 'unload', handle: 1 },
      { op: 'release', module: 'b', slots: [2] },
      { op: 'load', module: 'c', replace: false, entries: [{ slot: 2, wrap: false, key: 'name' }] },
      { op: 'unload', handle: 0 },
      { op: 'unload', handle: 2 },
      { op: 'release', module: 'b', slots: undefined },
      { op: 'release', module: 'b', slots: undefined },
    ]);
  });
});
