// One run of a guest: the page makes the table, its trace (with event rings,
// for the export) and its filters, and starts a worker that attaches to all
// three. Every control of the page acts on these, while the guest runs.
import { createTable, type Module, type Table, type WrapFactory } from 'systab';
import { traceTable, type Trace } from 'systab/trace';
import { filterTable, type TableFilter } from 'systab/seccomp';
import { abi as rv64Abi } from 'systab/abi/linux-riscv64';
import { abi as wasiAbi } from 'systab/abi/wasi-preview1';
import { allowAll, compileRules, parseRules } from './rules.js';
import { compileProfile } from 'systab/seccomp/oci';
import { type FromWorker, type GuestKind, type Start, UPPER } from './protocol.js';

export const EVENTS = 8192;

export class Session {
  readonly t: Table;
  readonly tr: Trace;
  readonly filter: TableFilter;
  readonly worker: Worker;
  upper: Module | undefined;
  ended = false;

  constructor(readonly kind: GuestKind, bytes: ArrayBuffer, args: string[], onMessage: (m: FromWorker) => void) {
    this.t = createTable({ abi: kind === 'rv64' ? rv64Abi : wasiAbi });
    this.t.hooks('*', { count: true }); // the chart's counters, and the missing-call report
    this.tr = traceTable(this.t, { events: { capacity: EVENTS } });
    this.tr.select('all');
    this.filter = filterTable(this.t, [allowAll]);
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    this.worker.onerror = (e) => onMessage({ type: 'error', message: e.message || 'the worker failed to start' });
    const start: Start = { kind, desc: this.t.describe(), traceDesc: this.tr.describe(), filterDesc: this.filter.describe(), bytes, args };
    this.worker.postMessage(start, [bytes]);
  }

  /** The terminal's write (rv64) or fd_write (WASI), uppercased: the page loads the module, the worker has its code (provide()). */
  swap(): void {
    const call = this.kind === 'rv64' ? 'write' : 'fd_write';
    // The page's own code for it is a plain fall-through: calls made here (none) would not change.
    const through: WrapFactory = (below) => below;
    this.upper = this.t.load({ name: UPPER, wraps: { [call]: through } });
  }

  async unswap(): Promise<void> {
    const m = this.upper;
    this.upper = undefined;
    await m?.unload();
  }

  /** The page's rules (`getpid:EPERM`), or an OCI / Docker seccomp profile as JSON (systab/seccomp/oci's compileProfile), stacked. */
  loadFilter(text: string): number {
    if (text.trim().startsWith('{')) {
      const profile = JSON.parse(text) as { syscalls?: unknown[] };
      this.filter.stack([compileProfile(profile, { abi: this.t.abi })]);
      return profile.syscalls?.length ?? 0;
    }
    const rules = parseRules(text, this.t.abi);
    this.filter.stack([compileRules(rules, this.t.abi)]);
    return rules.length;
  }

  stop(): void {
    this.ended = true;
    this.worker.terminate();
  }
}

/** The controls' defaults for each guest: what its calls are named. */
export const PRESETS: Record<GuestKind, { inject: string; filter: string; count: string }> = {
  rv64: { inject: 'openat:error=EACCES', filter: 'getpid:EPERM', count: '%file' },
  wasi: { inject: 'path_open:error=acces', filter: 'path_open:perm', count: '%file' },
};
