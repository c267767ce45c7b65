// A fresh @bjorn3/browser_wasi_shim for one run: its own in-memory /data and
// captured stdout/stderr. Browser-safe (no Node modules): the Node harness
// (harness.ts) and the browser WASI tests (test/browser/wasi-run.ts) share it.
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI, type Inode } from '@bjorn3/browser_wasi_shim';

export interface Guest {
  args?: string[];
  env?: string[];
  /** Files of the preopened directory /data. */
  files?: Record<string, string>;
}

/** A fresh shim: its own in-memory /data and captured stdout/stderr. */
export function shim(g: Guest) {
  const out: number[] = [];
  const err: number[] = [];
  const contents = new Map<string, Inode>(Object.entries(g.files ?? {}).map(([k, v]) => [k, new File(new TextEncoder().encode(v))]));
  const data = new PreopenDirectory('/data', contents);
  const wasi = new WASI(g.args ?? ['prog'], g.env ?? [], [
    new OpenFile(new File([])),
    new ConsoleStdout((b: Uint8Array) => out.push(...b)),
    new ConsoleStdout((b: Uint8Array) => err.push(...b)),
    data,
  ], { debug: false });
  const text = (a: number[]) => new TextDecoder().decode(new Uint8Array(a));
  return { wasi, stdout: () => text(out), stderr: () => text(err), tree: () => tree(data.dir) };
}

/** The in-memory file system as path -> text, to compare what two runs left behind. */
export function tree(d: Directory, prefix = ''): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [name, node] of d.contents) {
    if (node instanceof Directory) Object.assign(o, tree(node, `${prefix}${name}/`));
    else if (node instanceof File) o[prefix + name] = new TextDecoder().decode(node.data);
  }
  return o;
}
