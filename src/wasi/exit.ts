// How a WASI handler stops the guest: proc_exit throws, and systab's call()
// lets the exception through to whoever started the program.

/** Thrown by a proc_exit handler; WasiHost.start() turns it into the exit code. */
export class WasiExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit with code ${code}`);
    this.name = 'WasiExit';
    this.code = code;
  }
}
