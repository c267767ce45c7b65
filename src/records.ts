// Where a field of a handler, module or worker record sits in the table's
// Int32Array: the one place for that arithmetic.
import * as L from '../assembly/layout.js';
import type { Table } from './table.js';

export const handlerWord = (t: Table, id: number, field: number): number => t.at.handlers + id * L.HR_WORDS + field;
export const moduleWord = (t: Table, id: number, field: number): number => t.at.modules + id * L.MR_WORDS + field;
export const workerWord = (t: Table, w: number, field: number): number => t.at.workers + w * L.WR_WORDS + field;
