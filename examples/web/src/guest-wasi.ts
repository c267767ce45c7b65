// Guest (2): a wasm32-wasi program with @bjorn3/browser_wasi_shim, loaded on
// the page's wasi-preview1 table (attached here) with loadWasi: every WASI
// import is a call through the table, traced, filtered and swapped as the
// page says.
import { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import type { Table } from 'systab';
import { loadWasi, wasiImports } from 'systab/wasi';
import { attachTrace, exitedLine } from 'systab/trace';
import { attachFilter } from 'systab/seccomp';
import { type Batcher, reader, upper } from './batch.js';
import { type Start, UPPER } from './protocol.js';

const INVAL = 28;
const nap = new Int32Array(new SharedArrayBuffer(4));

export async function runWasi(t: Table, m: Start, out: Batcher): Promise<{ code: number }> {
  const text = new TextDecoder();
  const fds = [
    new OpenFile(new File([])),
    new ConsoleStdout((b: Uint8Array) => out.out(1, text.decode(b))),
    new ConsoleStdout((b: Uint8Array) => out.out(2, text.decode(b))),
    new PreopenDirectory('/tmp', new Map()),
  ];
  const wasi = new WASI(['ticker', ...m.args], [], fds, { debug: false });
  loadWasi(t, 'shim', wasi.wasiImport, { wasi });
  const host = wasiImports(t);
  const view = () => new DataView(host.memory().buffer);
  // The shim's poll_oneoff spins for a sleep; this one sleeps (a worker may block), over the shim's.
  loadWasi(t, 'sleep', { poll_oneoff: (inPtr: number, outPtr: number, n: number, nevents: number) => sleep(view(), inPtr, outPtr, n, nevents) }, { over: true });
  attachTrace(t, m.traceDesc, { sink: (l) => out.trace(l), format: { read: reader(() => host.memory().buffer) } });
  attachFilter(t, m.filterDesc);
  t.provide({
    name: UPPER,
    wraps: {
      // fd_write(fd, iovs, iovs_len, nwritten): the terminal's bytes, uppercased.
      fd_write: (below) => (fd, iovs, n, nwritten, a4, a5) => {
        if (fd !== 1 && fd !== 2) return below(fd, iovs, n, nwritten, a4, a5);
        const v = view();
        const parts: Uint8Array[] = [];
        for (let i = 0; i < n; i++) parts.push(new Uint8Array(v.buffer, v.getUint32(iovs + 8 * i, true), v.getUint32(iovs + 8 * i + 4, true)));
        const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
        parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
        out.out(fd, text.decode(upper(all)));
        v.setUint32(nwritten, all.length, true);
        return 0;
      },
    },
  });
  const module = await WebAssembly.compile(m.bytes);
  const code = host.start(new WebAssembly.Instance(module, host.imports));
  out.trace(`${exitedLine(code)}\n`);
  return { code };
}

/** One clock subscription (what nanosleep asks): wait, then its event. Subscription: 48 bytes, event: 32 (witx). */
function sleep(v: DataView, inPtr: number, outPtr: number, n: number, nevents: number): number {
  if (n !== 1 || v.getUint8(inPtr + 8) !== 0) return INVAL;
  const clock = v.getUint32(inPtr + 16, true);
  const timeout = Number(v.getBigUint64(inPtr + 24, true)) / 1e6; // ms
  const abs = (v.getUint16(inPtr + 40, true) & 1) !== 0;
  const now = clock === 0 ? Date.now() : performance.now();
  Atomics.wait(nap, 0, 0, Math.max(0, abs ? timeout - now : timeout));
  v.setBigUint64(outPtr, v.getBigUint64(inPtr, true), true);
  v.setUint16(outPtr + 8, 0, true);
  v.setUint8(outPtr + 10, 0);
  v.setUint32(nevents, 1, true);
  return 0;
}
