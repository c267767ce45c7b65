// Every call sees one state of its slot: the switches, the missing-call
// policy and the handler of one slot word, even when the state changes while
// the call runs (here, from its own enter hook).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const SOCKET = abi.names.socket!;

describe('one state per call', () => {
  it('a policy changed by the enter hook applies from the next call on', () => {
    const t = createTable({ abi, shared: false });
    t.setMissing(['socket'], 'throw');
    t.hooks(['socket'], { enter: true, exit: true });
    const seen: unknown[] = [];
    t.onEnter(() => void t.setMissing(['socket'], 'enosys'));
    t.onExit((_nr, _a, r) => void seen.push(r));
    expect(() => t.call(SOCKET)).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
    t.onEnter(() => void t.setMissing(['socket'], 'throw'));
    expect(t.call(SOCKET)).toBe(-38);
    expect(seen).toEqual([-38]);
    t.verify();
  });

  it('a trap installed by the enter hook is not used by the call that installed it', () => {
    const t = createTable({ abi, shared: false });
    t.hooks(['socket'], { enter: true });
    t.onEnter(() => void t.setMissing(['socket'], () => 99));
    expect(t.call(SOCKET)).toBe(-38);
    t.onEnter(null);
    expect(t.call(SOCKET)).toBe(99);
    t.verify();
  });
});
