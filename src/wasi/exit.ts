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

/**
 * The exit code an exception from a guest run stands for: WasiExit's, or that
 * of @bjorn3/browser_wasi_shim's WASIProcExit (recognised by its class name and
 * integer `code`, since systab does not depend on the shim); undefined for
 * anything else.
 */
export function exitCodeOf(e: unknown): number | undefined {
  if (e instanceof WasiExit) return e.code;
  if (e instanceof Error && e.constructor?.name === 'WASIProcExit') {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isInteger(code)) return code;
  }
  return undefined;
}
