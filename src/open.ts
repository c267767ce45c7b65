// Opening the table in a memory for one thread: the checks an attach makes
// before the core runs there, the layout a create writes, this thread's
// instance of the core and its worker record. What it returns is the View.
import * as L from '../assembly/layout.js';
import type { Abi } from './abi/types.js';
import { abiFingerprint } from './abi/read.js';
import { instantiateCore, isShared, type CoreImports } from './core.js';
import { SystabError } from './errors.js';
import { slotMap } from './slots.js';
import { checkCoreModule, checkCoreRegions, checkLayout } from './attach-check.js';
import { workerWord } from './records.js';
import { coreRegions, type View } from './view.js';

/** The sizes a new table is made with (createTable()); undefined when attaching. */
export interface Init {
  maxH: number;
  maxM: number;
  maxW: number;
  calls: number;
}

/** Opens the table in `memory` for this thread: checked (attach) or made (`init`), with the core's imports bound to this thread's Table. */
export function openView(abi: Abi, memory: WebAssembly.Memory, module: WebAssembly.Module, init: Init | undefined, opts: { callTimeout: number; threadId: number; lockTimeout: number }, imports: CoreImports): View {
  const map = slotMap(abi);
  const fingerprint = abiFingerprint(abi);
  // Attaching: the module and every header word are checked before the core runs on the memory.
  if (init === undefined) {
    checkCoreModule(module);
    checkLayout(new Int32Array(memory.buffer), memory.buffer.byteLength, abi, fingerprint);
  }
  let core;
  try {
    core = instantiateCore(module, memory, imports);
  } catch (e) {
    // A memory whose limits the core cannot import (a maximum beyond its own), a module of another shape.
    throw new SystabError('EATTACH', `the core cannot run on this memory (${e instanceof Error ? e.message : String(e)})`);
  }
  const i32 = new Int32Array(memory.buffer);
  // Before anything is written through the core's offsets: they are the ones this code derives from the header.
  if (init === undefined) checkCoreRegions(core, i32);
  if (init !== undefined) {
    const need = core.layoutBytes(map.total, init.maxH, init.maxM, init.maxW, init.calls);
    if (memory.buffer.byteLength < need) {
      throw new SystabError('EATTACH', `memory holds ${memory.buffer.byteLength} bytes; a ${abi.id} table of these sizes needs ${need}`);
    }
    if (core.init(fingerprint, map.total, abi.base, abi.count, init.maxH, init.maxM, init.maxW, abi.enosys, init.calls) !== 0) {
      throw new SystabError('EATTACH', 'memory already holds a systab table; use attach()');
    }
    // Names this table's leases (Web Locks are per agent cluster, shared by every table in it).
    Atomics.store(i32, L.H_LEASE_ID, 1 + Math.floor(Math.random() * 0x7ffffffe));
  }
  const at = coreRegions(core, i32[L.H_CALLS]!);
  const me = core.workerClaim(opts.threadId);
  if (me < 0) throw new SystabError('EFULL', `all ${i32[L.H_MAXW]} worker records of this table are taken`);
  const claimGen = Atomics.load(i32, workerWord({ at }, me, L.WR_GEN));
  core.bind(me);
  const wakeAt = workerWord({ at }, me, L.WR_WAKE);
  const u8 = new Uint8Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer, 0, Math.floor(memory.buffer.byteLength / 8));
  return { abi, map, core, memory, module, i32, u8, f64, at, me, claimGen, wakeAt, shared: isShared(memory.buffer), callTimeout: opts.callTimeout, lockTimeout: opts.lockTimeout };
}
