// WASI programs in Chromium, through systab and with the shim called directly:
// on the page's main thread, and in a Web Worker attached to the page's shared
// table. Same output, exit code, files left and calls per WASI function.
import { commands } from 'vitest/browser';
import { describe, expect, it } from 'vitest';
import { createTable, type Table } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { countsSince, PROGRAMS, runDirect, runSystab, statCounts, type Guest, type Result } from './wasi-run.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** A WASI program's bytes, base64: a C fixture compiled by clang, or flite from node_modules. */
    wasiProgram(name: string): Promise<string>;
  }
}

async function bytesOf(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const b64 = await commands.wasiProgram(name);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const label = (name: string, g: Guest) => `${name} ${(g.args ?? []).slice(1).join(' ')}`.trim();

// What each program must print (so "equal to the direct run" cannot be two empty runs).
const expected: Record<string, (r: Result) => void> = {
  hello: (r) => expect(r.stdout).toBe('hello, world\n2 + 3 = 5, systab, deadbeefcafe\n'),
  fileio: (r) => {
    expect(r.stdout).toContain('tail: e end at 30\n');
    expect(r.files['sub/moved.txt']).toBe('line 0\nline 1\nline 2\n');
  },
  'args one two words': (r) => expect(r.stdout).toContain('argv[2]=two words\nenv HOME=/home/guest\nenv LANG=C\nHOME=/home/guest\n'),
  'exit 3': (r) => expect([r.code, r.stdout]).toEqual([3, 'exit(3)\natexit ran\n']),
  exit: (r) => expect([r.code, r.stdout]).toEqual([7, 'return 7\natexit ran\n']),
  'flite -lv': (r) => expect(r.stdout).toContain('Voices available:'),
};

describe('WASI in Chromium', () => {
  it('is cross-origin isolated (the table is shared with workers)', () => {
    expect(crossOriginIsolated).toBe(true);
  });

  for (const [name, guest] of PROGRAMS) {
    it(`${label(name, guest)}: on the main thread, through systab (counting on, then no switch on) as with the shim directly`, async () => {
      const module = await WebAssembly.compile(await bytesOf(name));
      const direct = await runDirect(module, guest);
      expected[label(name, guest)]!(direct);
      const t: Table = createTable({ abi });
      t.hooks('*', { count: true });
      const counted = await runSystab(t, module, guest, 'shim');
      expect(counted).toEqual({ stdout: direct.stdout, stderr: direct.stderr, code: direct.code, files: direct.files });
      expect(statCounts(t.stats())).toEqual(direct.calls);
      t.hooks('*', { count: false });
      const plain = await runSystab(t, module, guest, 'shim');
      expect(plain).toEqual(counted);
      t.verify();
      t.close();
    });
  }

  it('in a Web Worker attached to the page\'s table: each program as with the shim directly there, counted in the shared table', async () => {
    const t: Table = createTable({ abi });
    expect(t.describe().memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    t.hooks('*', { count: true });
    const w = new Worker(new URL('./wasi-worker.ts', import.meta.url), { type: 'module' });
    const ask = (msg: unknown) => new Promise<Record<string, unknown>>((res, rej) => {
      w.onmessage = (e) => res(e.data);
      w.onerror = (e) => rej(new Error(`worker error: ${e.message}`));
      w.postMessage(msg);
    });
    try {
      for (const [name, guest] of PROGRAMS) {
        const before = statCounts(t.stats());
        const r = await ask({ desc: t.describe(), bytes: await bytesOf(name), guest, name: `shim-${name}` });
        expect(r.error).toBeUndefined();
        const direct = r.direct as Result & { calls: Record<string, number> };
        expected[label(name, guest)]!(direct);
        expect(r.sys).toEqual({ stdout: direct.stdout, stderr: direct.stderr, code: direct.code, files: direct.files });
        // The worker's calls, read here from the shared counters.
        expect(countsSince(statCounts(t.stats()), before)).toEqual(direct.calls);
      }
      t.verify();
    } finally {
      w.terminate();
    }
  });
});
