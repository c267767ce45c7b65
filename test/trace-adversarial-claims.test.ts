// Claims of the README's "Tracing: systab/trace" and of src/trace's comments,
// each tried as an adversary would: the ones that held stay as tests, the
// ones that did not fail here.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { parseTraceSet, traceTable, type ExitNote, type LineMaker } from 'systab/trace';
import type { TraceState } from '../src/trace/control.js';
import type { Trace } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';
import { listen } from './helpers/workers.js';

/** The trace's shared state (internal: stripped from the public types). */
const stateOf = (tr: Trace): TraceState => (tr as unknown as { s: TraceState }).s;

const GETPID = 39, GETPPID = 110;

describe('README claims', () => {
  it('"A number no call has is traced (strace traces it raw) but never injected": traced under none, not injected under all', () => {
    const t = createTable({ abi });
    const nr = Array.from({ length: abi.count }, (_, i) => i).find((i) => !Object.values(abi.names).includes(i) && parseTraceSet('none', abi).has(i));
    expect(nr).toBeDefined();
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), lines: { enter: (n) => n, exit: (p, r, note) => `${String(p)} = ${r}${note.injected ? ' (INJECTED)' : ''}` } });
    tr.select('none');
    tr.inject('all:error=EPERM');
    expect(t.call(nr!)).toBe(-38);
    expect(out).toEqual([`${nr} = -38`]);
    t.verify();
  });

  it('"from 1 again whenever its injection changes": a select() or summary() change keeps the count', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t);
    tr.inject('getpid:error=EPERM:when=3');
    expect([t.call(GETPID), t.call(GETPID)]).toEqual([4242, 4242]);
    tr.select(['getpid']);
    tr.summary(true);
    expect(t.call(GETPID)).toBe(-1);
    tr.inject('getpid:error=EPERM:when=3');
    expect([t.call(GETPID), t.call(GETPID), t.call(GETPID)]).toEqual([4242, 4242, -1]);
  });

  it('"poke_enter= and poke_exit= are EBADSPEC" (inject); the table untouched', () => {
    const t = createTable({ abi });
    const tr = traceTable(t);
    expect(() => tr.inject('read:poke_enter=@arg1=00')).toThrow(SystabError);
    expect(() => tr.inject('read:error=EIO:poke_exit=@arg2=0000')).toThrow(SystabError);
    expect(t.call(0)).toBe(-38);
    t.verify();
  });

  it('EFULL when 256 different injections are in use, typed; clearInjections() of one frees an entry', () => {
    const t = createTable({ abi });
    const tr = traceTable(t);
    const names = Object.keys(abi.names).slice(0, 257);
    for (let i = 0; i < 256; i++) tr.inject(`${names[i]}:error=${1 + (i % 100)}:when=${1 + i}`);
    expect(() => tr.inject(`${names[256]}:error=EPERM`)).toThrow(SystabError);
    t.verify();
    tr.clearInjections([names[0]!]);
    expect(() => tr.inject(`${names[256]}:error=EPERM`)).not.toThrow();
    expect(t.call(abi.names[names[256]!]!)).toBe(-1);
  });

  it('note.threw: a handler that throws undefined is still a throw to the LineMaker', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => { throw undefined; } } });
    const notes: ExitNote[] = [];
    const tr = traceTable(t, { sink: () => {}, lines: { enter: () => '', exit: (_p, _r, note) => (notes.push(note), '') } });
    tr.select(['getpid']);
    expect(() => t.call(GETPID)).toThrow();
    // ExitNote.threw is "the handler threw this (no result)": its presence is what says it threw.
    expect('threw' in notes[0]!).toBe(true);
  });

  it('traceTable() events capacity that the memory cannot hold (1024 workers x 2^20 events): a typed error, not a RangeError', () => {
    const t = createTable({ abi, maxWorkers: 1024 });
    let thrown: unknown;
    try {
      traceTable(t, { events: { capacity: 1 << 20 } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown, String(thrown)).toBeInstanceOf(SystabError);
    t.verify();
  });
});

describe('src/trace comments', () => {
  it('injections.ts: a reader "reads the slot\'s control word again on a change": getpid never answers an injection only getppid was given', async () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => 1 } });
    const tr = traceTable(t);
    tr.inject('getpid:error=1');
    // Entries are taken lowest first, so getpid's old entry is at once reused for getppid's next injection.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { attach } = await import('systab');
        const { attachTrace } = await import('systab/trace');
        const t = attach(workerData.desc);
        const tr = attachTrace(t, workerData.traceDesc);
        parentPort.postMessage({ ready: true });
        const end = performance.now() + 2000;
        for (let k = 0; performance.now() < end; k++) {
          tr.inject('getpid:error=' + (1 + (k % 20)));
          tr.inject('getppid:error=' + (100 + (k % 20)));
        }
        tr.close(); t.close();
        parentPort.postMessage({ done: true });
      })();`;
    const w = new Worker(code, { eval: true, workerData: { desc: t.describe(), traceDesc: tr.describe() } });
    const l = listen(w, 'injector');
    await l.next('ready');
    let done = false;
    void l.next('done').then(() => (done = true));
    const foreign: number[] = [];
    while (!done) {
      for (let i = 0; i < 5000; i++) {
        const r = t.call(GETPID);
        if (r <= -100) foreign.push(r);
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    await l.exited;
    expect(foreign, `getpid answered getppid's injections ${foreign.length} times`).toEqual([]);
  });

  it('control.ts: "HOOK_TRACE is on exactly while its control word has a bit on": after close() and a new traceTable(), no switch is left on for nothing', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242 } });
    const tr = traceTable(t);
    tr.select(['getpid']);
    tr.close();
    const tr2 = traceTable(t);
    const v = (t as unknown as { v: { i32: Int32Array; at: { slots: number } } }).v;
    const word = Atomics.load(v.i32, v.at.slots + GETPID);
    const ctl = Atomics.load(stateOf(tr2).words, 8 + GETPID);
    expect({ traceSwitch: (word & (1 << 19)) !== 0, control: ctl }).toEqual({ traceSwitch: false, control: 0 });
  });

  it('plug.ts: "a throw above leaves no frame behind": a LineMaker whose enter() throws, then calls nest correctly', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => t.call(GETPID) + 1 } });
    let fail = true;
    const out: string[] = [];
    const lm: LineMaker = { enter: (nr) => { if (fail && nr === GETPID) throw new Error('enter'); return nr; }, exit: (p, r) => `${String(p)}=${r}` };
    const tr = traceTable(t, { sink: (l) => out.push(l), lines: lm });
    tr.select(['getpid', 'getppid']);
    expect(() => t.call(GETPID)).toThrow('enter');
    fail = false;
    expect(t.call(GETPPID)).toBe(4243);
    expect(out).toEqual(['39=4242', '110=4243']);
    t.verify();
  });
});

describe('the formatter under every JS value', () => {
  it('enter(), exit() and line() of every ABI number with junk arguments and results: a line or a SystabError', async () => {
    // Not exported from systab/trace (src/trace/index.ts): taken from src.
    const { createFormatter } = await import('../src/trace/format.js');
    const mem = new Uint8Array(64).fill(0x41);
    const f = createFormatter({ abi, read: (a, n) => (a >= 0 && a + n <= mem.length ? mem.subarray(a, a + n) : null), strSize: 1 << 20 });
    const junk: unknown[] = [NaN, -0, Infinity, -Infinity, 2 ** 64, -(2 ** 63), 2n ** 70n, -(2n ** 70n), 1.5, 0, 8, 63, 2 ** 53 + 1];
    const results: unknown[] = [...junk, undefined, null, '3', {}, Symbol('r')];
    const bad: string[] = [];
    for (let nr = 0; nr < abi.count; nr++) {
      for (let k = 0; k < junk.length; k++) {
        const args = Array.from({ length: 6 }, (_, i) => junk[(k + i) % junk.length]) as number[];
        const r = results[(nr + k) % results.length];
        try {
          const line = f.line(nr, args, r);
          if (typeof line !== 'string') bad.push(`${nr}: ${typeof line}`);
        } catch (e) {
          if (!(e instanceof SystabError)) bad.push(`${nr} ${args.map(String).join(',')} -> ${String(r)}: ${String(e)}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

describe('/regex and POSIX bracket classes', () => {
  it('"/[:digit:]" (a bracket expression of : d i g t, as strace\'s regcomp reads it, strace -e trace=/[:digit:] traces openat) selects openat', () => {
    let set;
    try {
      set = parseTraceSet('/[:digit:]', abi);
    } catch (e) {
      expect.fail(`refused: ${String(e)}`);
    }
    expect(set.has(abi.names.openat!)).toBe(true);
    expect(set.has(abi.names.read!)).toBe(true);
  });
});
