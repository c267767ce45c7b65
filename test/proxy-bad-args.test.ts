// Arguments of a carried call travel as f64s: anything else is EBADARG,
// checked before a call record is taken, so no record leaks and later
// carried calls work. verify() sees a record held with no call in progress.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import * as L from '../assembly/layout.js';
import { regions } from './helpers/regions.js';
import { startFault } from './helpers/fault.js';

describe('carried calls with arguments a record cannot hold', () => {
  it('are EBADARG and leak no record', async () => {
    const t = createTable({ abi, callRecords: 4 });
    t.load({ name: 'home', handlers: { getpid: (a) => a + 1 } });
    const w = startFault(t, 'badArgs');
    const r = await w.result<{ bad: string[]; messages: string[]; good: number[]; verified: unknown }>();
    expect(r.bad).toEqual(['EBADARG', 'EBADARG', 'EBADARG', 'EBADARG', 'EBADARG', 'EBADARG', 'EBADARG']);
    // A bigint is refused by call() itself (as for any handler taking numbers); the rest by the carrier.
    expect(r.messages[0]).toBe('argument 0 of getpid (39) is 10n: call() passes numbers (use call64(), or a handler with bigint: true)');
    expect(r.messages[3]).toBe('argument 0 of getpid (39) is carried to another thread as a number (got "x")');
    expect(r.good).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(r.verified).toEqual({ value: undefined });
    t.verify();
  });

  it('verify() reports a call record of this thread held with no call', () => {
    const t = createTable({ abi, callRecords: 4 });
    const { i32 } = regions(t);
    const at = t.describe().memory.buffer.byteLength; // any address inside
    expect(at).toBeGreaterThan(0);
    // This thread is worker 0 (the creator): its record 2.
    const calls = callsAt(t);
    Atomics.store(i32, calls + 2 * L.CR_WORDS + L.CR_STATE, L.CS_POSTED);
    expect(() => t.verify()).toThrow(expect.objectContaining({ code: 'ELAYOUT', message: 'verify: call record 2 of worker 0 (this thread) is held with no call in progress' }));
    Atomics.store(i32, calls + 2 * L.CR_WORDS + L.CR_STATE, L.CS_FREE);
    t.verify();
  });
});

function callsAt(t: ReturnType<typeof createTable>): number {
  const { memory, module } = t.describe();
  const env: Record<string, unknown> = { memory };
  for (const imp of WebAssembly.Module.imports(module)) if (imp.kind === 'function') env[imp.name] = () => 0;
  return (new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports }).exports as { callsAt(): number }).callsAt();
}
