// strace -f through one sink: threads that join a followed trace without a
// sink of their own have their lines printed by the owner, in the order their
// calls entered and ended, with strace's <unfinished ...> / <... resumed>
// where they overlap. Real worker_threads; a full ring drops and says so; a
// thread that died between numbering a piece and writing it holds the output
// back 100 ms at most.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { attachTrace, traceTable } from 'systab/trace';
import { abi } from 'systab/abi/linux-x86_64';

function run(workerData: object): Promise<void> {
  const w = new Worker(new URL('./workers/trace-follow-worker.mjs', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('exit', () => resolve());
  });
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('strace -f: every thread\'s lines through the owner\'s sink', () => {
  it('two workers whose calls overlap: the read is unfinished, the other line between, then resumed', async () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: {} });
    tr.select('*');
    const sync = new SharedArrayBuffer(8);
    const common = { desc: t.describe(), trace: tr.describe(), script: 'overlap', sync };
    await Promise.all([run({ ...common, tid: 1001, names: ['read'] }), run({ ...common, tid: 1002, names: ['getpid'] })]);
    tr.flush();
    await until(() => out.length >= 5);
    expect(out.slice(0, 3)).toEqual(['1001  read(0,  <unfinished ...>\n', expect.stringMatching(/^1002  getpid\(\) += 7\n$/), expect.anything()]);
    // Then, in whichever order the threads ended: the read's end before its thread's exit, and the other's exit.
    const rest = out.slice(2);
    expect(rest).toHaveLength(3);
    expect(rest).toEqual(expect.arrayContaining([expect.stringMatching(/^1001  <\.\.\. read resumed>NULL, 5\) += 5\n$/), '1001  +++ exited with 0 +++\n', '1002  +++ exited with 0 +++\n']));
    expect(rest.findIndex((l) => l.includes('resumed'))).toBeLessThan(rest.indexOf('1001  +++ exited with 0 +++\n'));
    tr.close();
    t.verify();
  });

  it('two workers of 3,000 calls each and the owner\'s own: every call once, each thread\'s in order, every unfinished line resumed by its thread next', async () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: { bytes: 1 << 20, prefix: 'pid' }, tid: 1 });
    tr.select('*');
    t.load({ name: 'own', handlers: { getpgid: () => 0 } });
    const common = { desc: t.describe(), trace: tr.describe(), script: 'many', n: 3000, sync: new SharedArrayBuffer(8) };
    const done = Promise.all([run({ ...common, tid: 2, names: ['close', 'dup'] }), run({ ...common, tid: 3, names: ['fsync', 'fdatasync'] })]);
    for (let i = 0; i < 300; i++) {
      t.call(abi.names.getpgid, i);
      if (i % 30 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await done;
    tr.close(); // prints what is left
    const text = out.join('');
    expect(text).not.toMatch(/lost/);
    const lines = text.split('\n').filter((l) => l !== '');
    const seen = new Map<string, string[]>();
    const open = new Map<string, string>();
    for (const l of lines) {
      const m = /^(\d+) +(.*)$/.exec(l)!;
      const tid = m[1] ?? '?';
      const body = m[2]!;
      if (body.startsWith('+++')) continue;
      if (body.endsWith(' <unfinished ...>')) {
        expect(open.has(tid)).toBe(false);
        open.set(tid, body.slice(0, -' <unfinished ...>'.length));
        continue;
      }
      let whole = body;
      const r = /^<\.\.\. (\w+) resumed>(.*)$/.exec(body);
      if (r !== null) {
        const head = open.get(tid);
        expect(head, `resumed without unfinished: ${l}`).toBeDefined();
        expect(head!.startsWith(`${r[1]}(`)).toBe(true);
        whole = head! + r[2]!;
        open.delete(tid);
      } else expect(open.has(tid), `thread ${tid} printed a new call while one was unfinished: ${l}`).toBe(false);
      const call = /^(\w+)\((0x[0-9a-f]+|\d+)/.exec(whole);
      expect(call, l).not.toBeNull();
      if (!seen.has(tid)) seen.set(tid, []);
      seen.get(tid)!.push(`${call![1]} ${Number(call![2])}`);
    }
    const expected = (names: string[], n: number) => Array.from({ length: n }, (_, i) => `${names[i % names.length]} ${i}`);
    expect(seen.get('2')).toEqual(expected(['close', 'dup'], 3000));
    expect(seen.get('3')).toEqual(expected(['fsync', 'fdatasync'], 3000));
    expect(seen.get('1')).toEqual(expected(['getpgid'], 300));
    t.verify();
  }, 60_000);

  it('a ring too small: pieces dropped and said so, every line printed whole; nothing stalls', async () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: { bytes: 256 } });
    tr.select('*');
    const sync = new SharedArrayBuffer(8);
    const ran = run({ desc: t.describe(), trace: tr.describe(), script: 'many', n: 500, names: ['close'], tid: 9, sync });
    Atomics.wait(new Int32Array(sync), 1, 0, 20_000); // the owner reads nothing while the worker calls
    await ran;
    tr.close();
    const text = out.join('');
    expect(text).toMatch(/systab: \d+ trace pieces of worker record \d+ lost/);
    for (const l of text.split('\n').filter((x) => x !== '' && !x.startsWith('systab:'))) expect(l).toMatch(/^9 +(close\(\d+\) += 7|<\.\.\. close resumed>\) += 7|close\(\d+ <unfinished \.\.\.>|\+\+\+ exited with 0 \+\+\+|close\(\d+ <the rest of this call was lost> += \?)$/);
    t.verify();
  });

  it('a piece numbered by a thread that died before writing it holds the output back 100 ms, not for ever', async () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: {} });
    tr.select('*');
    t.load({ name: 'm', handlers: { getpid: () => 7 } });
    // The relay's shared counter is its second word: take a number, as a writer that then died would.
    Atomics.add(new Int32Array(tr.describe().follow!, 0, 4), 1, 1);
    t.call(abi.names.getpid);
    t.call(abi.names.getpid);
    expect(out).toEqual([]);
    await until(() => out.length > 0);
    t.call(abi.names.getpid);
    expect(out.join('')).toMatch(/^(0 +getpid\(\) += 7\n){2,3}$/);
    tr.close();
    expect(out.length).toBe(3);
  });

  it('bad follow options: a typed error, nothing left behind', () => {
    const t = createTable({ abi });
    for (const follow of [null, 5, 'x', { bytes: 7 }, { bytes: 100 }, { bytes: 2 ** 30 }, { prefix: 'x' }, { column: -1 }, { other: 1 }]) {
      expect(() => traceTable(t, { sink: () => {}, follow: follow as never })).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    }
    for (const tid of [-1, 1.5, '1', 2 ** 31, null]) expect(() => traceTable(t, { sink: () => {}, tid: tid as never })).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    expect(() => traceTable(t, { follow: {} })).toThrow(expect.objectContaining({ code: 'EBADSPEC', message: expect.stringMatching(/needs a sink/) }));
    const tr = traceTable(t, { sink: () => {}, follow: {} });
    expect(() => attachTrace(t, tr.describe(), { follow: {} } as never)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
    const bad = { ...tr.describe(), follow: new SharedArrayBuffer(64) };
    tr.close();
    expect(() => attachTrace(t, bad)).toThrow(expect.objectContaining({ code: 'EATTACH' }));
    t.verify();
  });
});

describe('follow rings another thread damaged', () => {
  it('random bytes over the rings: the owner neither throws nor hangs, and its next calls print', () => {
    const t = createTable({ abi });
    const out: string[] = [];
    const tr = traceTable(t, { sink: (l) => out.push(l), follow: { bytes: 1024 } });
    tr.select('*');
    t.load({ name: 'm', handlers: { getpid: () => 7 } });
    const buf = new Uint8Array(tr.describe().follow!);
    let seed = 12345;
    for (let round = 0; round < 50; round++) {
      for (let i = 16; i < buf.length; i++) buf[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => tr.flush()).not.toThrow();
      expect(t.call(abi.names.getpid)).toBe(7);
    }
    // Whatever the damage printed, the table and the trace go on: a clean ring prints the next call.
    new Uint8Array(tr.describe().follow!).fill(0, 16);
    out.length = 0;
    expect(t.call(abi.names.getpid)).toBe(7);
    tr.flush();
    tr.close();
    expect(out.some((l) => /^0 +getpid\(\) += 7\n$/.test(l))).toBe(true);
    t.verify();
  });
});
