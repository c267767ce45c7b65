// Where printed calls go: a function, a Node writable stream, a file
// (buffered, written synchronously), JSON lines as calls end; and the shared
// event rings (capacity set, the oldest dropped and counted) exported as
// JSON lines and as Chrome/Perfetto Trace Event JSON.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTable, SystabError } from 'systab';
import { attachTrace, traceTable, type LineMaker } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

const lines: LineMaker = { enter: (nr, a) => `${nr}(${a[0]})`, exit: (p, r, n) => `${p as string} = ${r}${n.injected ? ' (INJECTED)' : ''}\n` };
const dir = mkdtempSync(join(tmpdir(), 'systab-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function table() {
  const t = createTable({ abi });
  t.load({ name: 'm', handlers: { getpid: () => 4242, read: (fd) => (fd < 0 ? -9 : 5), close: () => { throw new Error('boom'); } } });
  return t;
}
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof SystabError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'ok';
};

describe('line sinks', () => {
  it('a function and a Node stream get the same lines', async () => {
    const got: string[] = [];
    const t1 = table();
    traceTable(t1, { sink: (l) => got.push(l), lines }).select(['getpid', 'read']);
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const t2 = table();
    traceTable(t2, { sink: stream, lines }).select(['getpid', 'read']);
    for (const t of [t1, t2]) {
      t.call(39);
      t.call(0, -1);
    }
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['39(0) = 4242\n', '0(-1) = -9\n']);
    expect(chunks.join('')).toBe(got.join(''));
  });

  it('a file: buffered (64 KiB) and written synchronously at flush(), close() and when full; buffer: 0 writes each line; append', () => {
    const path = join(dir, 'trace.txt');
    writeFileSync(path, 'old\n');
    const t = table();
    const tr = traceTable(t, { sink: { path }, lines });
    expect(readFileSync(path, 'utf8')).toBe(''); // made anew
    tr.select(['getpid']);
    t.call(39);
    expect(readFileSync(path, 'utf8')).toBe('');
    tr.flush();
    expect(readFileSync(path, 'utf8')).toBe('39(0) = 4242\n');
    for (let i = 0; i < 6000; i++) t.call(39); // 78 KB: one batch written when the buffer filled
    const mid = readFileSync(path, 'utf8').length;
    expect(mid).toBeGreaterThanOrEqual(64 * 1024);
    expect(mid).toBeLessThan(6001 * 13);
    tr.close();
    expect(readFileSync(path, 'utf8')).toBe('39(0) = 4242\n'.repeat(6001));
    const t2 = table();
    const tr2 = traceTable(t2, { sink: { path, append: true, buffer: 0 }, lines });
    tr2.select(['getpid']);
    t2.call(39);
    expect(readFileSync(path, 'utf8').length).toBe(6002 * 13);
    tr2.close();
  });

  it('a file’s buffered lines are written when the process exits without close()', () => {
    const path = join(dir, 'exit.jsonl');
    const script = `
      import { createTable } from 'systab';
      import { traceTable } from 'systab/trace';
      import { abi } from 'systab/abi/linux-x86_64';
      const t = createTable({ abi });
      t.load({ name: 'm', handlers: { getpid: () => 7 } });
      traceTable(t, { json: { path: ${JSON.stringify(path)} } }).select(['getpid']);
      t.call(39); t.call(39);
      process.exit(0);`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url).pathname });
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).result)).toEqual([7, 7]);
  });

  it('JSON lines as calls end: one object per call with errno names, injected, threw, the call’s own arguments', () => {
    const got: string[] = [];
    const t = table();
    const tr = traceTable(t, { json: (l) => got.push(l) });
    tr.select(['getpid', 'read', 'close']);
    tr.inject('getpid:error=EPERM:when=2');
    t.call(39, 7);
    t.call(39);
    t.call(0, -1, 100, 3, 4);
    expect(() => t.call(3, 5)).toThrow('boom');
    expect(got.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const objs = got.map((l) => JSON.parse(l));
    expect(objs.map(({ start, duration, ...o }) => (expect(duration).toBeGreaterThanOrEqual(0), expect(typeof start).toBe('number'), o))).toEqual([
      { tid: 0, nr: 39, name: 'getpid', args: [], result: 4242, error: null, injected: false },
      { tid: 0, nr: 39, name: 'getpid', args: [], result: -1, error: 'EPERM', injected: true },
      { tid: 0, nr: 0, name: 'read', args: [-1, 100, 3], result: -9, error: 'EBADF', injected: false },
      { tid: 0, nr: 3, name: 'close', args: [5], result: null, error: null, injected: false, threw: true },
    ]);
    expect(objs[1].start).toBeGreaterThanOrEqual(objs[0].start + objs[0].duration);
  });
});

/** Checks the Trace Event JSON rules the tests rely on; returns the slices. */
function checkTraceEvents(text: string) {
  const doc = JSON.parse(text) as { traceEvents: Record<string, unknown>[]; otherData: { dropped: number } };
  expect(Array.isArray(doc.traceEvents)).toBe(true);
  for (const e of doc.traceEvents) {
    for (const k of ['ph', 'ts', 'pid', 'tid', 'name']) expect(e, JSON.stringify(e)).toHaveProperty(k);
    expect(typeof e.ts).toBe('number');
    if (e.ph === 'X') expect(e.dur as number).toBeGreaterThanOrEqual(0);
  }
  const slices = doc.traceEvents.filter((e) => e.ph === 'X') as { tid: number; ts: number; dur: number; name: string; args: Record<string, unknown> }[];
  // Per thread, properly nested: a slice starting inside another ends inside it.
  const byTid = new Map<number, typeof slices>();
  for (const s of slices) byTid.set(s.tid, [...(byTid.get(s.tid) ?? []), s]);
  for (const list of byTid.values()) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack: { end: number }[] = [];
    for (const s of sorted) {
      while (stack.length > 0 && stack.at(-1)!.end <= s.ts + 1e-6) stack.pop();
      if (stack.length > 0) expect(s.ts + s.dur, `${s.name} at ${s.ts} inside its parent`).toBeLessThanOrEqual(stack.at(-1)!.end + 1e-6);
      stack.push({ end: s.ts + s.dur });
    }
  }
  return { doc, slices };
}

describe('event rings and their exports', () => {
  it('keep the last `capacity` calls, count the dropped ones, and every export says so', () => {
    const t = table();
    const tr = traceTable(t, { events: { capacity: 5 } });
    tr.select(['read']);
    for (let i = 0; i < 12; i++) t.call(0, i);
    const { calls, dropped } = tr.events();
    expect(dropped).toBe(7);
    expect(calls.map((c) => c.args[0])).toEqual([7, 8, 9, 10, 11]);
    const jl = tr.exportJsonLines().split('\n');
    expect(JSON.parse(jl[0]!)).toEqual({ tid: 0, dropped: 7 });
    expect(jl.slice(1, -1).map((l) => JSON.parse(l).args[0])).toEqual([7, 8, 9, 10, 11]);
    const { doc, slices } = checkTraceEvents(tr.exportPerfetto());
    expect(doc.otherData.dropped).toBe(7);
    expect(slices.map((s) => s.name)).toEqual(Array(5).fill('sys_read'));
    expect(slices[0]!.args).toEqual({ nr: 0, args: [7, 0, 0], result: 5, error: null });
  });

  it('a ring is the last min(n, capacity) calls, the rest counted dropped (a model: the list of all calls)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: -5, max: 50 }), { maxLength: 120 }), (capacity, fds) => {
        const t = table();
        const tr = traceTable(t, { events: { capacity } });
        tr.select(['read']);
        for (const fd of fds) t.call(0, fd);
        const { calls, dropped } = tr.events();
        const kept = fds.slice(Math.max(0, fds.length - capacity));
        expect(calls.map((c) => [c.args[0], c.result, c.error])).toEqual(kept.map((fd) => [fd, fd < 0 ? -9 : 5, fd < 0 ? 'EBADF' : null]));
        expect(dropped).toBe(fds.length - kept.length);
      }),
      { numRuns: 60 },
    );
  });

  it('Perfetto: a call made inside a handler is a slice inside its caller’s', () => {
    const t = createTable({ abi });
    t.load({ name: 'm', handlers: { getpid: () => 4242, getppid: () => t.call(39) + t.call(39) } });
    const tr = traceTable(t, { events: { capacity: 100 } });
    tr.select(['getpid', 'getppid']);
    for (let i = 0; i < 3; i++) t.call(110);
    const { slices } = checkTraceEvents(tr.exportPerfetto());
    expect(slices.map((s) => s.name)).toEqual(Array(3).fill(['sys_getppid', 'sys_getpid', 'sys_getpid']).flat());
    const [outer, inner] = slices;
    expect(inner!.ts).toBeGreaterThanOrEqual(outer!.ts);
    expect(inner!.ts + inner!.dur).toBeLessThanOrEqual(outer!.ts + outer!.dur + 1e-6);
    expect(outer!.args.result).toBe(8484);
  });

  it('bad options: typed errors that teach', () => {
    const t = table();
    expect(code(() => traceTable(t, { events: { capacity: 0 } }))).toBe('EBADSPEC: traceTable() events must be { capacity }, a whole number of calls per thread from 1 to 1048576 (got capacity 0)');
    expect(code(() => traceTable(t, { events: 5 as never }))).toMatch(/^EBADSPEC: traceTable\(\) events must be \{ capacity \}/);
    expect(code(() => traceTable(t, { sink: () => {}, lines: {} as never }))).toBe('EBADSPEC: traceTable() output lines must be a LineMaker { enter(nr, args), exit(pending, result, note) } (got object)');
    expect(code(() => traceTable(t, { sink: () => {}, lines: { enter: () => '', exit: () => '' }, format: {} }))).toBe("EBADSPEC: traceTable() output takes lines or format, not both (format shapes strace's own lines)");
    expect(code(() => traceTable(t, { sink: () => {}, format: { strSize: -1 } }))).toMatch(/^EBADSPEC: createFormatter\(\): /);
    expect(code(() => traceTable(t, { json: 5 as never }))).toBe('EBADSPEC: trace output json must be a function taking a line, a writable stream, or { path } (got 5)');
    expect(code(() => traceTable(t, { json: {} as never }))).toBe('EBADSPEC: trace output json must be a function taking a line, a writable stream, or { path } (got an object without write() or path)');
    expect(code(() => traceTable(t, { json: { path: '' } }))).toBe('EBADSPEC: trace output json { path } must be a file name (got "")');
    expect(code(() => traceTable(t, { json: { path: join(dir, 'no', 'such', 'dir.jsonl') } }))).toMatch(/^EBADSPEC: trace output json \{ path: ".*dir\.jsonl" \} cannot be opened for writing \(ENOENT/);
    expect(code(() => traceTable(t, { json: { path: join(dir, 'x'), buffer: -1 } }))).toMatch(/^EBADSPEC: trace output json \{ buffer \} must be a whole number of bytes/);
    expect(code(() => traceTable(t, { colour: true } as never))).toBe('EBADSPEC: traceTable() has no output option "colour" (it takes sink, lines, format, json, events, signal, follow, tid)');
    const tr = traceTable(t);
    expect(code(() => tr.exportPerfetto())).toBe('EBADSPEC: exportPerfetto() needs the event rings: traceTable(t, { events: { capacity } })');
    expect(code(() => attachTrace(createTable({ abi }), tr.describe(), { events: { capacity: 5 } }))).toMatch(/^EBADSPEC: attachTrace\(\) takes no events option/);
    t.verify();
  });
});
