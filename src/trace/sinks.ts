// Where a trace's text goes: a function taking each line, a Node writable
// stream (its write(), which buffers as streams do), or a file (Node only,
// written synchronously in 64 KiB batches: flush() and close() write the
// rest, and so does the process's exit).
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';

/** A function, a stream-like object with write(), or a file: `{ path }` (a file made anew), `{ path, append: true }`, `{ path, buffer: 0 }` (each line written at once). */
export type Sink = ((line: string) => void) | { write(chunk: string): unknown } | { path: string; append?: boolean; buffer?: number };

export interface SinkWriter {
  write(line: string): void;
  /** Writes what is buffered (files). */
  flush(): void;
  /** Flushes and lets go of the file (a stream or function stays the caller's). */
  close(): void;
}

interface NodeFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, s: string): number;
  closeSync(fd: number): void;
}

type NodeProcess = { getBuiltinModule?: (id: string) => unknown; on?: (ev: 'exit', f: () => void) => void; off?: (ev: 'exit', f: () => void) => void };

const FILE_BUFFER = 64 * 1024;

/** Checks `sink` (named `what` in errors) and makes its writer. */
export function openSink(sink: unknown, what: string): SinkWriter {
  if (typeof sink === 'function') {
    const f = sink as (line: string) => void;
    return { write: (l) => f(l), flush() {}, close() {} };
  }
  if (sink === null || typeof sink !== 'object') throw new SystabError('EBADSPEC', `${what} must be a function taking a line, a writable stream, or { path } (got ${show(sink)})`);
  if ('path' in sink) return openFile(sink as { path: unknown; append?: unknown; buffer?: unknown }, what);
  const w = (sink as { write?: unknown }).write;
  if (typeof w !== 'function') throw new SystabError('EBADSPEC', `${what} must be a function taking a line, a writable stream, or { path } (got an object without write() or path)`);
  return { write: (l) => void w.call(sink, l), flush() {}, close() {} };
}

function openFile(o: { path: unknown; append?: unknown; buffer?: unknown }, what: string): SinkWriter {
  const { path, append = false, buffer = FILE_BUFFER } = o;
  if (typeof path !== 'string' || path === '') throw new SystabError('EBADSPEC', `${what} { path } must be a file name (got ${show(path)})`);
  if (typeof append !== 'boolean') throw new SystabError('EBADSPEC', `${what} { append } must be true or false (got ${show(append)})`);
  if (typeof buffer !== 'number' || !Number.isInteger(buffer) || buffer < 0) throw new SystabError('EBADSPEC', `${what} { buffer } must be a whole number of bytes, 0 to write each line at once (got ${show(buffer)})`);
  const proc = (globalThis as { process?: NodeProcess }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (fs === undefined) throw new SystabError('EBADSPEC', `${what} { path } needs Node's fs (process.getBuiltinModule, Node 20.16 and later); elsewhere pass a function`);
  let fd: number;
  try {
    fd = fs.openSync(path, append ? 'a' : 'w');
  } catch (e) {
    throw new SystabError('EBADSPEC', `${what} { path: ${JSON.stringify(path)} } cannot be opened for writing (${(e as Error).message})`);
  }
  let chunks: string[] = [];
  let size = 0;
  let open = true;
  const flush = () => {
    if (size === 0 || !open) return;
    const text = chunks.join('');
    chunks = [];
    size = 0;
    fs.writeSync(fd, text);
  };
  const onExit = () => flush();
  proc?.on?.('exit', onExit);
  return {
    write(line) {
      if (!open) return;
      chunks.push(line);
      size += line.length;
      if (size >= buffer) flush();
    },
    flush,
    close() {
      if (!open) return;
      flush();
      open = false;
      proc?.off?.('exit', onExit);
      fs.closeSync(fd);
    },
  };
}
