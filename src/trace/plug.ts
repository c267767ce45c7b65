// This thread's trace plug: what a number's trace switch runs here. It reads
// the shared control word (print, inject, time), decides an injection by this
// thread's own count of the number's calls (strace counts per tracee: here a
// tracee is a thread), times the call for the summary into this thread's
// stripe, and hands each printed call to its outputs (lines, JSON, events).
import * as L from '../../assembly/layout.js';
import type { TracePlug } from '../policy.js';
import { handlerWord } from '../records.js';
import { CTL_INJECT, CTL_PRINT, CTL_TIME, H_WORDS, INJ_ERROR, INJ_RETVAL, S_CONTROL, S_WORDS, SUM_EXACT, SUM_EXACT_MS, SUM_WORDS, type InjectWords, type TraceState } from './control.js';
import { readEntry } from './injections.js';
import { align } from './format.js';
import { writeEvent, type CallEvent } from './events.js';

/** Makes the text of a call: at entry (before the handler may change memory), and at exit with its result. */
export interface LineMaker {
  enter(nr: number, args: readonly number[]): unknown;
  exit(pending: unknown, result: number | undefined, note: ExitNote): string;
}

/** How a call ended, beside its result: strace's suffixes. */
export interface ExitNote {
  /** The call was answered by an injection (strace's " (INJECTED)"). */
  injected: boolean;
  /** A delay was injected (strace's " (DELAYED)"). */
  delayed: boolean;
  /** The handler threw this (no result). */
  threw?: unknown;
}

export interface PlugOptions {
  /** Printed calls as lines (a line maker and where its lines go). */
  lines?: { make: LineMaker; write: (line: string) => void };
  /** Printed calls as events: JSON lines written as they end, and/or into this thread's ring. */
  events?: (e: CallEvent) => void;
  /** Printed calls go into this thread's shared event ring (the state has rings). */
  ring: boolean;
  /** inject's signal=: the embedder delivers signal `sig` to the caller. */
  signal?: (sig: number, nr: number) => void;
  /** Whether this thread has its own code for handler `id` (a call of it is not carried). */
  here: (id: number) => boolean;
  /** At this thread's quiescent points (the follow owner's reader). */
  poll?: () => void;
}

/** One call in progress on this thread (reused: the stack grows once per nesting depth). */
interface Frame {
  ctl: number;
  pending: unknown;
  delayExit: number;
  delayed: boolean;
  start: number;
  home: number;
  args: number[];
}

/** Sleeps `us` microseconds: blocking where the thread may block, else spinning. */
export function delay(us: number): void {
  if (us <= 0) return;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, us / 1000);
  } catch {
    const end = performance.now() + us / 1000;
    while (performance.now() < end);
  }
}

/** Whether call `n` (1-based, this thread's count since the injection was set) is injected. */
export function fires(inj: InjectWords, n: number): boolean {
  if (n < inj.first) return false;
  if (inj.last !== 0 && n > inj.last) return false;
  if (inj.step === 0) return n === inj.first;
  return (n - inj.first) % inj.step === 0;
}

/** The worker record whose code runs slot `slot`'s handler now: this thread's if it has code for it (loaded or provided here), else its home's (-1: no handler). */
function homeOf(s: TraceState, slot: number, here: (id: number) => boolean): number {
  const v = s.v;
  const id = Atomics.load(v.i32, v.at.slots + slot) & L.ID_MASK;
  if (id === 0) return -1;
  return here(id) ? v.me : v.i32[handlerWord(v, id, L.HR_HOME)]!;
}

export function makePlug(s: TraceState, o: PlugOptions): TracePlug {
  const frames: Frame[] = [];
  let depth = 0;
  const counts = new Map<number, { key: number; n: number }>();
  const negative = s.v.abi.convention === 'negative';
  const w = s.words;
  const f64 = s.f64;
  const sum = s.at.sum + s.v.me * s.at.sumStripe;
  const record = o.events !== undefined || o.ring;
  const timed = record ? CTL_TIME | CTL_PRINT : CTL_TIME;
  const now = () => performance.now();
  return {
    ...(o.poll !== undefined ? { poll: o.poll } : {}),
    enter(nr, slot, args) {
      // A plain read: the slot word was read with Atomics.load, and the control word is set before the switch.
      const ctl = w[H_WORDS + slot * S_WORDS + S_CONTROL]!;
      const f = frames[depth] ?? (frames[depth] = { ctl: 0, pending: undefined, delayExit: 0, delayed: false, start: 0, home: -1, args: [0, 0, 0, 0, 0, 0] });
      f.pending = undefined;
      f.delayExit = 0;
      f.delayed = false;
      f.ctl = 0;
      // This frame is the call's from here: a LineMaker, signal or sink that makes a traced call gets the next one.
      depth++;
      try {
        let answer: number | bigint | undefined; // a bigint: a retval= a number cannot hold (call64() answers it exactly, call() EBADRESULT)
        const entry = (ctl & CTL_INJECT) !== 0 ? readEntry(s, slot) : undefined;
        if (entry !== undefined) {
          const { inj, key } = entry;
          let c = counts.get(slot);
          if (c === undefined || c.key !== key) counts.set(slot, (c = { key, n: 0 }));
          if (fires(inj, ++c.n)) {
            f.delayed = inj.delayEnter > 0 || inj.delayExit > 0;
            f.delayExit = inj.delayExit;
            if (inj.kind === INJ_ERROR) answer = negative ? -Number(inj.value) : Number(inj.value);
            else if (inj.kind === INJ_RETVAL) answer = inj.value;
            if (inj.signal !== 0) o.signal?.(inj.signal, nr);
            delay(inj.delayEnter);
          }
        }
        if ((ctl & CTL_PRINT) !== 0) {
          if (record) {
            for (let i = 0; i < 6; i++) f.args[i] = args[i] ?? 0;
            f.home = homeOf(s, slot, o.here);
          }
          // Rendered before the handler runs: it may overwrite what the arguments point to.
          if (o.lines !== undefined) f.pending = o.lines.make.enter(nr, args);
        }
        f.ctl = ctl;
        // Last, so the time is the call's.
        f.start = (ctl & timed) !== 0 ? now() : 0;
        return answer;
      } catch (e) {
        depth--; // a throw above leaves no frame behind
        throw e;
      }
    },
    // Numbers beyond the table: printed whatever is selected, as strace prints syscall_0x...; nothing else to do (no slot).
    ...(o.lines !== undefined
      ? {
          oor(nr: number, args: number[], result: unknown, threw: boolean): void {
            const lines = o.lines!;
            // A negative number is the register's 64 bits, as strace prints it (syscall_0xffffffffffffffff): made as a stand-in number, renamed.
            const neg = nr < 0 && Number.isInteger(nr);
            const n = neg ? 0x7fffffff : nr;
            let line: string;
            try {
              line = lines.make.exit(lines.make.enter(n, args), threw ? undefined : Number(result), { injected: false, delayed: false, ...(threw ? { threw: result } : {}) });
              if (neg) {
                const m = /^syscall_0x7fffffff(.*?\)) +(= .*)$/s.exec(line);
                if (m !== null) line = align(`syscall_0x${BigInt.asUintN(64, BigInt(nr)).toString(16)}${m[1]}`, m[2]!);
              }
            } catch {
              // What no line can be made of (a number the formatter refuses) still shows, raw.
              line = `syscall_${nr < 0 ? `0x${BigInt.asUintN(64, BigInt(Math.trunc(nr))).toString(16)}` : String(nr)}(${args.join(', ')}) = ${threw ? '?' : String(result)}\n`;
            }
            lines.write(line);
          },
        }
      : {}),
    log(nr, slot, args) {
      if (o.lines === undefined && !record) return false;
      const f = frames[depth - 1];
      if (f === undefined) return false;
      if ((f.ctl & CTL_PRINT) !== 0) return true;
      if (record) {
        for (let i = 0; i < 6; i++) f.args[i] = args[i] ?? 0;
        f.home = homeOf(s, slot, o.here);
        f.start = now();
      }
      if (o.lines !== undefined) f.pending = o.lines.make.enter(nr, args);
      f.ctl |= CTL_PRINT;
      return true;
    },
    exit(nr, slot, _args, result, threw, injected) {
      if (depth === 0) return;
      const f = frames[depth - 1]!;
      // An answer still to come (an async handler's, a call carried from a thread that may not block): timed, counted and printed when it settles.
      if (!threw && result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        const held: Frame = { ...f, args: f.args.slice() };
        depth--;
        delay(held.delayExit);
        // What the outputs throw then has no caller to reach: that line is lost, the call's promise is the caller's.
        const later = (r: unknown, threw: boolean): void => {
          try {
            done(held, nr, slot, r, threw, injected);
          } catch {
            /* dropped */
          }
        };
        (result as Promise<unknown>).then((r) => later(r, false), (e) => later(e, true));
        return;
      }
      // The frame stays this call's until its outputs are done (they may make traced calls).
      try {
        delay(f.delayExit);
        done(f, nr, slot, result, threw, injected);
      } finally {
        depth--;
      }
    },
  };

  function done(f: Frame, nr: number, slot: number, result: unknown, threw: boolean, injected: boolean): void {
    const ctl = f.ctl;
    const end = (ctl & timed) !== 0 ? now() : 0;
    const r = threw ? NaN : Number(result);
    if ((ctl & CTL_TIME) !== 0) {
      // Timed here (the table's counters count it, with its error).
      const at = sum + slot * SUM_WORDS;
      w[at + SUM_EXACT]!++;
      f64[(at + SUM_EXACT_MS) >> 1]! += end - f.start;
    }
    if ((ctl & CTL_PRINT) === 0) return;
    if (o.lines !== undefined) o.lines.write(o.lines.make.exit(f.pending, threw ? undefined : r, { injected, delayed: f.delayed, ...(threw ? { threw: result } : {}) }));
    if (!record) return;
    const e: CallEvent = {
      tid: s.v.me,
      nr,
      args: f.args,
      result: r,
      threw: threw ? result : undefined,
      injected,
      delayed: f.delayed,
      home: f.home,
      start: (f.start - s.origin) * 1000,
      duration: (end - f.start) * 1000,
    };
    if (o.ring) writeEvent(s, e);
    o.events?.(e);
  }
}
