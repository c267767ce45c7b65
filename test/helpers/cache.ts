// The steps of the cache tests (Node worker_threads and Web Workers): another
// thread changes the table, and this thread's very next call must see it.
import { expect } from 'vitest';
import { SystabError, type Module, type Table } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

export const GETPID = abi.names.getpid!;
export const GETPPID = abi.names.getppid!;
const ENOSYS = abi.enosys; // -38, returned as is

/** Makes one change in the other thread and resolves once it is done. */
export type Change = (msg: Record<string, unknown>) => Promise<void>;

/** Calls `nr` often enough that the call site runs hot, and checks every answer. */
export function hot(t: Table, nr: number, want: number, times = 2000): void {
  let wrong = 0;
  for (let i = 0; i < times; i++) if (t.call(nr, i) !== want) wrong++;
  expect(wrong).toBe(0);
}

/**
 * `t` holds module `m` ({ getpid: () => 1 }) and provides module "b"
 * ({ getppid: () => 9 }); `change` makes each change in the other thread:
 * hooks on and off (a number's, then '*''s for out-of-range numbers),
 * unload by token, policy, a load of "b" there.
 */
export async function cacheSteps(t: Table, m: Module, change: Change): Promise<void> {
  const counted = (): number => t.stats().calls.find((c) => c.nr === GETPID)?.calls ?? 0;
  hot(t, GETPID, 1);
  expect(counted()).toBe(0);

  await change({ op: 'hooks', calls: ['getpid'], switches: { count: true } });
  hot(t, GETPID, 1, 10);
  expect(counted()).toBe(10);

  await change({ op: 'hooks', calls: ['getpid'], switches: { count: false } });
  hot(t, GETPID, 1, 10);
  expect(counted()).toBe(10);

  // Out-of-range numbers have no slot word: their count switch is '*''s.
  const beyond = (): number => t.stats().outOfRange;
  hot(t, abi.count, ENOSYS); // answered uncounted on the hot path
  expect(beyond()).toBe(0);
  await change({ op: 'hooks', calls: '*', switches: { count: true } });
  hot(t, abi.count, ENOSYS, 10);
  expect(beyond()).toBe(10);
  await change({ op: 'hooks', calls: '*', switches: { count: false } });
  hot(t, abi.count, ENOSYS, 10);
  expect(beyond()).toBe(10);

  await change({ op: 'unload', token: m.token });
  expect(m.loaded).toBe(false);
  hot(t, GETPID, ENOSYS, 10);

  await change({ op: 'missing', calls: ['getpid'], policy: 'throw' });
  expect(() => t.call(GETPID)).toThrow(SystabError);
  await change({ op: 'missing', calls: ['getpid'], policy: 'enosys' });
  hot(t, GETPID, ENOSYS, 10);

  // Loaded there, provided here: this thread runs its own code for it.
  hot(t, GETPPID, ENOSYS, 10);
  await change({ op: 'load', name: 'b', call: 'getppid', value: 99 });
  hot(t, GETPPID, 9);
  t.verify();
}
