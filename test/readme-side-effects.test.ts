// Importing systab has no side effects: a bundle that uses one export keeps
// nothing else, and importing the package creates no MessageChannel and
// compiles no WebAssembly until a table is made. Runs against dist/ (npm run
// build), resolved as a user's bundler resolves 'systab'.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { runInNewContext } from 'node:vm';

const root = new URL('..', import.meta.url).pathname;

async function bundle(source: string, minify = true): Promise<string> {
  const r = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: 'user.mjs' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    minify,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

// The core's bytes start with "\0asm", base64 "AGFzbQ".
const CORE = 'AGFzbQ';

interface Counts {
  channels: number;
  compiles: number;
}

/** Runs `code` in a fresh context shaped like a browser's (no setImmediate), counting what it creates. */
function runCounting(code: string): { counts: Counts; context: Record<string, unknown> } {
  const counts: Counts = { channels: 0, compiles: 0 };
  class CountedChannel extends MessageChannel {
    constructor() {
      super();
      counts.channels++;
    }
  }
  class CountedModule extends WebAssembly.Module {
    constructor(bytes: BufferSource) {
      super(bytes);
      counts.compiles++;
    }
  }
  const context: Record<string, unknown> = {
    console,
    MessageChannel: CountedChannel,
    WebAssembly: { ...Object.fromEntries(Object.getOwnPropertyNames(WebAssembly).map((k) => [k, (WebAssembly as unknown as Record<string, unknown>)[k]])), Module: CountedModule },
    TextEncoder,
    TextDecoder,
    SharedArrayBuffer,
    Atomics,
    performance,
    atob,
    queueMicrotask,
    setTimeout,
    clearTimeout,
    Uint8Array,
    Int32Array,
    WeakRef,
  };
  context.globalThis = context;
  runInNewContext(code, context);
  return { counts, context };
}

describe('import has no side effects (dist, bundled by esbuild)', () => {
  it('a bundle of only SystabError keeps neither the core bytes nor the table', async () => {
    const code = await bundle("import { SystabError } from 'systab'; console.log(new SystabError('EBADNR', 'x').code);");
    expect(code).not.toContain(CORE);
    expect(code).not.toContain('createTable');
  });

  it('a bundle of only abiName keeps no core bytes', async () => {
    const code = await bundle("import { abiName } from 'systab'; import { abi } from 'systab/abi/linux-x86_64'; console.log(abiName(abi, 1));");
    expect(code).not.toContain(CORE);
  });

  it('a bundle of createTable keeps the core', async () => {
    const code = await bundle("import { createTable } from 'systab'; console.log(createTable);");
    expect(code).toContain(CORE);
  });

  it('the core is compiled on first use, not at import', async () => {
    const code = await bundle("import * as s from 'systab'; import { abi } from 'systab/abi/linux-x86_64'; globalThis.s = s; globalThis.abi = abi;", false);
    const { counts, context } = runCounting(code);
    expect(counts.compiles).toBe(0);
    const s = context.s as typeof import('systab');
    const t = s.createTable({ abi: context.abi as never, shared: false });
    expect(t.call(39)).toBe(-38);
    expect(counts.compiles).toBe(1);
  });

  // grace.ts makes its MessageChannel (browsers' event-loop turn) on first use.
  it('importing the whole package in a browser-like context creates no MessageChannel', async () => {
    const code = await bundle("import * as s from 'systab'; globalThis.s = s;", false);
    expect(runCounting(code).counts.channels).toBe(0);
  });

  // Every module-level statement is pure or made on first use: a bundler drops them all.
  it('a bundle of only SystabError is the class and nothing else', async () => {
    const code = await bundle("import { SystabError } from 'systab'; console.log(SystabError);", false);
    for (const left of ['TextEncoder', 'TextDecoder', 'MessageChannel', 'waitAsync', 'Uint8Array']) expect(code).not.toContain(left);
  });
});
