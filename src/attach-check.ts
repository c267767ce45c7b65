// What attach() checks before the core runs on a memory it was handed: the
// core module, every header word against the ABI and the memory, and the
// core's region offsets against the header. The records are checked after,
// by the core's own verify() (see Table). No Table import.
import type { Abi } from './abi/types.js';
import { totalSlots } from './abi/read.js';
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { decodeVerify } from './verify.js';
import type { View } from './view.js';

const fail = (reason: string): never => {
  throw new SystabError('EATTACH', reason);
};
const isInt = (v: number, min: number, max: number): boolean => Number.isInteger(v) && v >= min && v <= max;

/** Bytes a layout of these sizes needs: the core's layoutBytes, in exact arithmetic (no 32-bit wrap). */
export function layoutBytes(slots: number, maxH: number, maxM: number, maxW: number, calls: number): number {
  const words = ((L.HEADER_WORDS + slots + maxH * L.HR_WORDS + maxM * L.MR_WORDS + maxW * L.WR_WORDS + maxW * slots * L.C_WORDS + 1) & ~1) + maxW * calls * L.CR_WORDS;
  return (words * 4 + 2 * maxW * maxH + slots + 7) & ~7;
}

const damaged = (what: string): never => fail(`table header is damaged: ${what}`);

/**
 * Checks every header word of a table against what it must be for `abi`
 * (whose abiFingerprint() is `fingerprint`) and a memory of `byteLength`
 * bytes; throws SystabError('EATTACH') naming the first that is not.
 */
export function checkLayout(i32: Int32Array, byteLength: number, abi: Abi, fingerprint: number): void {
  if (byteLength < L.HEADER_WORDS * 4 || i32[L.H_MAGIC] !== L.MAGIC) {
    fail(`memory is not a systab table (magic 0x${((i32[L.H_MAGIC] ?? 0) >>> 0).toString(16).padStart(8, '0')})`);
  }
  const h = (word: number): number => Atomics.load(i32, word);
  if (h(L.H_VERSION) !== L.LAYOUT_VERSION) fail(`table has layout version ${h(L.H_VERSION)}; this systab reads version ${L.LAYOUT_VERSION}`);
  const state = h(L.H_STATE);
  if (state === 0 || state === 1) fail('table is not initialised');
  if (state !== L.STATE_READY) damaged(`state ${state}`);
  if (h(L.H_ABI) !== fingerprint) fail(`table was made for another ABI than ${abi.id}`);
  // The fingerprint matched: a word that disagrees with the ABI is damage.
  const total = totalSlots(abi);
  const same: [number, number, string][] = [
    [L.H_SLOTS, total, 'slots'],
    [L.H_BASE, abi.base, 'first call number'],
    [L.H_MAIN, abi.count, 'main range'],
    [L.H_ENOSYS, abi.enosys, 'ENOSYS'],
  ];
  for (const [word, want, what] of same) if (h(word) !== want) damaged(`${what} ${h(word)}; ${abi.id} has ${want}`);
  const maxH = h(L.H_MAXH);
  const maxM = h(L.H_MAXM);
  const maxW = h(L.H_MAXW);
  const calls = h(L.H_CALLS);
  if (!isInt(maxH, 2, L.ID_MASK + 1)) damaged(`${maxH} handler records (2 to ${L.ID_MASK + 1})`);
  if (!isInt(maxM, 2, 65536)) damaged(`${maxM} module records (2 to 65536)`);
  if (!isInt(maxW, 1, 1024)) damaged(`${maxW} worker records (1 to 1024)`);
  if (!isInt(calls, 1, L.CALLS_MAX)) damaged(`${calls} call records per worker (1 to ${L.CALLS_MAX})`);
  const need = layoutBytes(total, maxH, maxM, maxW, calls);
  const bytes = h(L.H_BYTES);
  if (bytes !== need) damaged(`size ${bytes} bytes; its counts need ${need}`);
  if (bytes > byteLength) fail(`table needs ${bytes} bytes; the memory holds ${byteLength}`);
  if (h(L.H_GP) < 1) damaged(`grace period ${h(L.H_GP)}`);
  // H_CHANGES is only ever compared for equality: every value is sound.
  if (!isInt(h(L.H_LOCK), 0, maxW)) damaged(`writer lock ${h(L.H_LOCK)} (0, or a worker index + 1 up to ${maxW})`);
  if (!isInt(h(L.H_NEXTH), 1, maxH - 1)) damaged(`next handler ${h(L.H_NEXTH)} (1 to ${maxH - 1})`);
  if (!isInt(h(L.H_OOR_COUNT), 0, 1)) damaged(`out-of-range count switch ${h(L.H_OOR_COUNT)}`);
  if (!isInt(h(L.H_ORPHANS), 0, 3)) damaged(`orphans flag ${h(L.H_ORPHANS)}`);
}

// What src/core.ts needs of the core: its imports and exports, by name and kind.
const IMPORTS = ['env.memory:memory', 'env.js_call:function', 'env.js_call64:function', 'env.js_slow:function', 'env.js_now:function', 'env.js_timed:function'];
const FUNCTIONS =
  'layoutVersion slotsAt handlersAt modulesAt workersAt countersAt stripeWords callsAt resolvedAtBytes asyncAtBytes reasonsAtBytes layoutBytes init bind lockTry unlock publish workerClaim workerSetOnline workerRelease gpStart quiesce gpWaiter handlerAlloc handlerRetire handlerRevive handlerFree handlerSetBelow slotSwap hooksSet plugSet policySet policyLogged moduleClaim modulePublish moduleFree moduleBump dispatch setSeenWake setOorMode setSampling oorCountSet filteredAdd callWasm callWasm64 verify';
const exportsWanted = (): string[] => [...FUNCTIONS.split(' ').map((n) => `${n}:function`), 'memory:memory', 'table:table'];
const checked = new WeakSet<WebAssembly.Module>();

/**
 * Confirms `module` has the shape of systab's core: exactly its imports and
 * every export the API calls, by name and kind (its layout version is
 * checked once instantiated). Throws EATTACH otherwise; remembered per module.
 */
export function checkCoreModule(module: WebAssembly.Module): void {
  if (checked.has(module)) return;
  const not = (what: string): never => fail(`module is not systab's core: ${what}`);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`);
  for (const i of imports) if (!IMPORTS.includes(i)) not(`it imports ${i}`);
  for (const i of IMPORTS) if (!imports.includes(i)) not(`it does not import ${i}`);
  const exports = WebAssembly.Module.exports(module).map((e) => `${e.name}:${e.kind}`);
  for (const e of exportsWanted()) if (!exports.includes(e)) not(`it does not export ${e}`);
  checked.add(module);
}

/** Region offsets as this code derives them from a checked header (words; the byte regions in bytes). */
export function regionsOf(i32: Int32Array): number[] {
  const slots = i32[L.H_SLOTS]!;
  const maxH = i32[L.H_MAXH]!;
  const maxM = i32[L.H_MAXM]!;
  const maxW = i32[L.H_MAXW]!;
  const handlers = L.HEADER_WORDS + slots;
  const modules = handlers + maxH * L.HR_WORDS;
  const workers = modules + maxM * L.MR_WORDS;
  const counters = workers + maxW * L.WR_WORDS;
  const calls = (counters + maxW * slots * L.C_WORDS + 1) & ~1;
  const resolved = (calls + maxW * i32[L.H_CALLS]! * L.CR_WORDS) * 4;
  return [L.HEADER_WORDS, handlers, modules, workers, counters, calls, resolved, resolved + maxW * maxH, resolved + 2 * maxW * maxH];
}

/**
 * The instantiated core must answer this build's layout version and the
 * region offsets this code derives from the header (a module that merely
 * looks like the core would write through other ones). Throws EATTACH.
 */
export function checkCoreRegions(core: { layoutVersion(): number; slotsAt(): number; handlersAt(): number; modulesAt(): number; workersAt(): number; countersAt(): number; callsAt(): number; resolvedAtBytes(): number; asyncAtBytes(): number; reasonsAtBytes(): number; layoutBytes(s: number, h: number, m: number, w: number, c: number): number }, i32: Int32Array): void {
  const v = core.layoutVersion();
  if (v !== L.LAYOUT_VERSION) fail(`module is not systab's core of layout version ${L.LAYOUT_VERSION} (its layoutVersion() answers ${v})`);
  const got = [core.slotsAt(), core.handlersAt(), core.modulesAt(), core.workersAt(), core.countersAt(), core.callsAt(), core.resolvedAtBytes(), core.asyncAtBytes(), core.reasonsAtBytes()];
  const want = regionsOf(i32);
  const bytes = core.layoutBytes(i32[L.H_SLOTS]!, i32[L.H_MAXH]!, i32[L.H_MAXM]!, i32[L.H_MAXW]!, i32[L.H_CALLS]!);
  if (got.join() !== want.join() || bytes !== i32[L.H_BYTES]) fail("module is not systab's core: its regions are not where the header puts them");
}

/**
 * The records of a table being attached, by the core's verify(): a verdict
 * taken while no writer was at work (the lock free and no slot change
 * around the look) stands; while writers keep working it looks again, for
 * up to a second, then under the writer lock. Damage, or a lock nobody
 * gives back, is EATTACH and this view is closed. Holding the lock only as
 * a last resort keeps a thread killed while it attaches from leaving it held.
 */
export function checkRecords(view: View, verify: () => void, end: () => void): void {
  const i32 = view.i32;
  const deadline = performance.now() + 1000;
  let quiet = 0; // a verdict seen with the lock free and no slot change around it
  do {
    const lock0 = Atomics.load(i32, L.H_LOCK);
    const changes = Atomics.load(i32, L.H_CHANGES);
    const v = view.core.verify();
    if (v === 0) return; // nothing wrong was seen, whatever the writers did
    if ((Atomics.load(i32, L.H_ORPHANS) & L.ORPHANS_LOCK_LOST) !== 0) break; // a half-made change awaiting repair: verify() repairs, then judges
    // A slot's trace bit and plug reasons apart may be a plugSet() in progress (it takes no lock): look again.
    // A writer may also take the lock and give it back inside one look without a slot change (a load refused after
    // its handlers were allocated, then freed): a verdict stands only when a second look, a moment later, repeats it.
    if (v >>> L.V_CODE_SHIFT !== L.V_PLUG && lock0 === 0 && Atomics.load(i32, L.H_LOCK) === 0 && Atomics.load(i32, L.H_CHANGES) === changes) {
      if (v === quiet) {
        end();
        throw new SystabError('EATTACH', `table records are damaged: ${decodeVerify(v, view.map).replace(/^verify: /, '')}`);
      }
      quiet = v;
      for (const t0 = performance.now(); performance.now() - t0 < 1; ); // no Atomics.wait: a browser's main thread attaches too
    } else quiet = 0;
  } while (performance.now() < deadline);
  try {
    verify();
  } catch (e) {
    end();
    const what = e instanceof SystabError && e.code === 'ELAYOUT' ? `are damaged: ${e.message.replace(/^verify: /, '')}` : `could not be checked: ${e instanceof Error ? e.message : String(e)}`;
    throw new SystabError('EATTACH', `table records ${what}`);
  }
}
