// Where a field of a handler, module or worker record sits in the table's
// Int32Array: the one place for that arithmetic.
import * as L from '../assembly/layout.js';
import type { Regions, View } from './view.js';

export const handlerWord = (v: { readonly at: Regions }, id: number, field: number): number => v.at.handlers + id * L.HR_WORDS + field;
export const moduleWord = (v: { readonly at: Regions }, id: number, field: number): number => v.at.modules + id * L.MR_WORDS + field;
export const workerWord = (v: { readonly at: Regions }, w: number, field: number): number => v.at.workers + w * L.WR_WORDS + field;

/** This thread is inside a call: a JS one (`depth`) or one the core dispatched (its depth word). */
export const inCall = (t: { readonly v: View; readonly depth: number }): boolean => t.depth !== 0 || t.v.i32[workerWord(t.v, t.v.me, L.WR_DEPTH)] !== 0;

const utf8 = /* @__PURE__ */ new TextDecoder();

/** The name of module record `id`. */
export function moduleName(v: View, id: number): string {
  const len = v.i32[moduleWord(v, id, L.MR_NAMELEN)]!;
  const start = moduleWord(v, id, L.MR_NAME) * 4;
  return utf8.decode(new Uint8Array(v.i32.buffer, start, len).slice());
}
