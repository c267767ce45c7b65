// node:child_process in the browser bundle: a FIFO on a host mount (mkfifo(1)); a page mounts no host directory.
export const execFileSync = (): never => {
  throw new Error('rv64 in a browser worker has no host directories to make FIFOs in');
};
