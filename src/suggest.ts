// What an ENONAME or unknown-ABI error suggests: the nearest names, and the
// other ABIs that have a call name this one lacks. Runs only when an error
// is thrown.
import type { Abi } from './abi/types.js';

/** Edit distance counting an adjacent transposition as one edit (wirte -> write is 1). */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = (d[i] = [i]);
    for (let j = 1; j <= b.length; j++) {
      const up = d[i - 1];
      row[j] = !up
        ? j
        : Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2]![j - 2]! + 1 : Infinity);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Up to three of `names` nearest to `name`, case aside, nearest first: those
 * within 1 edit (2 for names of 5 letters or more), and those within 3 that
 * start with it (open -> openat).
 */
export function nearest(name: string, names: Iterable<string>): string[] {
  const max = name.length <= 4 ? 1 : 2;
  const lower = name.toLowerCase();
  const found: [string, number][] = [];
  for (const n of names) {
    const other = n.toLowerCase();
    const d = Math.abs(n.length - name.length) <= 3 ? distance(lower, other) : 4;
    if (d <= max || (d <= 3 && other.startsWith(lower))) found.push([n, d]);
  }
  return found
    .sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, 3)
    .map(([n]) => n);
}

const or = (list: string[]): string => (list.length <= 1 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`);

/** The ABIs of `index` (an Abi's callIndex) that have call `name`, except `except`. */
function abisWith(index: string, name: string, except: string): string[] {
  const [head = '', body = ''] = index.split('|');
  const ids = head.split(',');
  for (const entry of body.split(',')) {
    const [n, mask] = entry.split(':');
    if (n === name) return ids.filter((id, i) => id !== except && (mask === undefined || Math.floor(parseInt(mask, 36) / 2 ** i) % 2 === 1));
  }
  return [];
}

/** The message of ENONAME for call `name`, which `abi` lacks. */
export function unknownCall(name: string, abi: Abi): string {
  let text = `unknown call "${name}" for ${abi.id}`;
  const near = nearest(name, Object.keys(abi.names));
  if (near.length > 0) text += `; did you mean ${or(near)}?`;
  const index = abi.callIndex;
  const others = typeof index === 'string' ? abisWith(index, name, abi.id) : [];
  if (others.length > 0) {
    const shown = others.length > 4 ? `${others.slice(0, 3).join(', ')} and ${others.length - 3} other ABIs` : or(others);
    text += ` ("${name}" is a call of ${shown})`;
  }
  return text;
}

/** The message for an ABI id that is not one of `ids`. */
export function unknownAbi(id: unknown, ids: readonly string[]): string {
  const near = typeof id === 'string' ? nearest(id, ids) : [];
  const shown = typeof id === 'string' ? JSON.stringify(id) : `of type ${typeof id}`;
  return `unknown ABI id ${shown}${near.length > 0 ? ` (did you mean ${or(near)}?)` : ''}; the ABI ids are ${ids.join(', ')}`;
}
