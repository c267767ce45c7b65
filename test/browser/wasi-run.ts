// Runs a WASI program in a browser (page or Web Worker) both ways: with the
// shim's wasiImport called directly (each import counted by a Proxy), and
// through a systab table (the shim loaded with loadWasi, started by
// host.start), so a test can compare output, exit code, files and calls.
import { shim, type Guest } from '../../examples/wasi/shim.js';

export type { Guest };
import type { Stats, Table } from 'systab';
import { loadWasi, wasiImports } from 'systab/wasi';

export interface Result {
  stdout: string;
  stderr: string;
  code: number;
  files: Record<string, string>;
}
export type Counts = Record<string, number>;

/** The programs run, each with its guest: args, environment, files of the preopened /data. */
export const PROGRAMS: [string, Guest][] = [
  ['hello', {}],
  ['fileio', { files: { 'in.txt': 'first line\nsecond line\nthe end\n' } }],
  ['args', { args: ['args', 'one', 'two words'], env: ['HOME=/home/guest', 'LANG=C'] }],
  ['exit', { args: ['exit', '3'] }],
  ['exit', { args: ['exit'] }],
  ['flite', { args: ['flite', '-lv'] }],
];

/** A fresh shim for `g`, its run's result read after it ends. */
function fresh(g: Guest) {
  const s = shim(g);
  return { wasi: s.wasi, result: (code: number): Result => ({ stdout: s.stdout(), stderr: s.stderr(), code, files: s.tree() }) };
}

/** The shim called directly; `calls` counts every import the program called, by name. */
export async function runDirect(module: WebAssembly.Module, g: Guest): Promise<Result & { calls: Counts }> {
  const s = fresh(g);
  const calls: Counts = {};
  const imports = new Proxy(s.wasi.wasiImport as Record<string, (...a: unknown[]) => unknown>, {
    get(target, key: string) {
      const f = target[key]!;
      return (...a: unknown[]) => {
        calls[key] = (calls[key] ?? 0) + 1;
        return f(...a);
      };
    },
  });
  const inst = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: imports as never });
  return { ...s.result(s.wasi.start(inst as never)), calls };
}

/** Through `table`: the shim loaded as module `name` and given to host.start(), which runs the program; unloaded after. */
export async function runSystab(table: Table, module: WebAssembly.Module, g: Guest, name: string): Promise<Result> {
  const s = fresh(g);
  const m = loadWasi(table, name, s.wasi.wasiImport, { wasi: s.wasi });
  const host = wasiImports(table);
  const inst = await WebAssembly.instantiate(module, host.imports as never);
  const code = host.start(inst);
  await m.unload();
  return s.result(code);
}

/** Per WASI name, the calls the table saw (answered, or nosys), from stats(). */
export function statCounts(stats: Stats): Counts {
  const o: Counts = {};
  for (const c of stats.calls) if (c.calls + c.enosys > 0) o[c.name!] = c.calls + c.enosys;
  return o;
}

/** The difference of two statCounts() (what a run added to the table's counters). */
export function countsSince(after: Counts, before: Counts): Counts {
  const o: Counts = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) o[k] = v - (before[k] ?? 0);
  return o;
}
