// strace's own lines as a trace's LineMaker: the formatter (format.ts) at
// entry and exit, and strace's suffixes for a tampered call.
import type { Abi } from '../abi/types.js';
import { show } from '../handlers.js';
import { callClass } from './classes.js';
import { wasiArgs } from '../wasi/frame.js';
import { createFormatter, type Formatter, type Pending } from './format.js';
import type { FormatterOptions } from './options.js';
import type { ExitNote, LineMaker } from './plug.js';

const ENDS = new Set(['exit', 'exit_group', 'proc_exit']);

/** How lines look: strace's -s (strSize), -x/-xx (hex), -a (column), and the guest memory reader. */
export type StraceFormat = Omit<FormatterOptions, 'abi'>;

/** strace's formatter for `abi`: raw calls print as many arguments as strace's table says they take. */
export function straceFormatter(abi: Abi, format: StraceFormat = {}): Formatter {
  const f = createFormatter({ nargs: (name) => callClass(abi, name).nargs, ...format, abi });
  if (abi.convention !== 'positive') return f;
  // A WASI call made through wasiImports() has its guest's own arguments (up to nine, i64 exact) in its frame: a table call carries six numbers.
  return { ...f, enter: (nr, args) => f.enter(nr, wasiArgs(nr) ?? args) };
}

/** What follows a tampered call's result: strace's suffixes (syscall.c), " (INJECTED)" for error= and retval=, " (DELAYED)" for a delay. */
export function suffix(p: Pending, note: ExitNote): string {
  // An exit call ends by throwing (the embedder's way out of the guest): strace's `= ?` says all.
  const threw = note.threw !== undefined && !ENDS.has(p.name) ? ` (the handler threw ${show(note.threw)})` : '';
  return (note.injected ? ' (INJECTED)' : '') + (note.delayed ? ' (DELAYED)' : '') + threw;
}

/** strace's lines for calls of `abi`: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`, each ending in a newline. */
export function straceLines(abi: Abi, format: StraceFormat = {}): LineMaker {
  const f = straceFormatter(abi, format);
  return {
    enter: (nr, args) => f.enter(nr, args),
    exit: (p, r, note) => `${f.exit(p as Pending, note.threw !== undefined ? undefined : r)}${suffix(p as Pending, note)}\n`,
  };
}
