// A Web Worker for wasi.test.ts: attaches to the page's shared table, and runs
// each program it is sent with the shim directly and through the table (the
// shim loaded here, whose home is this worker); the page reads the counts.
import { attach, type Table } from 'systab';
import { runDirect, runSystab } from './wasi-run.js';

let table: Table | undefined;
self.onmessage = async (e: MessageEvent) => {
  const { desc, bytes, guest, name } = e.data;
  try {
    table ??= attach(desc);
    const module = await WebAssembly.compile(bytes);
    const direct = await runDirect(module, guest);
    const sys = await runSystab(table!, module, guest, name);
    self.postMessage({ direct, sys });
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
