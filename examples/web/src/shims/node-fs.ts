// node:fs in the page's bundle of the rv64 emulator: the guest's descriptors
// 0-2 go through RunOptions.io, so nothing here should be reached; if it is,
// the guest sees a failure it can handle (the emulator catches these where
// it probes the host), never a silent success.
const absent = (name: string) => (): never => {
  throw Object.assign(new Error(`node:fs.${name} is not available in a browser worker (the page gives the emulator RunOptions.io)`), { code: 'ENOSYS' });
};
export const readFileSync = absent('readFileSync');
export const readSync = absent('readSync');
export const writeSync = absent('writeSync');
export const fstatSync = absent('fstatSync');
export const openSync = absent('openSync');
