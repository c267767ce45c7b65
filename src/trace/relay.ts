// strace -f through one sink: every thread that traces a table writes its
// lines' pieces (a call's entry, its end, a thread's exit) into its own ring
// of a shared buffer, numbered from one shared counter as they happen; the
// thread that owns the sink reads every ring and gives the pieces to an
// interleaver in that order, which prints ` <unfinished ...>` and
// `<... read resumed>` where calls of threads overlap. A full ring drops what
// does not fit (counted, and said in the output): memory stays bounded, and
// no thread waits for the owner.
import type { Abi } from '../abi/types.js';
import { SystabError } from '../errors.js';
import type { Finished, Pending } from './format.js';
import { createInterleaver, type PrefixStyle } from './interleave.js';
import { straceFormatter, suffix, type StraceFormat } from './lines.js';
import type { LineMaker } from './plug.js';

const MAGIC = 0x726c6179; // 'rlay'
const W_MAGIC = 0;
const W_SEQ = 1;
const W_RINGS = 2;
const W_BYTES = 3;
const HEADER = 4;
// Per ring: what the thread has written, what the owner has read (byte counts, wrapping at 2^32), what it dropped.
const R_HEAD = 0;
const R_TAIL = 1;
const R_DROPPED = 2;
const R_WORDS = 4;
// A piece: its length in bytes (header included, a multiple of 4), its number, the thread's id, its kind and its text's
// length (kind | bytes << 8); then the text, UTF-8.
const P_HEADER = 16;
const ENTER = 1;
const EXIT = 2;
const EXITED = 3;
const LINE = 4;
/** A piece numbered but not yet seen this long is given up (its thread died writing it). */
const GAP_MS = 100;

export const RELAY_BYTES_DEFAULT = 64 * 1024;
export const RELAY_BYTES_MAX = 16 * 1024 * 1024;

/** A buffer of `rings` rings (one per worker record) of `bytes` each. */
export function createRelay(rings: number, bytes: number, shared: boolean): SharedArrayBuffer | ArrayBuffer {
  const size = 4 * HEADER + rings * (4 * R_WORDS + bytes);
  const buf = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
  const w = new Int32Array(buf, 0, HEADER);
  w[W_RINGS] = rings;
  w[W_BYTES] = bytes;
  w[W_MAGIC] = MAGIC;
  return buf;
}

interface Ring {
  w: Int32Array;
  data: Uint8Array;
  /** The reader's copy of one piece (made at its first piece, kept). */
  scratch?: Uint8Array;
}

function ringOf(buf: SharedArrayBuffer | ArrayBuffer, i: number): Ring {
  const h = new Int32Array(buf, 0, HEADER);
  const bytes = h[W_BYTES]!;
  const at = 4 * HEADER + i * (4 * R_WORDS + bytes);
  return { w: new Int32Array(buf, at, R_WORDS), data: new Uint8Array(buf, at + 4 * R_WORDS, bytes) };
}

/** Checks a relay buffer another thread made (a descriptor's), before anything writes into it. */
export function checkRelay(buf: unknown, rings: number): SharedArrayBuffer {
  if (!(buf instanceof SharedArrayBuffer) || buf.byteLength < 4 * HEADER) throw new SystabError('EATTACH', 'attachTrace(): the descriptor\'s follow buffer is not a SharedArrayBuffer of a trace made with follow');
  const h = new Int32Array(buf, 0, HEADER);
  const bytes = h[W_BYTES]!;
  if (h[W_MAGIC] !== MAGIC || h[W_RINGS] !== rings || bytes < 256 || (bytes & (bytes - 1)) !== 0 || buf.byteLength !== 4 * HEADER + rings * (4 * R_WORDS + bytes)) {
    throw new SystabError('EATTACH', `attachTrace(): the descriptor's follow buffer is not a relay of ${rings} rings (its header is damaged, or it is another table's)`);
  }
  return buf;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** This thread's side: writes pieces into ring `me`, numbered from the shared counter. */
export function relayWriter(buf: SharedArrayBuffer | ArrayBuffer, me: number): (kind: number, tid: number, text: string) => void {
  const h = new Int32Array(buf, 0, HEADER);
  const { w, data } = ringOf(buf, me);
  const size = data.length;
  // What an earlier thread of this worker record wrote and the owner has not read stays: whole pieces, numbered, printed in turn.
  const piece = new Uint8Array(new ArrayBuffer(size));
  const pv = new DataView(piece.buffer);
  return (kind, tid, text) => {
    const { read, written: n } = encoder.encodeInto(text, piece.subarray(P_HEADER));
    const len = (P_HEADER + n + 3) & ~3;
    const head = Atomics.load(w, R_HEAD);
    if (read < text.length || len > size - ((head - Atomics.load(w, R_TAIL)) | 0)) {
      Atomics.add(w, R_DROPPED, 1);
      return;
    }
    pv.setUint32(0, len, true);
    pv.setUint32(4, Atomics.add(h, W_SEQ, 1), true);
    pv.setInt32(8, tid, true);
    pv.setUint32(12, kind | (n << 8), true);
    const at = head >>> 0;
    for (let i = 0; i < len; i++) data[(at + i) % size] = piece[i]!;
    Atomics.store(w, R_HEAD, (head + len) | 0); // published: the owner reads up to here
  };
}

interface Piece {
  seq: number;
  tid: number;
  kind: number;
  text: string;
}

/** The owner's side: reads every ring and prints the pieces in their order through one interleaver. */
export interface RelayReader {
  /** Prints what the rings hold (a piece still being written waits, GAP_MS at most, unless `all`). */
  drain(all?: boolean): void;
}

export function relayReader(buf: SharedArrayBuffer | ArrayBuffer, sink: (line: string) => void, prefix: PrefixStyle, column: number): RelayReader {
  // The owner prints other threads' lines later, from its drains (a 50 ms timer among them), where no
  // caller waits for a sink's error: a sink that throws loses its line, and a drain never throws.
  const write = (line: string): void => {
    try {
      sink(line);
    } catch {
      // the line is lost with the sink
    }
  };
  const h = new Int32Array(buf, 0, HEADER);
  const rings = Array.from({ length: h[W_RINGS]! }, (_, i) => ringOf(buf, i));
  const dropped = new Int32Array(rings.length);
  const out = createInterleaver({ write: (l) => write(`${l}\n`), prefix, column });
  const inCall = new Map<number, string>();
  let held: Piece[] = [];
  let next = Atomics.load(h, W_SEQ);
  let gapSince = 0;
  const read = (r: Ring): void => {
    const { w, data } = r;
    const size = data.length;
    const head = Atomics.load(w, R_HEAD);
    let tail = Atomics.load(w, R_TAIL);
    const used = (head - tail) | 0;
    if (used === 0) return; // the common case at every drain: nothing written, nothing allocated
    if (used < 0 || used > size) {
      Atomics.store(w, R_TAIL, head); // damaged cursors: what they span is no piece, skip it
      return;
    }
    const piece = r.scratch ?? (r.scratch = new Uint8Array(size));
    const pv = new DataView(piece.buffer);
    while (((head - tail) | 0) > 0) {
      const at = tail >>> 0;
      for (let i = 0; i < P_HEADER; i++) piece[i] = data[(at + i) % size]!;
      const len = pv.getUint32(0, true);
      if (len < P_HEADER || len > ((head - tail) | 0)) break; // damaged: the rest of this ring is skipped below
      for (let i = P_HEADER; i < len; i++) piece[i] = data[(at + i) % size]!;
      const kn = pv.getUint32(12, true);
      const n = Math.min(kn >>> 8, len - P_HEADER);
      held.push({ seq: pv.getUint32(4, true), tid: pv.getInt32(8, true), kind: kn & 0xff, text: decoder.decode(piece.subarray(P_HEADER, P_HEADER + n)) });
      tail = (tail + len) | 0;
    }
    Atomics.store(w, R_TAIL, head);
  };
  const print = (p: Piece): void => {
    if (p.kind === ENTER) {
      const cut = p.text.indexOf('\u0001');
      const pending: Pending = { nr: -1, name: p.text.slice(0, cut), text: p.text.slice(cut + 1) };
      // The end of this thread's call before was lost (its ring was full): say so, and go on.
      if (inCall.has(p.tid)) out.exit(p.tid, { rest: ' <the rest of this call was lost>', ret: '= ?' });
      inCall.set(p.tid, pending.name);
      out.enter(p.tid, pending);
    } else if (p.kind === EXIT) {
      if (!inCall.has(p.tid)) return; // its entry was dropped
      inCall.delete(p.tid);
      const cut = p.text.indexOf('\u0001');
      const f: Finished = { rest: p.text.slice(0, cut), ret: p.text.slice(cut + 1) };
      out.exit(p.tid, f);
    } else if (p.kind === EXITED) {
      inCall.delete(p.tid);
      out.exited(p.tid, Number(p.text));
    } else if (p.kind === LINE) {
      out.flush();
      write(p.text.endsWith('\n') ? p.text : `${p.text}\n`);
    }
  };
  return {
    drain(all = false) {
      for (const r of rings) read(r);
      held.sort((a, b) => ((a.seq - next) >>> 0) - ((b.seq - next) >>> 0));
      let i = 0;
      const now = performance.now();
      while (i < held.length) {
        const p = held[i]!;
        if (p.seq !== next >>> 0) {
          // A piece numbered before this one is still being written: wait for it, a while.
          if (!all && (gapSince === 0 ? ((gapSince = now), true) : now - gapSince < GAP_MS)) break;
          next = p.seq;
        }
        gapSince = 0;
        try {
          print(p);
        } catch {
          // A damaged piece (a thread id no thread has, a piece out of turn): skipped, the output goes on.
        }
        next = (p.seq + 1) >>> 0;
        i++;
      }
      held = held.slice(i);
      rings.forEach((r, t) => {
        const d = Atomics.load(r.w, R_DROPPED);
        if (d !== dropped[t]) {
          out.flush();
          write(`systab: ${d - dropped[t]!} trace pieces of worker record ${t} lost (its follow ring is full: the owner did not read it in time; traceTable()'s follow.bytes sizes it)\n`);
          dropped[t] = d;
        }
      });
      if (all) out.flush();
    },
  };
}

/** strace's lines of this thread's calls as pieces into the relay (the LineMaker's own line is empty: the owner prints). */
export function relayLines(abi: Abi, format: StraceFormat | undefined, put: (kind: number, tid: number, text: string) => void, tid: number): LineMaker {
  const f = straceFormatter(abi, format);
  let depth = 0;
  return {
    enter(nr, args) {
      const p = f.enter(nr, args);
      // A call made inside a traced call (a handler's): one whole line when it ends, as it has no entry of its own in strace.
      if (depth++ === 0) put(ENTER, tid, `${p.name}\u0001${p.text}`);
      return { p, nested: depth > 1 };
    },
    exit(pending, r, note) {
      depth--;
      const { p, nested } = pending as { p: Pending; nested: boolean };
      const result = note.threw !== undefined ? undefined : r;
      if (nested) put(LINE, tid, `${f.exit(p, result)}${suffix(p, note)}`);
      else {
        const fin = f.finish(p, result);
        put(EXIT, tid, `${fin.rest}\u0001${fin.ret}${suffix(p, note)}`);
      }
      return '';
    },
  };
}

/** strace's `+++ exited with N +++` for thread `tid`, as a piece. */
export function relayExited(put: (kind: number, tid: number, text: string) => void, tid: number, code: number): void {
  put(EXITED, tid, String(code));
}

/** A custom LineMaker's whole lines, as pieces. */
export function relayWhole(make: LineMaker, put: (kind: number, tid: number, text: string) => void, tid: number): LineMaker {
  return {
    enter: (nr, args) => make.enter(nr, args),
    exit(pending, r, note) {
      put(LINE, tid, make.exit(pending, r, note));
      return '';
    },
  };
}
