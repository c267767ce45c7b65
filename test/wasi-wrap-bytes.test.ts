import { expect, it } from 'vitest';
import { fixture, runSystab, TIMEOUT } from '../examples/wasi/harness.js';

it('a wrap over fd_write counts the bytes written, reading nwritten from the guest memory', () => {
  const bytes = new Map<number, number>();
  const sys = runSystab(fixture('hello'), {}, {
    setup(t, host) {
      t.load({
        name: 'byte-counter',
        wraps: { fd_write: (below) => (fd, iovs, iovsLen, nwritten, a4, a5) => {
          const r = below(fd, iovs, iovsLen, nwritten, a4, a5) as number;
          if (r === 0) bytes.set(fd, (bytes.get(fd) ?? 0) + new DataView(host.memory().buffer).getUint32(nwritten, true));
          return r;
        } },
      });
    },
  });
  expect(sys.code).toBe(0);
  expect(bytes.get(1)).toBe(new TextEncoder().encode(sys.stdout).length);
  expect(bytes.get(2)).toBe(sys.stderr.length);
  // The wrap sits over the shim's fd_write, which it falls through to: one counted call per write.
  expect(sys.stats.calls.find((c) => c.name === 'fd_write')!.calls).toBeGreaterThanOrEqual(2);
}, TIMEOUT);
