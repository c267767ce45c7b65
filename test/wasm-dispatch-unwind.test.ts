// A handler the core's dispatch called may leave by an exception (a JS
// handler that throws or answers a non-number) or a trap (a WebAssembly
// handler): either unwinds past the core's lowering of this thread's depth
// word. A raised depth word refuses every quiescent point, so an unload
// would wait for this thread forever. JS exceptions mend it on the spot (and
// count as errors while counting); a trap is mended once the thread is idle
// in its event loop.
import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.js';
import { expectSystabError, x86Table } from './helpers/systab.js';
import { regions } from './helpers/regions.js';
import { wasmCaller, wasmHandlers } from './helpers/wasm.js';
import type { Table } from 'systab';

/** Every worker record's depth word of t's memory (only this thread's is ever raised here). */
function depths(t: Table): number {
  const r = regions(t);
  let sum = 0;
  for (let w = 0; w < r.i32[L.H_MAXW]!; w++) sum += r.i32[r.workers + w * L.WR_WORDS + L.WR_DEPTH]!;
  return sum;
}

const errorsOf = (t: Table, name: string): number => t.stats().calls.find((c) => c.name === name)?.errors ?? 0;

describe('a handler called from WebAssembly that does not return', () => {
  it('throws (JS): the depth word is lowered at once, the error counted, and an unload completes', async () => {
    const t = x86Table();
    const boom = new Error('boom');
    const m = t.load({ name: 'io', handlers: { write: () => { throw boom; }, read: (() => 'x') as never, lseek: { bigint: true, fn: () => { throw boom; } } } });
    t.hooks(['write', 'read', 'lseek'], { count: true });
    const run = wasmCaller(t.dispatch);
    // The first call resolves the handler through JS; the later ones go core -> js_call directly.
    for (let i = 0; i < 3; i++) {
      expect(() => run(1)).toThrow(boom);
      expectSystabError(() => run(0), 'EBADRESULT', 'handler for read (0) returned "x"; handlers return a number');
      expect(() => run(8, 1n)).toThrow(boom);
      expect(depths(t)).toBe(0);
    }
    expect([errorsOf(t, 'write'), errorsOf(t, 'read'), errorsOf(t, 'lseek')]).toEqual([3, 3, 3]);
    t.verify();
    await m.unload({ timeout: 1000 });
    expect(run(1)).toBe(-38n);
    t.verify();
  });

  it('answers an error number: counted as an error in WebAssembly while counting, and only then', () => {
    const t = x86Table();
    t.load({ name: 'io', handlers: { write: () => -9, read: () => 5 } });
    const run = wasmCaller(t.dispatch);
    for (let i = 0; i < 3; i++) run(1);
    t.hooks(['write', 'read'], { count: true });
    for (let i = 0; i < 4; i++) {
      expect(run(1)).toBe(-9n);
      expect(run(0)).toBe(5n);
    }
    const st = t.stats().calls;
    expect(st.find((c) => c.name === 'write')).toMatchObject({ calls: 4, errors: 4 });
    expect(st.find((c) => c.name === 'read')).toMatchObject({ calls: 4, errors: 0 });
    t.verify();
  });

  it('traps (WebAssembly): the depth word stays raised until the thread is idle, then an unload completes', async () => {
    const t = x86Table();
    const w = wasmHandlers();
    const m = t.load({ name: 'w', handlers: { write: { wasm: w.trap } } });
    const run = wasmCaller(t.dispatch);
    expect(() => run(1)).toThrow(WebAssembly.RuntimeError); // resolved through JS: its finally lowers the depth
    expect(depths(t)).toBe(0);
    expect(() => run(1)).toThrow(WebAssembly.RuntimeError); // core -> call_indirect: the trap skips the lowering
    expect(depths(t)).toBe(1);
    // Awaiting yields to the event loop, where the idle watcher finds nothing on the stack.
    await m.unload({ timeout: 1000 });
    expect(depths(t)).toBe(0);
    expect(run(1)).toBe(-38n);
    t.verify();
  });
});
