// Go programs (Debian's golang-go, GOOS=linux GOARCH=riscv64 CGO_ENABLED=0)
// in the emulator against qemu-riscv64: the runtime starts its threads with
// clone, parks them on futexes, preempts with tgkill(SIGURG) (its handler
// runs on the signal stack and moves the thread's pc), and reads
// sched_getaffinity for GOMAXPROCS; its timers sleep in epoll_pwait on a
// pipe (epoll.ts). Same stdout and exit code.
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { compileGo } from '../examples/rv64/test/go.js';
import { ensureBundle, runEmulator, runQemu, TIMEOUT } from '../examples/rv64/test/harness.js';

async function both(name: string) {
  await ensureBundle();
  const bin = compileGo(name);
  return { emu: runEmulator(bin, [], ['--verify']), qemu: runQemu(bin, [], abi.names) };
}

describe('rv64 Go programs', () => {
  for (const [name, expected] of [
    ['hello', 'hello from Go\n'],
    ['goroutines', 'sum of squares 1..1000 = 333833500\n'],
    ['compute', 'GOMAXPROCS 2 longest Collatz chain below 30001: 307\n'],
    ['gc', 'tally 20000 20000 20000 20000 gc ran: true\n'], // the GC's scavenger sleeps on a timer: the netpoller (epoll)
    ['sleep', 'slept: [1 2 3] ticks: 4 at least 50 ms: true\n'],
    // Hangs without asynchronous preemption (GODEBUG=asyncpreemptoff=1 hangs under qemu too): SIGURG must reach a handler.
    ['preempt', 'three GCs while a goroutine spun without calls: done\n'],
  ] as const) {
    it(`${name}: same stdout and exit code as qemu`, async () => {
      const { emu, qemu } = await both(name);
      expect(qemu.stdout).toBe(expected);
      expect(emu.stdout).toBe(qemu.stdout);
      expect(emu.status).toBe(qemu.status);
      expect(emu.status).toBe(0);
      expect(emu.stderr).toContain('rv64: table verified');
      expect(emu.calls).toContain('clone'); // the runtime's threads
    }, TIMEOUT);
  }
});
