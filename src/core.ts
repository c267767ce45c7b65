// Loads the AssemblyScript core. The bytes are inlined by the build; the
// module is compiled once per thread (or posted) and instantiated per table
// view, each instance bound to one worker record.
import coreBytes from '../build/core.wasm';

export interface CoreExports {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  layoutVersion(): number;
  slotsAt(): number;
  handlersAt(): number;
  modulesAt(): number;
  workersAt(): number;
  countersAt(): number;
  stripeWords(): number;
  callsAt(): number;
  resolvedAtBytes(): number;
  asyncAtBytes(): number;
  reasonsAtBytes(): number;
  layoutBytes(slots: number, maxH: number, maxM: number, maxW: number, calls: number): number;
  init(abiHash: number, slots: number, base: number, main: number, maxH: number, maxM: number, maxW: number, enosys: number, calls: number): number;
  bind(worker: number): void;
  lockTry(owner: number): number;
  unlock(owner: number): number;
  publish(): void;
  workerClaim(ident: number): number;
  workerSetOnline(i: number, online: number): void;
  workerRelease(i: number): void;
  gpStart(): number;
  quiesce(i: number): void;
  gpWaiter(gp: number, self: number): number;
  handlerAlloc(kind: number, module: number, slot: number, below: number, home: number): number;
  handlerRetire(id: number, by: number): number;
  handlerRevive(id: number): number;
  handlerFree(id: number): number;
  handlerSetBelow(id: number, expect: number, below: number): number;
  slotSwap(slot: number, expect: number, id: number, slow: number): number;
  hooksSet(slot: number, on: number, off: number): number;
  /** Sets or clears `reason` bits of a slot; its HOOK_TRACE bit follows its PR_PLUGS reasons, HOOK_COUNT its PR_COUNTS. Returns the slot word. */
  plugSet(slot: number, reason: number, on: number): number;
  policySet(slot: number, policy: number): void;
  policyLogged(slot: number): number;
  moduleClaim(): number;
  modulePublish(id: number): number;
  moduleFree(id: number): number;
  moduleBump(id: number): number;
  dispatch(nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint;
  setSeenWake(v: number): void;
  setOorMode(mode: number): void;
  setSampling(on: number, next: number): void;
  oorCountSet(on: number): void;
  filteredAdd(d: number): void;
  callWasm(id: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number;
  callWasm64(id: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint;
  verify(): number;
}

export interface CoreImports {
  js_call(id: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number;
  js_call64(id: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint;
  js_slow(nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint): bigint;
  js_now(): number;
  js_timed(slot: number, t0: number, n: number): number;
}

/** True where shared WebAssembly memory can exist (SharedArrayBuffer present). */
export function canShare(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

/** A SharedArrayBuffer, where such a thing exists at all. */
export function isShared(buffer: ArrayBufferLike): boolean {
  return canShare() && buffer instanceof SharedArrayBuffer;
}

let sharedModule: WebAssembly.Module | undefined;
let localModule: WebAssembly.Module | undefined;

/** The compiled core: the shared-memory build, or the same code importing plain memory. */
export function coreModule(shared: boolean): WebAssembly.Module {
  if (shared) return (sharedModule ??= new WebAssembly.Module(coreBytes));
  return (localModule ??= new WebAssembly.Module(unshareMemoryImport(coreBytes)));
}

/** The core's bytes (the `systab/core.wasm` file). */
export function coreWasm(): Uint8Array {
  return coreBytes.slice();
}

export function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory, imports: CoreImports): CoreExports {
  const instance = new WebAssembly.Instance(module, { env: { memory, ...imports } });
  return instance.exports as unknown as CoreExports;
}

// The core is built against shared memory. Where SharedArrayBuffer is missing
// the same code runs on plain memory: flip the import's limits flag from
// "shared, has max" (0x03) to "has max" (0x01). Only the import section is read.
function unshareMemoryImport(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  let p = 8;
  const leb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = out[p++]!;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v >>> 0;
      shift += 7;
    }
  };
  const skipName = (): void => {
    const n = leb();
    p += n;
  };
  while (p < out.length) {
    const id = out[p++]!;
    const size = leb();
    const end = p + size;
    if (id !== 2) {
      p = end;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = out[p++]!;
      if (kind === 0) leb();
      else if (kind === 1) {
        p++;
        const f = out[p++]!;
        leb();
        if (f & 1) leb();
      } else if (kind === 2) {
        if (out[p] === 0x03) {
          out[p] = 0x01;
          return out;
        }
        const f = out[p++]!;
        leb();
        if (f & 1) leb();
      } else if (kind === 3) p += 2;
    }
    break;
  }
  throw new Error('systab: core.wasm has no shared memory import');
}
