// This thread's switches and policies: its enter and exit hooks, its trap
// functions for missing calls, and the out-of-range policy. The per-number
// switches and policy codes themselves live in the shared slot words; the
// core flips them (hooks(), setMissing() here). Only the functions here
// write a Policy's fields; the slow path (the Table's, call64()) calls
// hooked() and missingCall() to run a call as the switches say.
import * as L from '../assembly/layout.js';
import { SystabError } from './errors.js';
import { noOtherKeys, show, slotsFor } from './handlers.js';
import { describeSlot } from './slots.js';
import { enosysError, isError, trapResult } from './results.js';
import type { Thread } from './thread.js';
import type { View } from './view.js';

export type MissingPolicy = 'enosys' | 'throw' | 'log-once' | ((nr: number, args: number[]) => number);
export type EnterHook = (nr: number, args: number[]) => number | void;
export type ExitHook = (nr: number, args: number[], result: unknown) => void;

/**
 * What a number's trace switch calls on this thread (systab/trace plugs one
 * in): `enter` before everything else may answer for the call (an injected
 * fault: the handler and the hooks do not run); `exit` sees what the caller
 * gets, or what the call threw.
 */
export interface TracePlug {
  /** `exact`: the 64-bit arguments themselves where the caller has them (call64(), WebAssembly), `args` being them as numbers. */
  enter(nr: number, slot: number, args: number[], exact?: readonly bigint[]): number | bigint | undefined;
  exit(nr: number, slot: number, args: number[], result: unknown, threw: boolean, injected: boolean): void;
  /** A number beyond the ABI's table (no slot, so no switch), as strace traces a number it has no call for: always. */
  oor?(nr: number, args: number[], result: unknown, threw: boolean): void;
  /** Run at this thread's quiescent points (poll()): a follow owner prints what the rings hold. */
  poll?(): void;
  /** seccomp's LOG: the call in progress (entered, not yet exited) is printed even if not selected; false if nothing prints here. */
  log?(nr: number, slot: number, args: number[]): boolean;
}

export class Policy {
  declare readonly v: View;
  /** The thread: a hooked call raises its depth. */
  declare readonly t: Thread;
  /** This thread's counters (the Table's hotCounters) and out-of-range counter (its hotOor: a one-word view). */
  declare readonly counters: Int32Array;
  declare readonly oor: Int32Array;
  /** The ABI's error convention is negative (-errno). */
  declare readonly negative: boolean;
  readonly traps = new Map<number, (nr: number, args: number[]) => number>();
  enter: EnterHook | undefined;
  exit: ExitHook | undefined;
  /** This thread's trace plug (systab/trace), for numbers whose trace switch is on. */
  plug: TracePlug | undefined;
  /** This thread's filter plug (systab/seccomp): inside the trace, before the hooks; its answer skips them and the handler. */
  filter: TracePlug | undefined;
  /** An injected bigint answer while it passes through the caller's result (call64() answers it exactly; a handler's bigint stays EBADRESULT). */
  injected: bigint | undefined;
  oorPolicy: MissingPolicy = 'enosys';
  oorLogged = false;
  constructor(t: Thread, counters: Int32Array, oor: Int32Array) {
    this.v = t.v;
    this.t = t;
    this.counters = counters;
    this.oor = oor;
    this.negative = t.v.abi.convention === 'negative';
  }
}

/** Turns per-number switches on or off (see Table.hooks). */
export function setHooks(p: Policy, targets: readonly (string | number)[] | '*', switches: { count?: boolean; enter?: boolean; exit?: boolean }): void {
  open(p);
  const v = p.v;
  const slots = slotsFor(v.abi, v.map, targets, 'hooks', true);
  if (switches === null || typeof switches !== 'object') throw new SystabError('EBADSPEC', `hooks() switches must be an object like { count: true } (got ${show(switches)})`);
  noOtherKeys(switches, ['count', 'enter', 'exit'], (k) => `hooks() has no switch "${k}"`);
  let on = 0;
  let off = 0;
  for (const [key, bit] of [['count', L.HOOK_COUNT], ['enter', L.HOOK_ENTER], ['exit', L.HOOK_EXIT]] as const) {
    const x = switches[key];
    if (x === undefined) continue;
    if (typeof x !== 'boolean') throw new SystabError('EBADSPEC', `hooks() switch "${key}" must be true or false (got ${show(x)})`);
    if (x) on |= bit;
    else off |= bit;
  }
  for (const s of slots) v.core.hooksSet(s, on, off);
  // Out-of-range numbers have no slot word: '*' flips their count switch too.
  if (targets === '*' && (on | off) & L.HOOK_COUNT) v.core.oorCountSet(on & L.HOOK_COUNT ? 1 : 0);
  v.core.publish();
}

/** Switches and policy codes are every thread's: a closed view (its worker record given back) changes none (the writer lock refuses it the same way). */
function open(p: Policy): void {
  if (p.t.closed) throw new SystabError('EBUSY', 'this table view is closed (close() gave its worker record back); attach again');
}

export function setEnter(p: Policy, hook: EnterHook | null): void {
  if (hook !== null && typeof hook !== 'function') throw new SystabError('EBADHANDLER', `onEnter() takes a function or null (got ${show(hook)})`);
  p.enter = hook ?? undefined;
}

export function setExit(p: Policy, hook: ExitHook | null): void {
  if (hook !== null && typeof hook !== 'function') throw new SystabError('EBADHANDLER', `onExit() takes a function or null (got ${show(hook)})`);
  p.exit = hook ?? undefined;
}

/** Sets what a missing call does (see Table.setMissing); the caller sets its out-of-range mode after a '*'. */
export function setMissing(p: Policy, targets: readonly (string | number)[] | '*', policy: MissingPolicy): void {
  open(p);
  const v = p.v;
  const code = policy === 'enosys' ? L.POLICY_ENOSYS : policy === 'throw' ? L.POLICY_THROW : policy === 'log-once' ? L.POLICY_LOG_ONCE : typeof policy === 'function' ? L.POLICY_TRAP : -1;
  if (code < 0) throw new SystabError('EBADSPEC', `missing-call policy must be 'enosys', 'throw', 'log-once' or a function (got ${show(policy)})`);
  const slots = slotsFor(v.abi, v.map, targets, 'setMissing', true);
  for (const s of slots) {
    if (typeof policy === 'function') p.traps.set(s, policy);
    else p.traps.delete(s);
    v.core.policySet(s, code);
  }
  v.core.publish();
  if (targets === '*') {
    p.oorPolicy = policy;
    p.oorLogged = false;
  }
}

/** How the hot paths treat out-of-range numbers: only an ABI with one range and the default policy answers there. */
export function oorModeNow(p: Policy): number {
  if (p.v.abi.extra.length !== 0 || p.oorPolicy !== 'enosys' || p.plug?.oor !== undefined || p.filter !== undefined || Atomics.load(p.v.i32, L.H_FILTERED) !== 0) return L.OOR_SLOW;
  return Atomics.load(p.v.i32, L.H_OOR_COUNT) === 0 ? L.OOR_ANSWER : L.OOR_COUNT;
}

/** An out-of-range call: count it if counting, and apply the out-of-range policy (a filter first: the kernel's seccomp sees every number). */
export function missingOor(p: Policy, nr: number, args: number[]): number {
  const plug = p.plug;
  if (plug?.oor === undefined) return oorFiltered(p, nr, args);
  let r: number;
  try {
    r = oorFiltered(p, nr, args);
  } catch (e) {
    plug.oor(nr, args, e, true);
    throw e;
  }
  plug.oor(nr, args, r, false);
  return r;
}

function oorFiltered(p: Policy, nr: number, args: number[]): number {
  const filter = p.filter;
  // Filtered, and this thread has not joined: refused (TSYNC's guarantee, as for the table's own numbers).
  if (filter === undefined && Atomics.load(p.v.i32, L.H_FILTERED) > 0) {
    throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${p.v.abi.id} (beyond the table) is filtered on this table, and this thread has not joined its filters: attachFilter(table, filter.describe()) first`);
  }
  // A number seccomp_data can hold (no fraction, 32 bits): the filter's answer, if it gives one, before the policy's trap could run.
  if (filter !== undefined && (nr === (nr | 0) || nr === nr >>> 0)) {
    let answer: number | bigint | undefined;
    p.t.depth++;
    try {
      answer = filter.enter(nr, -1, args);
    } finally {
      p.t.depth--;
    }
    if (answer !== undefined) {
      const a = filterAnswer(p, nr, answer);
      if (typeof a === 'number') return a;
      if (typeof a === 'bigint') throw badFilterAnswer(p, nr, a);
      // An async supervisor: its number, or (undefined: let it run) what the number answers unfiltered.
      return a.then((r) => (r === undefined ? oorAnswer(p, nr, args) : typeof r === 'number' ? r : Promise.reject(badFilterAnswer(p, nr, r)))) as unknown as number;
    }
  }
  return oorAnswer(p, nr, args);
}

/** A filter callback's answer (onTrap's, onKill's, onNotify's): a number, a bigint (call64() decides), or a promise; anything else is EBADRESULT, not a value call() passes on. */
function filterAnswer(p: Policy, nr: number, a: unknown): number | bigint | Promise<unknown> {
  if (typeof a === 'number' || typeof a === 'bigint') return a;
  if (a !== null && typeof a === 'object' && typeof (a as { then?: unknown }).then === 'function') return a as Promise<unknown>;
  throw badFilterAnswer(p, nr, a);
}

function badFilterAnswer(p: Policy, nr: number, a: unknown): SystabError {
  return new SystabError('EBADRESULT', `seccomp: the filter's callback answered call ${nr} of ${p.v.abi.id} with ${show(a)}; onTrap, onKill and onNotify answer a number (or a promise of one, or undefined to let a notified call run)`);
}

function oorAnswer(p: Policy, nr: number, args: number[]): number {
  const v = p.v;
  const enosys = v.abi.enosys;
  if (Atomics.load(v.i32, L.H_OOR_COUNT) !== 0) p.oor[0]!++;
  const o = p.oorPolicy;
  if (o === 'enosys') return enosys;
  if (o === 'throw') throw enosysError(v.abi, nr);
  if (o === 'log-once') {
    if (!p.oorLogged) {
      p.oorLogged = true;
      console.warn(`systab: ${v.abi.id} call ${nr} is out of range; returning ENOSYS (${enosys})`);
    }
    return enosys;
  }
  return trapResult(o(nr, args), String(nr));
}

/** A missing call on a slot whose policy code is `code`. */
export function missingPolicy(p: Policy, nr: number, slot: number, code: number, args: number[]): number {
  const v = p.v;
  const enosys = v.abi.enosys;
  if (code === L.POLICY_ENOSYS || code === L.POLICY_LOGGED) return enosys;
  if (code === L.POLICY_THROW) throw enosysError(v.abi, nr, v.map.nameOfSlot[slot]);
  if (code === L.POLICY_LOG_ONCE) {
    if (v.core.policyLogged(slot)) console.warn(`systab: ${v.abi.id} call ${describeSlot(v.map, slot)} is not implemented; returning ENOSYS (${enosys})`);
    return enosys;
  }
  const trap = p.traps.get(slot);
  return trap !== undefined ? trapResult(trap(nr, args), describeSlot(v.map, slot)) : enosys;
}

/** A call with switches on (as `word` says): the trace plug around the rest, if its switch is on and this thread has one. */
export function hooked<R>(p: Policy, nr: number, slot: number, word: number, args: number[], run: () => unknown, result: (r: unknown) => R, exact?: readonly bigint[]): R {
  const plug = (word & L.HOOK_TRACE) !== 0 ? p.plug : undefined;
  if (plug === undefined) return hookedBelow(p, nr, slot, word, args, run, result, exact);
  let early: number | bigint | undefined;
  p.t.depth++; // a plug that calls the table reaches no quiescent point while the handler is held
  try {
    early = plug.enter(nr, slot, args);
  } finally {
    p.t.depth--;
  }
  let r: R;
  try {
    r = early !== undefined ? injected(p, result, answered(p, slot, word, early)) : hookedBelow(p, nr, slot, word, args, run, result, exact);
  } catch (e) {
    plug.exit(nr, slot, args, e, true, false);
    throw e;
  }
  plug.exit(nr, slot, args, r, false, early !== undefined);
  return r;
}

/** The filter (may answer, or let the rest run), then belowFilter(). */
function hookedBelow<R>(p: Policy, nr: number, slot: number, word: number, args: number[], run: () => unknown, result: (r: unknown) => R, exact?: readonly bigint[]): R {
  const filter = (word & L.HOOK_TRACE) !== 0 ? p.filter : undefined;
  if (filter === undefined && (word & L.HOOK_TRACE) !== 0 && (Atomics.load(p.v.u8, p.v.at.reasons + slot) & L.PR_SECCOMP) !== 0) unjoined(p, slot);
  if (filter === undefined && (word & (L.HOOK_COUNT | L.HOOK_ENTER | L.HOOK_EXIT)) === 0) {
    // Plugged for another thread's reason (its own seccomp chain): belowFilter() with nothing on, the handler alone.
    p.t.depth++;
    try {
      return result(run());
    } finally {
      p.t.depth--;
    }
  }
  if (filter !== undefined) {
    let answer: number | bigint | undefined;
    p.t.depth++; // a filter callback that calls the table reaches no quiescent point
    try {
      answer = filter.enter(nr, slot, args, exact); // exact: a filter compares all 64 bits, as the handler gets them
    } finally {
      p.t.depth--;
    }
    if (answer !== undefined) {
      const a = filterAnswer(p, nr, answer);
      if (typeof a !== 'object') return result(answered(p, slot, word, a));
      // A promise (an async supervisor): its number, or the rest of the call once it lets it run, as the call's answer (counted in flight, so the handler stays).
      const later = a.then((r) => (r === undefined ? belowFilter(p, nr, slot, word, args, run, (x) => x) : typeof r === 'number' ? answered(p, slot, word, r) : Promise.reject(badFilterAnswer(p, nr, r))));
      return result(later);
    }
  }
  return belowFilter(p, nr, slot, word, args, run, result);
}

/** The plug's answer through `result`: a bigint (a retval= no number holds) marked as the injection's while it passes, so call64() alone answers it. */
function injected<R>(p: Policy, result: (r: unknown) => R, a: number | bigint): R {
  if (typeof a !== 'bigint') return result(a);
  p.injected = a;
  try {
    return result(a);
  } finally {
    p.injected = undefined;
  }
}

/** A call answered for its handler (an injection, a filter): counted as a call, and as an error if it is one, while counting. */
function answered<A extends number | bigint>(p: Policy, slot: number, word: number, answer: A): A {
  if ((word & L.HOOK_COUNT) === 0) return answer;
  const at = slot * L.C_WORDS;
  p.counters[at + L.C_CALLS]!++;
  if (isError(Number(answer), p.negative)) p.counters[at + L.C_ERRORS]!++;
  return answer;
}

/** Count, enter hook (may answer early), the handler (`run`), exit hook. */
function belowFilter<R>(p: Policy, nr: number, slot: number, word: number, args: number[], run: () => unknown, result: (r: unknown) => R): R {
  const counters = p.counters;
  const at = slot * L.C_WORDS;
  const counting = (word & L.HOOK_COUNT) !== 0;
  if (counting) counters[at + L.C_CALLS]!++;
  const exit = (word & L.HOOK_EXIT) !== 0 ? p.exit : undefined;
  // Inside the call from here: a hook that calls the table reaches no quiescent point while `run`'s handler is held.
  let early: number | void | undefined;
  if ((word & L.HOOK_ENTER) !== 0) {
    p.t.depth++;
    try {
      early = p.enter?.(nr, args);
    } finally {
      p.t.depth--;
    }
  }
  let r: R;
  if (typeof early === 'number') r = result(early);
  else {
    p.t.depth++;
    try {
      r = result(run());
    } catch (e) {
      if (counting) counters[at + L.C_ERRORS]!++;
      throw e;
    } finally {
      p.t.depth--;
    }
    if (counting && isError(Number(r), p.negative)) counters[at + L.C_ERRORS]!++;
  }
  exit?.(nr, args, r);
  return r;
}

/** Fails closed: a table's filters cover every thread of it, and this one has not joined them (seccomp's TSYNC, kept by refusing). */
function unjoined(p: Policy, slot: number): never {
  throw new SystabError('ESECCOMP', `seccomp: call ${describeSlot(p.v.map, slot)} of ${p.v.abi.id} is filtered on this table, and this thread has not joined its filters: attachFilter(table, filter.describe()) first (a thread that has not joined may make only the calls the filters allow whatever their arguments)`);
}

/**
 * A missing call on a slot: counted as ENOSYS (not as a call) if counting,
 * seen by the enter and exit hooks, answered by the policy: all as the one
 * slot word `word` says (switches and policy are read together).
 */
export function missingCall(p: Policy, nr: number, slot: number, word: number, args: number[]): number {
  if ((word & L.HOOK_COUNT) !== 0) p.counters[slot * L.C_WORDS + L.C_ENOSYS]!++;
  const policy = (word & L.POLICY_MASK) >>> L.POLICY_SHIFT;
  if ((word & (L.HOOK_ENTER | L.HOOK_EXIT | L.HOOK_TRACE)) === 0) return missingPolicy(p, nr, slot, policy, args);
  return hooked(p, nr, slot, word & ~L.HOOK_COUNT, args, () => missingPolicy(p, nr, slot, policy, args), (r) => r as number);
}
