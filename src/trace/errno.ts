// Error results as strace prints them: `-1 ENOENT (No such file or
// directory)` for Linux, the witx name for WASI.
import type { Abi } from '../abi/types.js';
import { STRERROR } from './strerror.gen.js';

/** The kernel's restart codes, which strace prints with `?` and its own texts (strace 6.1 syscall.c). */
const RESTART: Record<number, string> = {
  512: 'ERESTARTSYS (To be restarted if SA_RESTART is set)',
  513: 'ERESTARTNOINTR (To be restarted)',
  514: 'ERESTARTNOHAND (To be restarted if no handler)',
  516: 'ERESTART_RESTARTBLOCK (Interrupted by signal)',
};

const names = new WeakMap<Abi, Map<number, string>>();

/** The name of errno value e in abi: the first name the ABI lists for it (EAGAIN, not EWOULDBLOCK). */
export function errnoName(abi: Abi, e: number): string | null {
  let m = names.get(abi);
  if (m === undefined) {
    m = new Map();
    for (const [name, value] of Object.entries(abi.errno)) if (!m.has(value) && /^E[A-Z0-9_]+$/.test(name)) m.set(value, name);
    names.set(abi, m);
  }
  return m.get(e) ?? null;
}

/** `= -1 ENOENT (No such file or directory)` without the `= `, for a Linux error e (positive). */
export function linuxError(abi: Abi, e: number): string {
  const restart = RESTART[e];
  if (restart !== undefined) return `? ${restart}`;
  const name = errnoName(abi, e);
  if (name === null) return `-1 (errno ${e})`;
  const text = STRERROR[name] ?? `Unknown error ${e}`;
  return `-1 ${name} (${text})`;
}

/** A WASI errno by its witx name (`noent`), or its number when the ABI has no name for it. */
export function wasiError(abi: Abi, e: number): string {
  for (const [name, value] of Object.entries(abi.errno)) if (value === e && /^[a-z0-9]+$/.test(name)) return name;
  return `${e}`;
}
