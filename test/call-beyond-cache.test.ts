// A number beyond the table never reaches a handler, whatever the table holds
// and whichever switches are on: this thread's cache of functions must read
// nothing for it (a cache laid out as one array of two lanes once answered
// number count + k with slot k's handler while k was being counted). Such a
// number is counted as out of range only while the count switch of '*' is on;
// switches on the listed numbers do not count it.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

describe('numbers just beyond the table', () => {
  it.each([['no switches', {}], ['counting', { count: true }], ['enter/exit', { enter: true, exit: true }]] as const)(
    "answer ENOSYS, and count as out of range only while '*' counts (%s)",
    (_what, switches) => {
      const t = createTable({ abi });
      const ran: number[] = [];
      const handlers = Object.fromEntries([0, 1, 2, 3].map((nr) => [nr, () => (ran.push(nr), nr + 100)]));
      t.load({ name: 'low', handlers });
      const beyond = (): void => {
        for (let k = 0; k < 50; k++) for (let nr = 0; nr < 4; nr++) expect(t.call(nr)).toBe(nr + 100); // warm the fast path
        ran.length = 0;
        for (let k = 0; k < 50; k++) for (let nr = 0; nr < 4; nr++) expect(t.call(abi.count + nr)).toBe(abi.enosys);
        expect(ran).toEqual([]);
      };

      t.hooks([0, 1, 2, 3], switches);
      beyond();
      expect(t.stats().outOfRange).toBe(0);

      // '*' counts out-of-range numbers; slots 0-3 get back the switches under test.
      t.hooks('*', { count: true });
      t.hooks([0, 1, 2, 3], { count: false, ...switches });
      beyond();
      expect(t.stats().outOfRange).toBe(200);

      t.hooks('*', { count: false });
      t.hooks([0, 1, 2, 3], switches);
      beyond();
      expect(t.stats().outOfRange).toBe(200);
      t.verify();
    },
  );
});
