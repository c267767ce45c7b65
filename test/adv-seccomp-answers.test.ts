// The adversary's filter callbacks: what onTrap / onKill / onNotify answer
// is the call's answer, so every value they give must be a number (or a
// promise of one, where the caller takes promises) or a typed error: never
// a TypeError, never a string or an object out of call(), and a TRAP or a
// KILL must never let the call run. Numbers beyond the table take the same
// filter on their own path (policy.ts oorFiltered()), so each case runs on
// both: getpid (39, in the table) and 99999 (beyond it).
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import { ret } from './helpers/adv.js';

const GETPID = 39;
const OOR = 99999;

function setup(action: number, options: Parameters<typeof filterTable>[2], async = false) {
  const t = createTable({ abi, async });
  const ran: number[] = [];
  t.load({ name: 'io', handlers: { getpid: () => (ran.push(GETPID), 42) } });
  t.setMissing('*', (nr) => (ran.push(nr), 777)); // what a number beyond the table runs when the filter lets it
  filterTable(t, [ret(action)], options);
  return { t, ran };
}

function code(f: () => unknown): string {
  try {
    return `answered ${typeof f()}`;
  } catch (e) {
    return (e as { code?: string }).code ?? `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

describe('onTrap / onKill answers that are not numbers', () => {
  // null, {} and [] reached hookedBelow()'s promise branch (typeof 'object') and threw a TypeError
  // (answer.then is not a function); beyond the table every value came out of call() as it was.
  for (const [label, value] of [['null', null], ['an object', {}], ['an array', [1]], ['a string', 'x'], ['a bigint', 5n]] as const) {
    for (const nr of [GETPID, OOR]) {
      it(`onTrap answering ${label}, call ${nr}: EBADRESULT, the handler not run`, () => {
        const { t, ran } = setup(SECCOMP_RET_TRAP, { onTrap: () => value as unknown as number });
        expect(code(() => t.call(nr))).toBe('EBADRESULT');
        expect(code(() => t.call64(nr))).toBe('EBADRESULT');
        expect(ran).toEqual([]);
        t.verify();
      });
      it(`onKill answering ${label}, call ${nr}: EBADRESULT, the handler not run`, () => {
        const { t, ran } = setup(SECCOMP_RET_KILL_PROCESS, { onKill: () => value as unknown as number });
        expect(code(() => t.call(nr))).toBe('EBADRESULT');
        expect(ran).toEqual([]);
        t.verify();
      });
    }
  }

  for (const nr of [GETPID, OOR]) {
    it(`an onTrap promise that resolves to a string, call ${nr}: rejects EBADRESULT`, async () => {
      const { t, ran } = setup(SECCOMP_RET_TRAP, { onTrap: () => Promise.resolve('x') as unknown as number }, true);
      await expect(t.call(nr)).rejects.toMatchObject({ code: 'EBADRESULT' });
      expect(ran).toEqual([]);
    });
  }
});

describe('an async supervisor that lets a call beyond the table run', () => {
  // oorFiltered() returned the supervisor's promise as the answer: its
  // undefined ("let it run") reached the caller as the call's result.
  it('resolves to what the number answers unfiltered (the missing-call trap here), as a sync supervisor does', async () => {
    const sync = setup(SECCOMP_RET_USER_NOTIF, { onNotify: () => undefined });
    expect(sync.t.call(OOR)).toBe(777);
    const { t, ran } = setup(SECCOMP_RET_USER_NOTIF, { onNotify: async () => undefined }, true);
    await expect(t.call(OOR)).resolves.toBe(777);
    await expect(t.callAsync(OOR)).resolves.toBe(777);
    expect(ran).toEqual([OOR, OOR]);
    await expect(t.call(GETPID)).resolves.toBe(42); // in the table it always did
  });

  it('a supervisor that rejects: the call rejects with its error, beyond the table too', async () => {
    const boom = new Error('supervisor died');
    const { t, ran } = setup(SECCOMP_RET_USER_NOTIF, { onNotify: () => Promise.reject(boom) }, true);
    await expect(t.call(GETPID)).rejects.toBe(boom);
    await expect(t.call(OOR)).rejects.toBe(boom);
    expect(ran).toEqual([]);
    t.verify();
  });
});

describe('onTrap / onKill that answer nothing', () => {
  // FilterOptions says onTrap gives "its answer, or a throw". An onTrap or
  // onKill that returns undefined (a logger that forgets to return) lets the
  // trapped or killed call run its handler: makeFilterPlug() returned their
  // result as the plug's answer, and undefined there means ALLOW. Fixed
  // (src/seccomp/plug.ts): undefined from onTrap/onKill is EBADRESULT (fail closed).
  for (const nr of [GETPID, OOR]) {
    it(`a KILL whose onKill returns undefined does not run call ${nr}`, () => {
      const { t, ran } = setup(SECCOMP_RET_KILL_PROCESS, { onKill: () => undefined as unknown as number });
      expect(code(() => t.call(nr))).toBe('EBADRESULT');
      expect(ran).toEqual([]);
    });
    it(`a TRAP whose onTrap returns undefined does not run call ${nr}`, () => {
      const { t, ran } = setup(SECCOMP_RET_TRAP, { onTrap: () => undefined as unknown as number });
      expect(code(() => t.call(nr))).toBe('EBADRESULT');
      expect(ran).toEqual([]);
    });
  }
});
