// Turns the core's verify() code into a sentence.
import * as L from '../assembly/layout.js';
import { describeSlot, type SlotMap } from './slots.js';

const what: Record<number, (i: string) => string> = {
  [L.V_HEADER]: (i) => `the header is damaged (check ${i})`,
  [L.V_SLOT_ID]: (i) => `slot ${i} holds a handler id beyond the handler records`,
  [L.V_SLOT_BITS]: (i) => `slot ${i} has bits that do not match its handler or policy`,
  [L.V_SLOT_HANDLER]: (i) => `slot ${i} points to a handler that is not live on that slot`,
  [L.V_HANDLER_STATE]: (i) => `handler ${i} has a bad state, kind, slot or home`,
  [L.V_HANDLER_MODULE]: (i) => `handler ${i} belongs to no module`,
  [L.V_HANDLER_BELOW]: (i) => `handler ${i} sits over a handler that is not live on its slot`,
  [L.V_HANDLER_REFS]: (i) => `handler ${i} is live but not referenced exactly once`,
  [L.V_MODULE]: (i) => `module record ${i} is damaged`,
  [L.V_WORKER]: (i) => `worker record ${i} is damaged`,
  [L.V_POLICY]: (i) => `slot ${i} has an unknown missing-call policy`,
  [L.V_CALL]: (i) => `call record ${i} is damaged (or left held by a worker that is gone)`,
};

export function decodeVerify(v: number, map: SlotMap): string {
  const code = v >>> 24;
  const index = v & 0xffffff;
  const slotCodes = [L.V_SLOT_ID, L.V_SLOT_BITS, L.V_SLOT_HANDLER, L.V_POLICY];
  const label = slotCodes.includes(code) && index < map.total ? describeSlot(map, index) : String(index);
  return `verify: ${(what[code] ?? (() => `unknown check ${code}`))(label)}`;
}
