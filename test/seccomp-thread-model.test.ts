// Random sequences of per-thread stacks, joins (inheriting another thread's
// chain, as a worker that thread started), leaves, table-wide stacks and
// TSYNCs on three threads (the owner and two real worker_threads), against a
// reference model of the kernel's chains: after every step, every thread's
// answer for every number and first argument is the model's, and each
// slot's plug reasons are what the model's chains need.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTable } from 'systab';
import { filterTable, SECCOMP_RET_ALLOW, SeccompSyncError } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import { ARGS, Model, NRS, program, reasons, startThread, type Rule, type Thread } from './helpers/seccomp-thread.js';
import { fuzzParams } from './helpers/fuzz-values.js';

const allowAll = [{ code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }];

type Op =
  | { op: 'wide'; rule: Omit<Rule, 'errno'> }
  | { op: 'own'; th: number; rule: Omit<Rule, 'errno'> }
  | { op: 'join'; th: number; from: number }
  | { op: 'leave'; th: number }
  | { op: 'tsync'; rule: Omit<Rule, 'errno'> };

const ruleArb = fc.record({ nr: fc.constantFrom(...NRS), arg: fc.option(fc.constantFrom(...ARGS), { nil: undefined }) }, { requiredKeys: ['nr'] });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('wide' as const), rule: ruleArb }),
  fc.record({ op: fc.constant('own' as const), th: fc.integer({ min: 0, max: 2 }), rule: ruleArb }),
  fc.record({ op: fc.constant('own' as const), th: fc.integer({ min: 0, max: 2 }), rule: ruleArb }),
  fc.record({ op: fc.constant('join' as const), th: fc.integer({ min: 1, max: 2 }), from: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('join' as const), th: fc.integer({ min: 1, max: 2 }), from: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('leave' as const), th: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant('tsync' as const), rule: ruleArb }),
);

describe('per-thread chains against a model of the kernel\'s', () => {
  it('random stacks, joins, leaves and TSYNCs on three threads: every answer and every slot\'s reasons as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        const t = createTable({ abi });
        const f = filterTable(t, [allowAll]);
        const ws: Thread[] = [startThread(t), startThread(t)];
        const m = new Model();
        try {
          await Promise.all(ws.map((w) => w.ready));
          const worker = (th: number) => ws[th - 1]!;
          for (const op of ops) {
            if (op.op === 'wide') {
              f.stack([program(m.rules[m.rule(op.rule)]!)]);
              m.wide.push(m.rules.length - 1);
            } else if (op.op === 'own') {
              if (!m.joined[op.th]) continue;
              const id = m.rule(op.rule);
              if (op.th === 0) f.stack([program(m.rules[id]!)], { thread: true });
              else await worker(op.th).result({ stack: [program(m.rules[id]!)] });
              m.own[op.th]!.push(id);
            } else if (op.op === 'join') {
              if (m.joined[op.th]) continue;
              // From a joined thread: its describe() (its chain inherited); else the owner's without its chain.
              const from = m.joined[op.from] && op.from !== op.th ? op.from : 0;
              let desc = from === 0 ? f.describe() : ((await worker(from).result({ describe: true })) as ReturnType<typeof f.describe>);
              if (from !== op.from) desc = { memory: desc.memory, control: desc.control };
              await worker(op.th).result({ join: desc });
              m.joined[op.th] = true;
              m.own[op.th] = from === op.from ? [...m.own[from]!] : [];
            } else if (op.op === 'leave') {
              if (!m.joined[op.th]) continue;
              await worker(op.th).result({ leave: true });
              m.joined[op.th] = false;
              m.own[op.th] = [];
            } else {
              const id = m.rule(op.rule);
              const mine = m.own[0]!;
              const blocking = [1, 2].filter((th) => m.joined[th] && !m.own[th]!.every((x, i) => mine[i] === x));
              let err: unknown;
              try {
                f.stack([program(m.rules[id]!)], { tsync: true });
              } catch (e) {
                err = e;
              }
              if (blocking.length > 0) {
                expect(err).toBeInstanceOf(SeccompSyncError);
                expect(blocking.map((th) => worker(th).worker.threadId)).toContain((err as SeccompSyncError).threadId);
              } else {
                expect(err).toBeUndefined();
                m.wide.push(...mine, id);
                m.own = m.own.map(() => []);
              }
            }
            // Every thread, every number and argument.
            const want = [0, 1, 2].map((th) => NRS.flatMap((nr) => ARGS.map((a) => m.answer(th, nr, a))));
            const got = [
              NRS.flatMap((nr) => ARGS.map((a) => {
                try {
                  return t.call(nr, a);
                } catch (e) {
                  return (e as { code: string }).code;
                }
              })),
              ...(await Promise.all(ws.map((w) => w.calls(NRS.flatMap((nr) => ARGS.map((a) => [nr, a])))))),
            ];
            expect({ op, got }).toEqual({ op, got: want });
            expect(NRS.map((nr) => reasons(t, nr))).toEqual(NRS.map((nr) => m.reasons(nr)));
          }
          t.verify();
        } finally {
          await Promise.all(ws.map((w) => w.close()));
          f.close();
        }
        expect(NRS.map((nr) => reasons(t, nr))).toEqual([0, 0, 0, 0]);
        t.verify();
      }),
      fuzzParams(12),
    );
  }, 120_000);
});
