import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-riscv64'; // each ABI is its own entry point

const t = createTable({ abi });
t.hooks('*', { count: true }); // count calls, errors and missing calls (off by default)
t.load({
  name: 'basic-io',
  handlers: {
    write: (fd, buf, len) => len,  // by call name: the same module loads on any ABI
    getpid: () => 4242,
  },
});

console.log(t.call(64, 1, 0x1000, 12)); // => 12   (write is 64 on riscv64, 1 on x86_64)
console.log(t.call(56));                // => -38  (openat: nobody implements it: -ENOSYS)
console.log(t.call(99999));             // => -38  (out of range: -ENOSYS too, counted apart)
console.log(t.stats().missing);         // => [{ nr: 56, name: 'openat', count: 1 }]
