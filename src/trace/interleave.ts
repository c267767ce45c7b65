// strace -f's lines when calls of several threads overlap: a call whose
// line another thread's output interrupts ends with ` <unfinished ...>`, and
// its result comes later on a line of its own, `<... read resumed>"ping",
// 16) = 4`. Learned from strace 6.1's printleader() and
// print_syscall_resume(). One interleaver per output stream; not thread-safe
// (call it from the thread that owns the stream).
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { align, type Finished, type Pending } from './format.js';

/**
 * How lines name their thread: 'pid' as strace -f -o FILE (`1234  read(...`,
 * always), 'bracket' as strace -f on stderr (`[pid  1234] read(...`, while
 * more than one thread is alive), 'none'.
 */
export type PrefixStyle = 'pid' | 'bracket' | 'none';

export interface InterleaveOptions {
  /** Receives whole lines, without the newline. */
  write: (line: string) => void;
  prefix?: PrefixStyle;
  /** The column results align to (the formatter's column; default 40). */
  column?: number;
}

/** The parts of a call the interleaver prints: the formatter's Pending and Finished. */
export interface Interleaver {
  /** A thread exists from now on (strace's attach): with 'bracket', lines get prefixes once two are alive. */
  attached(tid: number): void;
  enter(tid: number, p: Pending): void;
  exit(tid: number, f: Finished): void;
  /** `+++ exited with code +++` for a thread, after which it is no longer alive. */
  exited(tid: number, code: number): void;
  /** Writes out a line still open (the process is going away). */
  flush(): void;
}

export function createInterleaver(o: InterleaveOptions): Interleaver {
  const style = o.prefix ?? 'pid';
  const column = o.column ?? 40;
  const alive = new Set<number>();
  const pending = new Map<number, Pending>();
  /** The line being printed and not yet ended: strace's printing_tcp with curcol != 0. */
  let open: { tid: number; text: string } | null = null;

  const checkTid = (what: string, tid: number) => {
    if (!Number.isInteger(tid) || tid < 0) throw new SystabError('EBADSPEC', `${what}(): a thread id is a non-negative integer (got ${show(tid)})`);
  };
  const prefix = (tid: number): string => {
    if (style === 'pid') return `${String(tid).padEnd(5)} `;
    if (style === 'bracket' && alive.size > 1) return `[pid ${String(tid).padStart(5)}] `;
    return '';
  };
  /** printleader(): a line left open by anyone ends as unfinished. */
  const leader = (tid: number): string => {
    alive.add(tid);
    if (open !== null) {
      o.write(`${open.text} <unfinished ...>`);
      open = null;
    }
    return prefix(tid);
  };

  return {
    attached(tid) {
      checkTid('attached', tid);
      alive.add(tid);
    },
    enter(tid, p) {
      checkTid('enter', tid);
      if (pending.has(tid)) throw new SystabError('EBADSPEC', `enter(): thread ${tid} already has a call in progress (${pending.get(tid)!.name}); exit() it first`);
      const lead = leader(tid);
      pending.set(tid, p);
      open = { tid, text: lead + p.text };
    },
    exit(tid, f) {
      checkTid('exit', tid);
      const p = pending.get(tid);
      if (p === undefined) throw new SystabError('EBADSPEC', `exit(): thread ${tid} has no call in progress; enter(${tid}, pending) first`);
      pending.delete(tid);
      if (open !== null && open.tid === tid) {
        const text = open.text;
        open = null;
        o.write(align(text + f.rest, f.ret, column));
        return;
      }
      const lead = leader(tid);
      o.write(align(`${lead}<... ${p.name} resumed>${f.rest}`, f.ret, column));
    },
    exited(tid, code) {
      checkTid('exited', tid);
      const lead = leader(tid);
      o.write(`${lead}+++ exited with ${code} +++`);
      alive.delete(tid);
      pending.delete(tid);
    },
    flush() {
      if (open !== null) o.write(`${open.text} <unfinished ...>`);
      open = null;
    },
  };
}
