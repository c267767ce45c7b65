// A WASI guest written out as bytes (no toolchain at bench time): one loop per
// measured call, each calling its wasi_snapshot_preview1 import n times with
// fixed arguments and summing the errnos. Memory (exported, 1 page): an iovec
// at 0 ({ buf: 64, len: 16 }), nwritten at 16, the clock's time at 24, the
// seek's new offset at 32, 16 bytes of text at 64.
//   loop_clock(n, fd)  clock_time_get(1 monotonic, precision 1000, 24)
//   loop_write(n, fd)  fd_write(fd, 0, 1, 16): 16 bytes
//   loop_seek(n, fd)   fd_seek(fd, 2^60, 0 set, 32)
//   loop_yield(n, fd)  sched_yield()
import { HEADER, I32, I64, section, sleb, str, uleb, vec } from './bytes.mjs';

export const SEEK_OFFSET = 1n << 60n;
export const LOOPS = { clock_time_get: 'loop_clock', fd_write: 'loop_write', fd_seek: 'loop_seek', sched_yield: 'loop_yield' };

export function wasiGuestBytes() {
  const fn = (params, results) => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];
  const types = vec([
    fn([I32, I64, I32], [I32]), // 0 clock_time_get
    fn([I32, I32, I32, I32], [I32]), // 1 fd_write
    fn([I32, I64, I32, I32], [I32]), // 2 fd_seek
    fn([], [I32]), // 3 sched_yield
    fn([I32, I32], [I32]), // 4 loop (n, fd) -> sum
  ]);
  const names = Object.keys(LOOPS);
  const imports = vec(names.map((name, i) => [...str('wasi_snapshot_preview1'), ...str(name), 0x00, ...uleb(i)]));
  const funcs = vec(names.map(() => [4]));
  const memory = vec([[0x00, 0x01]]);
  const exports = vec([[...str('memory'), 0x02, 0], ...Object.values(LOOPS).map((loop, j) => [...str(loop), 0x00, ...uleb(names.length + j)])]);
  const i32c = (v) => [0x41, ...sleb(v)];
  const fd = [0x20, 1];
  const callArgs = [
    [...i32c(1), 0x42, ...sleb(1000), ...i32c(24)],
    [...fd, ...i32c(0), ...i32c(1), ...i32c(16)],
    [...fd, 0x42, ...sleb(SEEK_OFFSET), ...i32c(0), ...i32c(32)],
    [],
  ];
  // (local acc i32) block loop: n == 0 ? break; acc += call; n -= 1; again
  const body = (i) => {
    const b = [
      ...vec([[...uleb(1), I32]]),
      0x02, 0x40, 0x03, 0x40,
      0x20, 0, 0x45, 0x0d, 1,
      ...callArgs[i], 0x10, ...uleb(i), 0x20, 2, 0x6a, 0x21, 2,
      0x20, 0, ...i32c(1), 0x6b, 0x21, 0,
      0x0c, 0, 0x0b, 0x0b,
      0x20, 2, 0x0b,
    ];
    return [...uleb(b.length), ...b];
  };
  const code = vec(names.map((_, i) => body(i)));
  const text = [...new TextEncoder().encode('systab wasi 16b\n')];
  const data = vec([
    [0x00, ...i32c(0), 0x0b, ...vec([64, 0, 0, 0, 16, 0, 0, 0].map((b) => [b]))],
    [0x00, ...i32c(64), 0x0b, ...vec(text.map((b) => [b]))],
  ]);
  return new Uint8Array([...HEADER, ...section(1, types), ...section(2, imports), ...section(3, funcs), ...section(5, memory), ...section(7, exports), ...section(10, code), ...section(11, data)]);
}
