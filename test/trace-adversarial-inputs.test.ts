// An adversary's inputs to systab/trace: every JS type into every Trace
// method and option, descriptors from elsewhere or corrupted, getters that
// change between the check and the use, values the shared words cannot hold.
// Each bad input must be a typed SystabError (or documented behaviour) and
// leave the table intact: t.verify() after each, and a traced call still works.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { attachTrace, traceTable, type LineMaker, type Trace } from 'systab/trace';
import { H_WORDS, S_WORDS, type TraceState } from '../src/trace/control.js';
import { abi } from 'systab/abi/linux-x86_64';
import { abi as riscv } from 'systab/abi/linux-riscv64';
import { readEntry } from '../src/trace/injections.js';

/** The trace's shared state (internal: stripped from the public types). */
const stateOf = (tr: Trace): TraceState => (tr as unknown as { s: TraceState }).s;

const GETPID = 39;
const lines: LineMaker = { enter: (nr) => `${nr}`, exit: (p, r) => `${p as string} = ${r}\n` };

function setup(opts: { maxWorkers?: number } = {}) {
  const t = createTable({ abi, ...opts });
  t.load({ name: 'm', handlers: { getpid: () => 4242, read: (_fd, _b, n) => n } });
  const out: string[] = [];
  const tr = traceTable(t, { sink: (l) => out.push(l), lines });
  return { t, tr, out };
}

/** Every kind of JS value an adversary has. */
function values(): [string, unknown][] {
  const holes: unknown[] = ['read'];
  holes[3] = 'getpid';
  const getterThrows = Object.defineProperty({}, 'sort', { get() { throw new Error('getter'); }, enumerable: true });
  const proxy = new Proxy({}, { get() { throw new Error('proxy get'); }, ownKeys() { throw new Error('proxy keys'); }, has() { throw new Error('proxy has'); } });
  const arrProxy = new Proxy(['read'], { get(t, k) { if (k === 'length') return 1e9; return Reflect.get(t, k); } });
  return [
    ['null', null], ['undefined', undefined], ['NaN', NaN], ['-0', -0], ['Infinity', Infinity], ['-Infinity', -Infinity], ['1.5', 1.5], ['2**53', 2 ** 53], ['-1', -1],
    ['bigint', 39n], ['symbol', Symbol('x')], ['true', true], ['false', false], ['{}', {}], ['[]', []], ['[holes]', holes], ['[null]', [null]], ['[NaN]', [NaN]],
    ['[-0]', [-0]], ['[1e9]', [1e9]], ['[39n]', [39n]], ['getter throws', getterThrows], ['proxy', proxy], ['array proxy', arrProxy],
    ['long string', 'a'.repeat(1 << 20)], ['NUL', 'read\0'], ['NUL expr', 'read\0:error=ENOENT'], ['function', () => 1], ['date', new Date(0)],
    ['regex', /read/], ['"*"', '*'], ['""', ''], ['","', ','], ['"!"', '!'], ['"?"', '?'], ['"@"', '@'], ['"%"', '%'], ['"/"', '/'], ['"/("', '/('],
    ['"/[[:bogus:]]"', '/[[:bogus:]]'], ['typed array', new Int32Array(2)], ['boxed string', new String('read')],
  ];
}

/** `fn` either works or throws a SystabError; the table stays intact and a traced call still answers. */
function typedOrWorks(t: ReturnType<typeof setup>['t'], what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e, `${what}: threw ${String(e)}`).toBeInstanceOf(SystabError);
  }
  t.verify();
  expect(t.call(GETPID)).toBeTypeOf('number');
}

describe('every JS value into every Trace method', () => {
  it('select, inject, fault, clearInjections, summary, summaryRows, summaryTable: a typed error or a result, never a hang', () => {
    const { t, tr } = setup();
    const methods: [string, (x: unknown) => unknown][] = [
      ['select', (x) => tr.select(x as string)],
      ['inject', (x) => tr.inject(x as string)],
      ['fault', (x) => tr.fault(x as string)],
      ['clearInjections', (x) => tr.clearInjections(x as string)],
      ['summary', (x) => tr.summary(x as boolean)],
      ['summaryRows', (x) => tr.summaryRows(x as object)],
      ['summaryTable', (x) => tr.summaryTable(x as object)],
      ['summaryRows sort', (x) => tr.summaryRows({ sort: x as string })],
    ];
    const bad: string[] = [];
    for (const [m, call] of methods) {
      for (const [name, x] of values()) {
        try {
          call(x);
        } catch (e) {
          if (!(e instanceof SystabError)) bad.push(`${m}(${name}): ${String(e)}`);
        }
        t.verify();
        // Whatever the input did, calls still answer (the handler or an injection) and the trace still works.
        expect(t.call(GETPID)).toBeTypeOf('number');
        tr.clearInjections();
      }
    }
    // Throwing getters and proxies are the caller's own exceptions: let through, as the rest of systab does.
    const own = bad.filter((b) => !/getter|proxy/.test(b));
    expect(own).toEqual([]);
  });

  it('traceTable() and attachTrace() on something that is not a table: a typed SystabError', () => {
    const bad: string[] = [];
    const desc = setup().tr.describe();
    for (const [name, x] of values()) {
      for (const [f, call] of [['traceTable', () => traceTable(x as never)], ['attachTrace', () => attachTrace(x as never, desc)]] as const) {
        try {
          call();
          bad.push(`${f}(${name}) made a trace`);
        } catch (e) {
          if (!(e instanceof SystabError)) bad.push(`${f}(${name}): ${String(e)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('every JS value as the output, and as each output option', () => {
    const bad: string[] = [];
    for (const key of [undefined, 'sink', 'lines', 'json', 'events', 'signal'] as const) {
      for (const [name, x] of values()) {
        const t = createTable({ abi });
        t.load({ name: 'm', handlers: { getpid: () => 4242 } });
        const out = key === undefined ? x : key === 'lines' ? { sink: () => {}, lines: x } : { [key]: x };
        try {
          const tr = traceTable(t, out as never);
          tr.select('all');
          tr.summary(true);
          t.call(GETPID);
          tr.close();
        } catch (e) {
          if (!(e instanceof SystabError)) bad.push(`${key ?? 'output'}=${name}: ${String(e)}`);
        }
        t.verify();
        expect(t.call(GETPID)).toBe(4242);
      }
    }
    expect(bad.filter((b) => !/getter|proxy/.test(b))).toEqual([]);
  });
});

describe('getters that change between the check and the use', () => {
  it('output.lines that is a LineMaker when checked and undefined after: the traced call is not broken', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    let reads = 0;
    // checkOutput() reads it four times (null?, object?, enter, exit); the constructor once more.
    const out = { sink: () => {}, get lines() { return reads++ < 4 ? lines : undefined; } };
    let tr: Trace | undefined;
    try {
      tr = traceTable(t, out as never);
    } catch (e) {
      expect(e).toBeInstanceOf(SystabError);
      return;
    }
    tr.select(['getpid']);
    // Checked once, kept: the call answers, or the trace was refused above.
    expect(t.call(GETPID)).toBe(4242);
    t.verify();
  });

  it('output.signal that is a function when checked and a number after: signal= does not break the call', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    let reads = 0;
    // checkOutput() reads it twice (undefined?, function?); the constructor twice more.
    const out = { get signal() { return reads++ < 3 ? () => {} : 7; } };
    const tr = traceTable(t, out as never);
    tr.inject('getpid:signal=SIGUSR1');
    expect(t.call(GETPID)).toBe(4242);
    t.verify();
  });
});

describe('values the shared words must hold exactly', () => {
  it('delay_enter= beyond 2^31 microseconds is refused or kept whole (not wrapped to no delay)', () => {
    const { t, tr } = setup();
    const us = 2 ** 32; // 4294.967296 s: parseInject takes it
    let spec;
    try {
      spec = tr.inject(`getpid:delay_enter=${us}`);
    } catch (e) {
      expect(e).toBeInstanceOf(SystabError);
      return;
    }
    expect(spec.delayEnter).toBe(us);
    // The shared entry is what every thread's plug will act on.
    const e = readEntry(stateOf(tr), GETPID);
    expect(e?.inj.delayEnter).toBe(us);
    t.verify();
  });

  // A number handler's call64() goes through call(): the injected bigint passes through it exactly there, and call() alone refuses it.
  it('call64() of an injected retval= answers the register exactly (a number handler); call() is EBADRESULT', () => {
    const { t, tr } = setup();
    const r = 0x123456789abcdef1n;
    tr.inject(`getpid:retval=${r}`);
    expect(t.call64(GETPID)).toBe(r);
    expect(() => t.call(GETPID)).toThrow(expect.objectContaining({ code: 'EBADRESULT' }));
    t.verify();
  });

  it('call64() of an injected retval= beyond 2^53 answers it exactly for a bigint: true handler', () => {
    const t = createTable({ abi });
    t.load({ name: 'b', handlers: { lseek: { bigint: true, fn: () => 0n } } });
    const tr = traceTable(t);
    tr.inject(`lseek:retval=${0x123456789abcdef1n}`);
    expect(t.call64(8)).toBe(0x123456789abcdef1n);
    expect(() => t.call(8)).toThrow(expect.objectContaining({ code: 'EBADRESULT' }));
  });

  it('WebAssembly-free check: call64() of retval=-1 on riscv64 (2^64-1) answers -1n', () => {
    const t = createTable({ abi: riscv });
    t.load({ name: 'm', handlers: { getpid: () => 1 } });
    const tr = traceTable(t);
    tr.inject(`getpid:retval=${2n ** 64n - 1n}`);
    expect(t.call64(riscv.names.getpid)).toBe(-1n);
  });
});

describe('descriptors from elsewhere and corrupted trace state', () => {
  it('another table\'s, another ABI\'s, unshared, truncated, magic or sizes changed: EATTACH', () => {
    const { tr } = setup();
    const d = tr.describe();
    const other = createTable({ abi, maxWorkers: 3 });
    const rv = createTable({ abi: riscv });
    const t2 = createTable({ abi });
    expect(() => attachTrace(other, d)).toThrow(SystabError);
    expect(() => attachTrace(rv, d)).toThrow(SystabError);
    const corrupt = (f: (w: Int32Array) => void) => {
      const st = new SharedArrayBuffer(d.state.byteLength);
      new Uint8Array(st).set(new Uint8Array(d.state));
      f(new Int32Array(st));
      return { state: st, injections: d.injections };
    };
    for (const [why, desc] of [
      ['magic', corrupt((w) => (w[0] = 0))],
      ['slots', corrupt((w) => (w[1] = w[1]! + 1))],
      ['abi', corrupt((w) => (w[2] = w[2]! ^ 1))],
      ['stripes', corrupt((w) => (w[3] = 0))],
      ['events', corrupt((w) => (w[4] = -1))],
      ['swapped', { state: d.injections, injections: d.state }],
      ['unshared', { state: new ArrayBuffer(d.state.byteLength), injections: d.injections }],
      ['small', { state: new SharedArrayBuffer(4), injections: d.injections }],
      ['no injections', { state: d.state }],
    ] as const) {
      expect(() => attachTrace(t2, desc as never), why).toThrow(SystabError);
      t2.verify();
    }
  });

  it('control words pointing at an entry out of range, or at one left odd: the call runs, no hang, no injection', () => {
    const { t, tr } = setup();
    tr.inject('getpid:error=ENOENT');
    expect(t.call(GETPID)).toBe(-2);
    const ctl = stateOf(tr).words;
    const at = H_WORDS + GETPID * S_WORDS; // its control word
    Atomics.store(ctl, at, (Atomics.load(ctl, at) & 0xff) | (0xffff << 8));
    expect(t.call(GETPID)).toBe(4242);
    // an odd entry under a slot (damage: a published entry is never odd by design); entry words: claim, claim generation, version, ...
    tr.inject('getpid:error=ENOENT');
    const i = (Atomics.load(ctl, at) >>> 8) & 0xffff;
    Atomics.add(stateOf(tr).entries, i * 12 + 2, 1);
    const t0 = performance.now();
    expect(t.call(GETPID)).toBe(4242);
    expect(performance.now() - t0).toBeLessThan(1000);
    t.verify();
    // The next inject() points the slot elsewhere and works.
    tr.inject('getpid:error=EPERM');
    expect(t.call(GETPID)).toBe(-1);
  });

  it('an event ring whose last write never ended (its thread terminated mid-write) keeps recording for the next owner of that record', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t, { events: { capacity: 8 } });
    tr.select(['getpid']);
    t.call(GETPID);
    // What writeEvent() leaves when its thread dies between its first and last store (events.ts): total n + 0.5.
    const s = stateOf(tr);
    const head = s.at.events + s.v.me * s.at.ring;
    s.f64[(head + 2) >> 1] = s.f64[(head + 2) >> 1]! + 0.5;
    // The record's next owner (here: the same record) makes three more calls.
    for (let i = 0; i < 3; i++) t.call(GETPID);
    expect(tr.events().calls.filter((c) => c.nr === GETPID).length).toBeGreaterThanOrEqual(3);
    t.verify();
  });
});

describe('a user\'s /regex selection', () => {
  it('a catastrophically backtracking /regex: select() ends within 5 s (measured in a worker)', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      import('${new URL('../dist/trace/index.js', import.meta.url).href}').then(async ({ parseTraceSet }) => {
        const { abi } = await import('${new URL('../dist/abi/linux-x86_64.js', import.meta.url).href}');
        const t0 = performance.now();
        let picked;
        try { picked = parseTraceSet('?/^(\\\\w|[a-z_]|[a-z0-9_])*#$', abi).numbers.length - parseTraceSet('?/^zzz', abi).numbers.length; } catch (e) { picked = String(e); }
        parentPort.postMessage([performance.now() - t0, picked]);
      });`;
    const w = new Worker(code, { eval: true });
    const [ms, picked] = await new Promise<[number, unknown]>((res) => {
      const timer = setTimeout(() => res([Infinity, undefined]), 5000);
      w.once('message', (m: [number, unknown]) => (clearTimeout(timer), res(m)));
    });
    await w.terminate();
    expect(ms, 'select(/regex/) blocks the thread (a ReDoS)').toBeLessThan(5000);
    expect(picked).toBe(0); // matched (an automaton: no pattern is refused for its shape): it names what a pattern naming nothing does (no name has a #)
  });
});
