// Fuzz of hooks, onEnter, onExit, setMissing, stats, listen, poll, evict and
// the ABI lookups, with values of every JS type. Every outcome is the
// documented result or a documented SystabError; a rejected change changes no
// switch or policy (checked against a model of the switches), and the table
// verifies after each.
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { abiName, abiNumber, createTable, SystabError, type Abi, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { abiIds } from 'systab/abi/list';
import { anyValue, attempt, box, flipping, expectAllowedError, expectIntact, fuzzParams, showValue, type Box } from './helpers/fuzz-values.js';

const abis: Abi[] = await Promise.all(abiIds.map(async (id) => ((await import(`systab/abi/${id}`)) as { abi: Abi }).abi));

// read 0, write 1, open 2, close 3, lseek 8; 99999 is out of range.
const WATCH = [0, 1, 2, 3, 8];
const OOR = 99999;

/** Targets: '*', arrays of names/numbers (good and bad, holes included), or any value. */
const element = fc.oneof(fc.constantFrom<unknown>('read', 'write', 'open', 1, 3, 8, '2', '8').map((v) => box(JSON.stringify(v), () => v)), anyValue);
const targets = fc.oneof(
  { weight: 1, arbitrary: fc.constant(box("'*'", () => '*')) },
  { weight: 3, arbitrary: fc.array(element, { maxLength: 3 }).map((l) => box(`[${l.map((b) => b.label).join(', ')}]`, () => l.map((b) => b.make()))) },
  { weight: 1, arbitrary: anyValue },
);

/** The slots a target list names, or undefined if it is not a valid one (the documented rules). */
function slotsOf(v: unknown): number[] | 'all' | undefined {
  try {
    return slotsOfList(v);
  } catch {
    return undefined; // a hostile value: it throws when looked at
  }
}
function slotsOfList(v: unknown): number[] | 'all' | undefined {
  if (v === '*') return 'all';
  if (!Array.isArray(v)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e === 'number') {
      if (!Number.isInteger(e) || e < 0 || e >= abi.count) return undefined;
      out.push(e);
    } else if (typeof e === 'string') {
      if (Object.hasOwn(abi.names, e)) out.push(abi.names[e]!);
      else if (/^(0|[1-9][0-9]*)$/.test(e) && Number(e) < abi.count) out.push(Number(e));
      else return undefined;
    } else return undefined;
  }
  return out;
}

/** What the count and enter switches do, observed: calls counted per watched number, enter hook runs per number. */
function observe(t: Table): { counted: number[]; entered: number[]; oor: number } {
  const seen: number[] = [];
  t.onEnter((nr) => void seen.push(nr));
  const before = t.stats();
  for (const nr of [...WATCH, OOR]) attempt(() => t.call(nr));
  const after = t.stats();
  const n = (s: typeof before, nr: number): number => {
    const c = s.calls.find((x) => x.nr === nr);
    return c === undefined ? 0 : c.calls + c.enosys;
  };
  return { counted: WATCH.filter((nr) => n(after, nr) > n(before, nr)), entered: seen.filter((nr) => WATCH.includes(nr)), oor: after.outOfRange - before.outOfRange };
}

describe('fuzz: hooks()', () => {
  const switchValue = fc.oneof(fc.constantFrom(true, false, undefined).map((v) => box(String(v), () => v)), anyValue);
  const switches = fc.oneof(
    { weight: 3, arbitrary: fc.record({ count: switchValue, enter: switchValue }).map((r) => box(`{ count: ${r.count.label}, enter: ${r.enter.label} }`, () => ({ count: r.count.make(), enter: r.enter.make() }))) },
    { weight: 1, arbitrary: anyValue },
  );
  it('flips exactly the named switches, or throws a documented error and flips none', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(targets, switches), { minLength: 1, maxLength: 4 }), (ops) => {
        const t = createTable({ abi });
        t.load({ name: 'io', handlers: { read: () => 0, write: () => 1 } });
        const count = new Set<number>();
        const enter = new Set<number>();
        let oor = false;
        for (const [tb, sb] of ops) {
          const tv = tb.make();
          const sv = sb.make();
          const context = `hooks(${tb.label}, ${sb.label})`;
          const slots = slotsOf(tb.make()); // a copy of its own: the model's reads do not count as systab's
          const o = attempt(() => t.hooks(tv as '*', sv as { count: boolean }));
          const sw = sv !== null && typeof sv === 'object' ? (sv as Record<string, unknown>) : undefined;
          // Only count, enter and exit (an object whose keys cannot be listed is judged by its reads alone).
          const keys = attempt(() => Object.keys(sw ?? {}).every((k) => ['count', 'enter', 'exit'].includes(k)));
          const checked = attempt(() => slots !== undefined && sw !== undefined && (!keys.ok || keys.value === true) && ['count', 'enter'].every((k) => sw[k] === undefined || typeof sw[k] === 'boolean'));
          const good = checked.ok && checked.value === true; // a hostile object throws when the model looks too
          if (!o.ok) {
            expectAllowedError(o.error, context, ['EBADSPEC', 'ENONAME']);
            expect(good, `${context}: rejected good arguments: ${String(o.error)}`).toBe(false);
          } else {
            expect(good, `${context}: accepted bad arguments`).toBe(true);
            const list = slots === 'all' ? WATCH : slots!.filter((s) => WATCH.includes(s));
            for (const [k, set] of [['count', count], ['enter', enter]] as const) {
              if (sw![k] === true) list.forEach((s) => set.add(s));
              if (sw![k] === false) list.forEach((s) => set.delete(s));
            }
            if (slots === 'all' && typeof sw!.count === 'boolean') oor = sw!.count as boolean;
          }
          expectIntact(t, context);
          const seen = observe(t);
          expect(seen.counted, `${context}: counted numbers`).toEqual(WATCH.filter((s) => count.has(s)));
          expect(seen.entered, `${context}: enter hook`).toEqual(WATCH.filter((s) => enter.has(s)));
          expect(seen.oor, `${context}: out of range counted`).toBe(oor ? 1 : 0);
        }
      }),
      fuzzParams(500),
    );
  });
});

describe('hooks() reads each switch once', () => {
  it("a count getter that answers true, then something else, switches '*' on for the slots and out-of-range numbers alike", () => {
    fc.assert(
      fc.property(anyValue, (later) => {
        const t = createTable({ abi });
        const o = attempt(() => t.hooks('*', flipping('count', true, later.make()) as { count: boolean }));
        if (!o.ok) expectAllowedError(o.error, `count: true, then ${later.label}`, ['EBADSPEC']);
        const seen = observe(t);
        // All or nothing: either every number counts, out-of-range ones included, or none does.
        expect([seen.counted.length === WATCH.length, seen.oor === 1], `count: true, then ${later.label}`).toEqual(seen.counted.length ? [true, true] : [false, false]);
        expectIntact(t, 'flipping count');
      }),
      fuzzParams(100),
    );
  });
});

describe('fuzz: setMissing()', () => {
  const policy = fc.oneof(fc.constantFrom('enosys', 'throw', 'log-once').map((v) => box(v, () => v)), fc.constant(box('() => 7', () => () => 7)), anyValue);
  it('sets exactly the named numbers, or throws a documented error and sets none', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      fc.assert(
        fc.property(fc.array(fc.tuple(targets, policy), { minLength: 1, maxLength: 4 }), (ops) => {
          const t = createTable({ abi });
          const model = new Map<number, string>(); // slot -> 'throw' | 'trap' (others answer ENOSYS)
          let oorModel = 'enosys';
          for (const [tb, pb] of ops) {
            const tv = tb.make();
            const pv = pb.make();
            const context = `setMissing(${tb.label}, ${pb.label})`;
            const slots = slotsOf(tb.make()); // a copy of its own: the model's reads do not count as systab's
            const o = attempt(() => t.setMissing(tv as '*', pv as 'enosys'));
            const kind = pv === 'enosys' || pv === 'log-once' ? 'enosys' : pv === 'throw' ? 'throw' : typeof pv === 'function' ? 'trap' : undefined;
            if (!o.ok) {
              expectAllowedError(o.error, context, ['EBADSPEC', 'ENONAME']);
              expect(slots !== undefined && kind !== undefined, `${context}: rejected good arguments: ${String(o.error)}`).toBe(false);
            } else {
              expect(slots !== undefined && kind !== undefined, `${context}: accepted bad arguments`).toBe(true);
              for (const s of slots === 'all' ? WATCH : slots!) model.set(s, kind!);
              if (slots === 'all') oorModel = kind!;
            }
            expectIntact(t, context);
            for (const nr of [...WATCH, OOR]) {
              const want = nr === OOR ? oorModel : (model.get(nr) ?? 'enosys');
              const r = attempt(() => t.call(nr));
              const got = r.ok ? (r.value === abi.enosys ? 'enosys' : 'trap') : r.error instanceof SystabError && r.error.code === 'ENOSYS' ? 'throw' : 'other';
              // A trap of the fuzzer's own may answer ENOSYS, throw its own error, or anything: only its absence is checked.
              if (want === 'trap') expect(got === 'throw' && r.ok, `${context}: call(${nr})`).toBe(false);
              else expect(got, `${context}: call(${nr})`).toBe(want);
            }
          }
        }),
        fuzzParams(400),
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe('fuzz: onEnter() and onExit()', () => {
  it('take a function or null; anything else is EBADHANDLER and keeps the hook that was set', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom('onEnter', 'onExit'), (b, which) => {
        const t = createTable({ abi });
        t.load({ name: 'io', handlers: { write: () => 1 } });
        t.hooks(['write'], { enter: true, exit: true });
        const log: string[] = [];
        t.onEnter(() => void log.push('enter'));
        t.onExit(() => void log.push('exit'));
        const v = b.make();
        const o = attempt(() => (t[which] as (h: unknown) => void)(v));
        const good = v === null || typeof v === 'function';
        if (!o.ok) {
          expectAllowedError(o.error, `${which}(${b.label})`, ['EBADHANDLER']);
          expect(good, `${which}(${b.label}) rejected`).toBe(false);
          attempt(() => t.call(1));
          expect(log, `${which}(${b.label}): the old hooks run`).toEqual(['enter', 'exit']);
        } else {
          expect(good, `${which}(${b.label}) accepted`).toBe(true);
          const r = attempt(() => t.call(1));
          if (!r.ok) expectAllowedError(r.error, `${which}(${b.label}) then call`);
        }
        expectIntact(t, which);
      }),
      fuzzParams(400),
    );
  });
});

describe('fuzz: listen(), poll(), evict(), stats(), describe()', () => {
  it('listen(ms) takes milliseconds >= 0 (else EBADSPEC); poll() and stats() take no argument that matters', () => {
    fc.assert(
      fc.property(anyValue, (b) => {
        const v = b.make();
        // A good but long wait would block the test: those are timed elsewhere.
        fc.pre(!(typeof v === 'number' && v > 5));
        const t = createTable({ abi });
        const o = attempt(() => t.listen(v as number));
        if (typeof v === 'number' && v >= 0) expect(o.ok, `listen(${b.label})`).toBe(true);
        else if (o.ok) expect.fail(`listen(${b.label}) accepted`);
        else expectAllowedError(o.error, `listen(${b.label})`, ['EBADSPEC']);
        const p = attempt(() => (t.poll as (...a: unknown[]) => void)(v));
        if (!p.ok) expectAllowedError(p.error, 'poll');
        expect((t.stats as (...a: unknown[]) => unknown)(v)).toEqual({ calls: [], missing: [], outOfRange: 0 });
        expect(Object.keys(t.describe())).toEqual(['memory', 'module', 'abi']);
        expectIntact(t, `listen(${b.label})`);
      }),
      fuzzParams(300),
    );
  });

  it('evict(threadId) answers a boolean (or EBADSPEC), never evicts this thread, and leaves the table intact', () => {
    fc.assert(
      fc.property(anyValue, (b) => {
        const t = createTable({ abi, threadId: 5 });
        t.load({ name: 'io', handlers: { write: () => 1 } });
        const v = b.make();
        const o = attempt(() => t.evict(v as number));
        if (o.ok) expect(o.value, `evict(${b.label})`).toBe(false);
        else expectAllowedError(o.error, `evict(${b.label})`, ['EBADSPEC']);
        expect(t.call(1)).toBe(1);
        expectIntact(t, `evict(${b.label})`);
      }),
      fuzzParams(300),
    );
  });
});

describe('fuzz: abiNumber() and abiName()', () => {
  it('agree with every ABI, for names and numbers of every type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...abis), fc.oneof(anyValue, fc.integer({ min: -10, max: 7000 }).map((n) => box(String(n), () => n))), (a, b) => {
        const v = b.make();
        const num = abiNumber(a, v as string);
        expect(num, `abiNumber(${a.id}, ${b.label})`).toBe(typeof v === 'string' && Object.hasOwn(a.names, v) ? a.names[v] : undefined);
        const name = abiName(a, v as number);
        if (typeof v !== 'number' || !Number.isInteger(v)) expect(name, `abiName(${a.id}, ${b.label})`).toBeUndefined();
        else if (name !== undefined) expect(a.names[name], `abiName(${a.id}, ${b.label})`).toBe(v);
        else expect(Object.values(a.names).includes(v), `abiName(${a.id}, ${b.label}) is undefined for a named number`).toBe(false);
        for (const [n, nr] of Object.entries(a.names).slice(0, 3)) expect(a.names[abiName(a, abiNumber(a, n)!)!]).toBe(nr);
      }),
      fuzzParams(1500),
    );
  });

  it('a value that is not an ABI object is EBADSPEC with an exact message (finding 10)', () => {
    const broken = fc.oneof(
      anyValue,
      fc.constantFrom<[string, unknown]>(['names', null], ['names', 5], ['extra', null], ['extra', [null]], ['extra', [{ base: 1, count: 'x' }]], ['count', 2 ** 32], ['count', 0], ['base', 1.5], ['id', 5], ['enosys', 'x']).map(([k, v]) => box(`x86_64 with ${k}: ${showValue(v)}`, () => ({ ...abi, [k]: v }))),
    );
    fc.assert(
      fc.property(broken, fc.constantFrom('abiNumber', 'abiName'), anyValue, (ab, fn, arg) => {
        const a = ab.make();
        const o = attempt(() => (fn === 'abiNumber' ? abiNumber : abiName)(a as Abi, arg.make() as never));
        if (o.ok) {
          // Only a real ABI object (an x86_64 copy with harmless changes) answers.
          expect(a !== null && typeof a === 'object' && 'names' in (a as object), `${fn}(${ab.label}) answered ${showValue(o.value)}`).toBe(true);
          return;
        }
        expectAllowedError(o.error, `${fn}(${ab.label})`, ['EBADSPEC']);
        if (!(o.error instanceof SystabError)) return; // the value's own error (a Proxy)
        expect(o.error.message).toMatch(new RegExp(`^${fn}\\(\\) takes an ABI object such as the one from 'systab/abi/linux-x86_64' \\(got .+\\)$`));
      }),
      fuzzParams(500),
    );
    expect(() => abiNumber({} as Abi, 'write')).toThrow("abiNumber() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (got object)");
    expect(() => abiName(null as unknown as Abi, 1)).toThrow("abiName() takes an ABI object such as the one from 'systab/abi/linux-x86_64' (got null)");
  });
});
