// strace's options (-e trace=, -e inject=, -e fault=, -c, -C, -S, -o, -s)
// and --stats, built only on systab: systab/trace's switches and lines, and
// stats(). The emulator knows nothing of them.
import type { Table } from 'systab';
import { exitedLine, traceTable, type Trace, type TraceDescriptor } from 'systab/trace';
import type { Memory } from './memory.js';

/** What strace's options ask (main.ts reads them). */
export interface StraceOptions {
  /** -e trace= expressions (the last wins, as in strace); none: every call. */
  trace: string[];
  /** -e inject= and -e fault= expressions, in order. */
  inject: { kind: 'inject' | 'fault'; expr: string }[];
  /** -c: the summary only; -C: lines and the summary. */
  summary: 'off' | 'only' | 'also';
  /** -S: the summary's sort key. */
  sort?: string;
  /** -s: bytes of a buffer shown before `...`. */
  strSize?: number;
}

/** Starts tracing as strace's options say; `write` takes each line. Returns what prints the end: the exit line, the summary. */
export function startTrace(t: Table, mem: Memory, write: (line: string) => void, o: StraceOptions): { ended(code: number, signal?: string): void; describe(): TraceDescriptor } {
  const read = (a: number, n: number) => (mem.valid(a, n) ? mem.bytes(a, n) : null);
  const lines = o.summary !== 'only';
  const tr: Trace = traceTable(t, lines ? { sink: write, format: { read, strSize: o.strSize } } : {});
  tr.select(lines ? (o.trace.at(-1) ?? 'all') : 'none');
  for (const i of o.inject) (i.kind === 'inject' ? tr.inject(i.expr) : tr.fault(i.expr));
  if (o.summary !== 'off') tr.summary(o.trace.at(-1) ?? true);
  return {
    describe: () => tr.describe(), // for the guest's other threads (attachTrace)
    ended: (code, signal) => {
      if (lines) write(signal ? `+++ killed by ${signal} +++\n` : `${exitedLine(code)}\n`);
      if (o.summary !== 'off') write(tr.summaryTable(o.sort !== undefined ? { sort: o.sort } : {}));
      tr.close();
    },
  };
}

/** Turns counting on for every number, missing and out-of-range ones too; call before the guest starts. */
export function startStats(t: Table): void {
  t.hooks('*', { count: true });
}

/** A table of calls per name and the missing calls, from t.stats(). */
export function formatStats(t: Table): string {
  const st = t.stats();
  const rows = [...st.calls].filter((c) => c.calls > 0).sort((a, b) => b.calls - a.calls || a.nr - b.nr);
  let out = '  calls  errors  name\n';
  for (const c of rows) out += `${String(c.calls).padStart(7)} ${String(c.errors).padStart(7)}  ${c.name ?? c.nr}\n`;
  out += st.missing.length === 0 && st.outOfRange === 0 ? 'missing: none\n' : 'missing (answered ENOSYS):\n';
  for (const m of st.missing) out += `${String(m.count).padStart(7)}          ${m.name ?? `nr ${m.nr}`} (${m.nr})\n`;
  if (st.outOfRange > 0) out += `${String(st.outOfRange).padStart(7)}          numbers outside the ABI's range\n`;
  return out;
}
