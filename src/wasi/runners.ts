// The WASI objects loadWasi() was given ({ wasi }), per table: host.start()
// binds them to the guest it runs. Written by loadWasi(), read by start().

/** A WASI object as the shim and node:wasi make them: start(instance) runs a command, initialize(instance) binds a guest without running it. */
export interface WasiRunner {
  start(instance: WebAssembly.Instance): number | undefined | void;
  initialize?(instance: WebAssembly.Instance): unknown;
}

interface Registered {
  readonly module: { loaded?: boolean };
  readonly name: string;
  readonly wasi: WasiRunner;
}

const byTable = new WeakMap<object, Registered[]>();

/** @internal */
export function addRunner(table: object, module: { loaded?: boolean; name?: unknown }, wasi: WasiRunner): void {
  let list = byTable.get(table);
  if (list === undefined) byTable.set(table, (list = []));
  list.push({ module, name: String(module.name), wasi });
}

/** @internal The WASI objects of `table`'s loaded modules, in load order, each once (its last load counts). */
export function runnersOf(table: object): Registered[] {
  const list = byTable.get(table);
  if (list === undefined) return [];
  const live = list.filter((r) => r.module.loaded !== false);
  byTable.set(table, live); // unloaded modules' objects are let go
  return live.filter((r, i) => !live.slice(i + 1).some((o) => o.wasi === r.wasi));
}
