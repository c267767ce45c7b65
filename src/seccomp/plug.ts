// The filter plug: a call's answer as the kernel's seccomp gives it, from
// the action this thread's filters return (ERRNO as the ABI's error, TRAP
// and KILL through the embedder's callbacks, USER_NOTIF's supervisor).
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import type { Policy, TracePlug } from '../policy.js';
import type { Abi } from '../abi/types.js';
import { takesPromises, type Carrier } from '../proxy.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF } from './actions.js';

/** What the embedder does with the actions that are not answers. */
export interface FilterOptions {
  /** SECCOMP_RET_TRAP (the kernel's SIGSYS): its answer, or a throw. Default: SystabError('ESECCOMP'). */
  onTrap?: (nr: number, args: readonly number[], data: number) => number;
  /** SECCOMP_RET_KILL_THREAD and KILL_PROCESS (and actions the kernel does not know, which it treats as KILL_PROCESS). Default: SystabError('ESECCOMP'). */
  onKill?: (nr: number, args: readonly number[], process: boolean) => number;
  /**
   * SECCOMP_RET_USER_NOTIF: a supervisor's answer, or undefined to let the
   * call run (the kernel's SECCOMP_USER_NOTIF_FLAG_CONTINUE). A promise of
   * either is an async supervisor: the call's answer is then a promise
   * (tables made or attached with async: true, callAsync(); otherwise
   * EASYNC). Default: ENOSYS, as the kernel answers with no listener.
   */
  onNotify?: (nr: number, args: readonly number[]) => number | undefined | Promise<number | undefined>;
  /** SECCOMP_RET_LOG: told of the call, which then runs (a trace on this thread prints its line too, selected or not). */
  onLog?: (nr: number, args: readonly number[]) => void;
  /** The instruction pointer a filter sees (seccomp_data.instruction_pointer); default 0. */
  ip?: () => number | bigint;
}

/** What the plug reads of a table (a Table; named by its parts: only table.ts imports the Table). */
export interface PluggedTable {
  readonly abi: Abi;
  readonly policy: Policy;
  readonly carrier: Carrier;
}

/** USER_NOTIF: the supervisor's answer; a promise of one (an async supervisor) where the caller takes promises. */
function notify(t: PluggedTable, supervisor: NonNullable<FilterOptions['onNotify']>, nr: number, args: number[]): number | undefined {
  const r = supervisor(nr, args);
  if (r === undefined || typeof r === 'number') return r;
  if (r === null || typeof r !== 'object' || typeof (r as { then?: unknown }).then !== 'function') {
    throw new SystabError('EBADRESULT', `seccomp: onNotify for call ${nr} of ${t.abi.id} gave ${show(r)}: it answers a number, undefined (let the call run), or a promise of one`);
  }
  if (!takesPromises(t.carrier)) {
    (r as Promise<unknown>).then(undefined, () => {});
    throw new SystabError('EASYNC', `seccomp: onNotify for call ${nr} of ${t.abi.id} answered with a promise, and this table's call() answers numbers: make the table (or attach) with { async: true }, or call it with callAsync()`);
  }
  // The policy runs the rest of the call when it resolves to undefined (policy.ts hookedBelow()).
  const answer = (r as Promise<unknown>).then((a) => {
    if (a !== undefined && typeof a !== 'number') throw new SystabError('EBADRESULT', `seccomp: onNotify for call ${nr} of ${t.abi.id} resolved to ${show(a)}: a number, or undefined to let the call run`);
    return a;
  });
  return answer as unknown as number;
}

/** A TRAP's or KILL's answer: never undefined, which would let the call run (fail closed; the policy checks the rest). */
function answered(r: number, what: string, nr: number, abi: string): number {
  if (r === undefined) throw new SystabError('EBADRESULT', `seccomp: ${what} for call ${nr} of ${abi} answered undefined: it answers the call (a number) or throws; the call does not run`);
  return r;
}

/** The answer for a call as the kernel's seccomp gives it, or undefined to let it run. */
export function makeFilterPlug(t: PluggedTable, o: FilterOptions, evaluate: (nr: number, slot: number, args: readonly (number | bigint)[], ip: number | bigint | undefined) => number): TracePlug {
  const negative = t.abi.convention === 'negative';
  const enosys = t.abi.enosys;
  const abi = t.abi.id;
  return {
    enter(nr, slot, args, exact) {
      const ret = evaluate(nr, slot, exact ?? args, o.ip?.()) >>> 0;
      const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
      const data = ret & SECCOMP_RET_DATA;
      if (action === SECCOMP_RET_ALLOW >>> 0) return undefined;
      if (action === SECCOMP_RET_ERRNO >>> 0) return negative ? -data : data;
      if (action === SECCOMP_RET_LOG >>> 0) {
        if (slot >= 0) t.policy.plug?.log?.(nr, slot, args); // a number beyond the table has no trace frame: its oor line prints anyway
        o.onLog?.(nr, args);
        return undefined;
      }
      if (action === SECCOMP_RET_TRACE >>> 0) return enosys; // no tracer: the kernel answers ENOSYS
      if (action === SECCOMP_RET_USER_NOTIF >>> 0) return o.onNotify !== undefined ? notify(t, o.onNotify, nr, args) : enosys;
      if (action === SECCOMP_RET_TRAP >>> 0) {
        if (o.onTrap !== undefined) return answered(o.onTrap(nr, args, data), 'onTrap', nr, abi);
        throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${abi} trapped (SECCOMP_RET_TRAP, data ${data}); give filterTable() an onTrap to answer it`);
      }
      // KILL_THREAD; KILL_PROCESS, and what the kernel does not know, which it treats as KILL_PROCESS.
      const process = action !== SECCOMP_RET_KILL_THREAD >>> 0;
      if (o.onKill !== undefined) return answered(o.onKill(nr, args, process), 'onKill', nr, abi);
      throw new SystabError('ESECCOMP', `seccomp: call ${nr} of ${abi} killed the ${process ? 'process' : 'thread'} (${process ? 'SECCOMP_RET_KILL_PROCESS' : 'SECCOMP_RET_KILL_THREAD'}); give filterTable() an onKill to handle it`);
    },
    exit() {},
  };
}

