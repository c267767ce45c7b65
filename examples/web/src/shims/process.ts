// The `process` the rv64 emulator reads (esbuild's inject puts this in place
// of the global in the browser bundle): a pid, ids and a clock for the guest.
const t0 = performance.now();
export const process = {
  pid: 42,
  ppid: 1,
  getuid: (): number => 1000,
  getgid: (): number => 1000,
  hrtime: { bigint: (): bigint => BigInt(Math.round((performance.now() - t0) * 1e6)) },
  stdout: { rows: 24, columns: 80 },
  env: {} as Record<string, string>,
};
