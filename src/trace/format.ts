// One call as one line of strace's text. enter() renders what strace prints
// at entry, before the handler runs and may change the memory the
// arguments point to; exit() adds what the call wrote and its result.
import type { Abi } from '../abi/types.js';
import { abiName } from '../abi/lookup.js';
import { Ctx } from './call.js';
import { linuxDecoders } from './decode-linux.js';
import type { Decoder, RetStyle } from './decoder.js';
import { wasiDecoders } from './decode-wasi.js';
import { linuxError, wasiError } from './errno.js';
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { Guest } from './guest.js';
import { LAYOUTS, RAW_WORD } from './layout.js';
import { checkOptions, type FormatterOptions } from './options.js';
import { hex } from './xlat.js';

/** A call between enter and exit: `text` is what strace has printed of it so far (`read(3, `). */
export interface Pending {
  readonly nr: number;
  readonly name: string;
  readonly text: string;
}

/** A finished call in pieces, for strace -f's `<... name resumed>` lines. */
export interface Finished {
  /** What followed the entry text: the exit arguments and `)`. */
  rest: string;
  /** `= 3`, `= -1 ENOENT (No such file or directory)`, `= ?`. */
  ret: string;
}

export interface Formatter {
  enter(nr: number, args: readonly (number | bigint)[]): Pending;
  /** The whole line (no newline) for a pending call and the call's result. */
  exit(p: Pending, result: unknown): string;
  finish(p: Pending, result: unknown): Finished;
  /** enter and exit at once, for calls whose memory did not change. */
  line(nr: number, args: readonly (number | bigint)[], result: unknown): string;
  /** The calls this ABI decodes fully (flags, strings, structs); every other call prints raw hex arguments. */
  readonly decoded: readonly string[];
  readonly column: number;
}

interface PendingCall extends Pending {
  readonly ctx: Ctx;
  readonly decoder: Decoder | null;
}

/** `head ` padded to the column, then the result: strace's tabto(). prefix counts characters already on the line. */
export function align(head: string, ret: string, column = 40, prefix = 0): string {
  const s = head + ' ';
  const pad = column - prefix - s.length;
  return s + (pad > 0 ? ' '.repeat(pad) : '') + ret;
}

/** strace's last line for a process: `+++ exited with 0 +++`. */
export const exitedLine = (code: number): string => `+++ exited with ${code} +++`;

function toBig(v: number | bigint, bits: number): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(bits, v);
  return Number.isFinite(v) ? BigInt.asUintN(bits, BigInt(Math.trunc(v))) : 0n;
}

const decoderCache = new Map<string, Record<string, Decoder>>();

export type { FormatterOptions };

export function createFormatter(o: FormatterOptions): Formatter {
  checkOptions(o);
  const { abi } = o;
  const layout = LAYOUTS[abi.id];
  const wasi = abi.convention === 'positive';
  const word = layout?.word ?? RAW_WORD[abi.id] ?? 8;
  const guest = new Guest(o.read, layout?.little ?? true, word);
  const strSize = o.strSize ?? 32;
  const hexStyle = o.hex ?? 0;
  const column = o.column ?? 40;
  let decoders: Record<string, Decoder> = {};
  if (wasi) decoders = wasiDecoders();
  else if (layout) {
    decoders = decoderCache.get(abi.id) ?? linuxDecoders(layout);
    decoderCache.set(abi.id, decoders);
  }
  /** Pendings enter() made and exit() has not consumed: a pending finishes once. */
  const owned = new WeakSet<Pending>();
  const decoded = Object.keys(decoders).filter((n) => n in abi.names).sort();

  const raw = (name: string | null, c: Ctx): string => {
    const n = Math.min(c.args.length, name === null ? 6 : o.nargs?.(name) ?? abi.signatures?.[name]?.params.length ?? 6);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(hex(c.u(i)));
    return out.join(', ');
  };

  const enter = (nr: number, args: readonly (number | bigint)[]): PendingCall => {
    if (!Number.isInteger(nr) || nr < 0) throw new SystabError('EBADNR', `enter(): the call number must be a non-negative integer (got ${show(nr)})`);
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'number' && typeof a !== 'bigint')) {
      throw new SystabError('EBADARG', `enter(): args must be an array of numbers or BigInts, the call's registers (got ${show(args)})`);
    }
    const name = abiName(abi, nr) ?? null;
    const ctx = new Ctx(abi, layout?.arch ?? 'x86_64', guest, args, wasi ? 64 : word * 8, strSize, hexStyle);
    const decoder = name !== null && name in decoders ? decoders[name]! : null;
    const shown = name ?? `syscall_${hex(BigInt(nr))}`;
    const body = decoder ? decoder.enter(ctx) : raw(name, ctx);
    const p = { nr, name: shown, text: `${shown}(${body}`, ctx, decoder };
    owned.add(p);
    return p;
  };

  const result = (p: PendingCall, r: unknown, style: RetStyle): string => {
    const c = p.ctx;
    if (style === 'none') return '= ?';
    if (typeof r !== 'number' && typeof r !== 'bigint') return '= ?';
    const v = BigInt.asIntN(word * 8, toBig(r, word * 8));
    if (wasi) return v === 0n ? '= 0' : `= ${v} ${wasiError(abi, Number(v))}`;
    if (c.failed) return `= ${linuxError(abi, Number(-v))}`;
    const aux = p.decoder?.aux?.(c) ?? null;
    if (aux) return `= ${aux.hex ? hex(BigInt.asUintN(word * 8, v)) : v} (${aux.text})`;
    if (style === 'x') return `= ${hex(BigInt.asUintN(word * 8, v))}`;
    if (style === 'o') return `= ${v === 0n ? '000' : '0' + v.toString(8).padStart(2, '0')}`;
    return `= ${v}`;
  };

  const finish = (pending: Pending, r: unknown): Finished => {
    if (!owned.has(pending)) throw new SystabError('EBADSPEC', `exit(): takes what this formatter's enter() returned (got ${show(pending)})`);
    owned.delete(pending);
    const p = pending as PendingCall;
    const c = p.ctx;
    if (typeof r === 'number' || typeof r === 'bigint') {
      c.result = BigInt.asIntN(word * 8, toBig(r, word * 8));
      c.failed = wasi ? c.result !== 0n : c.result < 0n && c.result >= -4095n;
    }
    const rest = (p.decoder?.exit?.(c) ?? '') + ')';
    return { rest, ret: result(p, r, p.decoder?.ret ?? 'd') };
  };

  const exit = (p: Pending, r: unknown): string => {
    const f = finish(p, r);
    return align(p.text + f.rest, f.ret, column);
  };

  return {
    enter,
    exit,
    finish,
    line: (nr, args, r) => exit(enter(nr, args), r),
    decoded,
    column,
  };
}
