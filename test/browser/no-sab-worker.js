// A Web Worker of a page that is not cross-origin isolated: it has no
// SharedArrayBuffer either, so attach() must fail, and a table of its own
// must still work. (Nothing systab makes here can be posted: a plain
// WebAssembly.Memory is not cloneable, so the descriptor is this worker's own,
// made by hand: describe() refuses an unshared table.)
import { attach, createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

self.onmessage = () => {
  const out = { sab: typeof SharedArrayBuffer };
  try {
    const t = createTable({ abi });
    t.load({ name: 'solo', handlers: { getpid: () => 7 } });
    out.solo = t.call(abi.names.getpid);
    attach({ memory: t.memory, module: new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), abi });
  } catch (err) {
    out.code = err.code;
    out.message = err.message;
  }
  self.postMessage(out);
};
