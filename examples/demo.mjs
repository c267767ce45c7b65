// systab in a few seconds: one module written by call name, loaded on three
// ABIs whose numbers differ; a reservation filled later; a wrap; the
// missing-call report an emulator author reads to see what to write next.
import { createTable, abiName } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as riscv64 } from 'systab/abi/linux-riscv64';
import { abi as mips } from 'systab/abi/linux-mipso32';

const out = [];
const basicIo = {
  name: 'basic-io',
  handlers: {
    write: (fd, buf, len) => (out.push(`write(${fd}, ${len} bytes)`), len),
    getpid: () => 4242,
    // A handler that asks for exact 64-bit arguments.
    lseek: { bigint: true, fn: (fd, offset, whence) => offset + 1n },
  },
};

for (const abi of [x86_64, riscv64, mips]) {
  const t = createTable({ abi });
  t.load(basicIo);
  t.reserve('net', ['socket', 'connect']);
  t.hooks('*', { count: true });

  const nr = (name) => abi.names[name];
  const guest = [
    ['write', 1, 0x1000, 12],
    ['getpid'],
    ['socket', 2, 1, 0], // reserved for "net", not loaded yet: ENOSYS
    ['openat', -100, 0x2000, 0], // nobody implements it: ENOSYS
    ['openat', -100, 0x2000, 0],
  ];
  const results = guest.map(([name, ...args]) => `${name}=${t.call(nr(name), ...args)}`);
  const net = t.load({ name: 'net', handlers: { socket: () => 3, connect: () => 0 } });
  results.push(`socket after "net" loads=${t.call(nr('socket'), 2, 1, 0)}`);
  const offset = t.call64(nr('lseek'), 3, 2n ** 62n, 0);
  results.push(`lseek 2^62 -> ${offset}`);

  console.log(`\n${abi.id}: write is ${nr('write')}, openat is ${nr('openat')}, ENOSYS answers ${abi.enosys}`);
  console.log('  ' + results.join('\n  '));
  const { missing } = t.stats();
  console.log('  missing calls, most wanted first: ' + missing.map((m) => `${m.name ?? m.nr} x${m.count}`).join(', '));
  await net.unload();
  console.log(`  after "net" unloads, socket answers ${t.call(nr('socket'))} again (the reservation stays)`);
  t.verify();
}
console.log(`\nthe module saw: ${out.join('; ')}`);
console.log(`number 64 is ${abiName(x86_64, 64)} on x86_64 and ${abiName(riscv64, 64)} on riscv64.`);
