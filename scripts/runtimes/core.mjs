// scripts/runtimes.mjs runs this in a fresh project that installed the
// packed tarball (bun, deno): a table of linux-x86_64, a module loaded by
// call name, its calls, ENOSYS for the rest, an unload. Prints what it saw as
// one JSON line.
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const t = createTable({ abi });
t.hooks('*', { count: true });
const m = t.load({ name: 'basic-io', handlers: { write: (fd, buf, len) => len, getpid: () => 4242 } });
const seen = {
  shared: t.describe().memory.buffer instanceof SharedArrayBuffer,
  write: t.call(abi.names.write, 1, 0x1000, 12),
  getpid: t.call(abi.names.getpid),
  openat: t.call(abi.names.openat),
  outOfRange: t.call(99999),
  missing: t.stats().missing,
};
await m.unload();
seen.afterUnload = t.call(abi.names.getpid);
t.verify();
console.log(JSON.stringify(seen));
