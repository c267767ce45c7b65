// This thread's trace plug: what a number's trace switch runs here. It reads
// the shared control word (print, inject), decides an injection by this
// thread's own count of the number's calls (strace counts per tracee: here a
// tracee is a thread), and hands each call to a line maker and a sink.
import type { TracePlug } from '../policy.js';
import { control, CTL_INJECT, CTL_PRINT, INJ_DELAY_ONLY, INJ_ERROR, INJ_RETVAL, type InjectWords, type TraceState } from './control.js';
import { readEntry } from './injections.js';

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
  lines: LineMaker;
  sink: (line: string) => void;
  /** inject's signal=: the embedder delivers signal `sig` to the caller. */
  signal?: (sig: number, nr: number) => void;
}

interface Frame {
  print: boolean;
  pending: unknown;
  delayExit: number;
  delayed: boolean;
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

export function makePlug(s: TraceState, o: PlugOptions): TracePlug {
  const frames: Frame[] = [];
  const counts = new Map<number, { key: number; n: number }>();
  const negative = s.v.abi.convention === 'negative';
  return {
    enter(nr, slot, args) {
      const ctl = control(s, slot);
      const f: Frame = { print: (ctl & CTL_PRINT) !== 0, pending: undefined, delayExit: 0, delayed: false };
      let answer: number | undefined;
      const entry = (ctl & CTL_INJECT) !== 0 ? readEntry(s, slot) : undefined;
      if (entry !== undefined) {
        const { inj, key } = entry;
        let c = counts.get(slot);
        if (c === undefined || c.key !== key) counts.set(slot, (c = { key, n: 0 }));
        if (fires(inj, ++c.n)) {
          if (inj.signal !== 0) o.signal?.(inj.signal, nr);
          f.delayed = inj.delayEnter > 0 || inj.delayExit > 0;
          delay(inj.delayEnter);
          f.delayExit = inj.delayExit;
          if (inj.kind === INJ_ERROR) answer = negative ? -inj.value : inj.value;
          else if (inj.kind === INJ_RETVAL) answer = inj.value;
          else if (inj.kind !== INJ_DELAY_ONLY) answer = undefined;
        }
      }
      // Rendered before the handler runs: it may overwrite what the arguments point to.
      if (f.print) f.pending = o.lines.enter(nr, args);
      frames.push(f);
      return answer;
    },
    exit(_nr, _slot, _args, result, threw, injected) {
      const f = frames.pop();
      if (f === undefined) return;
      delay(f.delayExit);
      if (!f.print) return;
      const line = (r: unknown, threw: boolean): void => o.sink(o.lines.exit(f.pending, threw ? undefined : Number(r), { injected, delayed: f.delayed, ...(threw ? { threw: r } : {}) }));
      // An answer still to come (an async handler's, a call carried from a thread that may not block): its line when it settles.
      if (!threw && result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        (result as Promise<unknown>).then((r) => line(r, false), (e) => line(e, true));
      } else line(result, threw);
    },
  };
}
